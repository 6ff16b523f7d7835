// Latency statistics for `zerostart invoke --count N`: percentiles of a sample of durations.
// Thread safety: value type.
#ifndef ZEROSTART_SRC_CLI_LATENCY_STATS_H_
#define ZEROSTART_SRC_CLI_LATENCY_STATS_H_

#include <chrono>
#include <string>
#include <vector>

namespace zerostart::cli {

struct LatencySummary {
  size_t count = 0;
  std::chrono::nanoseconds p50{0}, p90{0}, p99{0}, max{0};
};

// Percentiles as `zerostart bench` computes them (src/benchmark/stats.h: linear interpolation
// between order statistics, Hyndman & Fan type 7), rounded to the nanosecond. An empty sample
// gives zeros. Sorts `samples`.
LatencySummary Summarize(std::vector<std::chrono::nanoseconds>& samples);

// "invokes: N (E function errors) in S s: X invokes/s\nlatency: p50 a µs, p90 b µs, p99 c µs,
// max d µs\n".
std::string FormatSummary(const LatencySummary& summary, size_t function_errors,
                          std::chrono::nanoseconds wall_time);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_LATENCY_STATS_H_
