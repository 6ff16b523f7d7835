#include "src/study/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace zerostart::study {
namespace {

constexpr double kTukeyFactor = 1.5;

struct Fences {
  double low;
  double high;
};

Fences TukeyFences(const std::vector<double>& sorted) {
  const double q1 = Percentile(sorted, 25);
  const double q3 = Percentile(sorted, 75);
  const double iqr = q3 - q1;
  return {q1 - kTukeyFactor * iqr, q3 + kTukeyFactor * iqr};
}

}  // namespace

double Percentile(const std::vector<double>& sorted, double p) {
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

Summary Summarize(const std::vector<double>& samples) {
  Summary s;
  if (samples.empty()) return s;
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  s.count = sorted.size();
  s.min = sorted.front();
  s.max = sorted.back();
  s.p10 = Percentile(sorted, 10);
  s.q1 = Percentile(sorted, 25);
  s.median = Percentile(sorted, 50);
  s.q3 = Percentile(sorted, 75);
  s.p90 = Percentile(sorted, 90);
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(s.count);
  const Fences fences = TukeyFences(sorted);
  s.outliers = static_cast<size_t>(std::count_if(sorted.begin(), sorted.end(), [&](double x) {
    return x < fences.low || x > fences.high;
  }));
  return s;
}

std::vector<bool> OutlierFlags(const std::vector<double>& samples) {
  std::vector<bool> flags(samples.size(), false);
  if (samples.empty()) return flags;
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  const Fences fences = TukeyFences(sorted);
  for (size_t i = 0; i < samples.size(); ++i) {
    flags[i] = samples[i] < fences.low || samples[i] > fences.high;
  }
  return flags;
}

}  // namespace zerostart::study
