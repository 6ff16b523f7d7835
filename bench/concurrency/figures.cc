#include "bench/concurrency/figures.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include "src/benchmark/stats.h"

namespace zerostart::bench::concurrency {

int64_t NowNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

double PercentileOf(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return benchmark::Percentile(values, p);
}

std::string Fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

}  // namespace zerostart::bench::concurrency
