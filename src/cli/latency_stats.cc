#include "src/cli/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace zerostart::cli {
namespace {

std::chrono::nanoseconds Rank(const std::vector<std::chrono::nanoseconds>& sorted, double q) {
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

double Micros(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e3; }

}  // namespace

LatencySummary Summarize(std::vector<std::chrono::nanoseconds>& samples) {
  LatencySummary summary;
  summary.count = samples.size();
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  summary.p50 = Rank(samples, 0.50);
  summary.p90 = Rank(samples, 0.90);
  summary.p99 = Rank(samples, 0.99);
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
