// Stats: the summary statistics of one series of samples, as `zerostart bench` reports them — median,
// p10/p90, min/max, quartiles and outliers flagged by Tukey's rule (beyond 1.5 IQR outside the
// quartiles). Percentiles interpolate linearly between order statistics (Hyndman & Fan type 7,
// what numpy.percentile and R's default compute). Outliers are flagged, not removed: the
// summary covers every sample.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_STATS_H_
#define ZEROSTART_SRC_BENCHMARK_STATS_H_

#include <cstddef>
#include <string>
#include <vector>

namespace zerostart::benchmark {

struct Summary {
  size_t count = 0;  // 0: every other field is 0
  double min = 0;
  double p10 = 0;
  double q1 = 0;  // p25
  double median = 0;
  double q3 = 0;  // p75
  double p90 = 0;
  double max = 0;
  double mean = 0;
  size_t outliers = 0;  // samples beyond 1.5 IQR
};

// The p-th percentile (0 <= p <= 100) of `sorted` (ascending, non-empty), type 7.
double Percentile(const std::vector<double>& sorted, double p);

// The summary of `samples` (any order; may be empty).
Summary Summarize(const std::vector<double>& samples);

// One flag per sample, in the samples' order: true when the sample lies below
// q1 - 1.5 IQR or above q3 + 1.5 IQR.
std::vector<bool> OutlierFlags(const std::vector<double>& samples);

// 3 significant digits: "0.812", "12.3", "1,234".
std::string FormatNumber(double value);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_STATS_H_
