#include "src/benchmark/stats.h"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <numeric>

namespace zerostart::benchmark {
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

std::string FormatNumber(double v) {
  char text[32];
  const double a = std::fabs(v);
  if (a >= 1000) {
    std::snprintf(text, sizeof text, "%.0f", v);
    std::string s = text;
    for (int i = static_cast<int>(s.size()) - 3; i > (v < 0 ? 1 : 0); i -= 3) s.insert(static_cast<size_t>(i), ",");
    return s;
  }
  std::snprintf(text, sizeof text, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
  return text;
}

}  // namespace zerostart::benchmark
