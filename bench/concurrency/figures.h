// The arithmetic every part of zs_concurrency_bench shares: one clock, percentiles, and how a
// figure is printed.
#ifndef ZEROSTART_BENCH_CONCURRENCY_FIGURES_H_
#define ZEROSTART_BENCH_CONCURRENCY_FIGURES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace zerostart::bench::concurrency {

// CLOCK_MONOTONIC in nanoseconds.
int64_t NowNs();
inline double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// The p-th percentile (0-100) of `values`, in any order; 0 for none.
double PercentileOf(std::vector<double> values, double p);

// `value` with `decimals` digits after the point ("%.*f").
std::string Fixed(double value, int decimals);

}  // namespace zerostart::bench::concurrency

#endif  // ZEROSTART_BENCH_CONCURRENCY_FIGURES_H_
