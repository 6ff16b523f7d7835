#include "src/cli/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "src/benchmark/stats.h"

namespace zerostart::cli {
namespace {

std::chrono::nanoseconds At(const std::vector<double>& sorted_ns, double p) {
  return std::chrono::nanoseconds(std::llround(benchmark::Percentile(sorted_ns, p)));
}

double Micros(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e3; }

}  // namespace

LatencySummary Summarize(std::vector<std::chrono::nanoseconds>& samples) {
  LatencySummary summary;
  summary.count = samples.size();
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  std::vector<double> sorted_ns;
  sorted_ns.reserve(samples.size());
  for (std::chrono::nanoseconds d : samples) sorted_ns.push_back(static_cast<double>(d.count()));
  summary.p50 = At(sorted_ns, 50);
  summary.p90 = At(sorted_ns, 90);
  summary.p99 = At(sorted_ns, 99);
  summary.max = samples.back();
  return summary;
}

std::string FormatSummary(const LatencySummary& summary, size_t function_errors,
                          std::chrono::nanoseconds wall_time) {
  double seconds = static_cast<double>(wall_time.count()) / 1e9;
  double rate = seconds > 0 ? static_cast<double>(summary.count) / seconds : 0;
  char buffer[256];
  std::snprintf(buffer, sizeof(buffer),
                "invokes: %zu (%zu function errors) in %.3f s: %.0f invokes/s\n"
                "latency: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
                summary.count, function_errors, seconds, rate, Micros(summary.p50),
                Micros(summary.p90), Micros(summary.p99), Micros(summary.max));
  return buffer;
}

}  // namespace zerostart::cli
