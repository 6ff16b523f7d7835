// The centroid sums of a k-means pass in Commons Math's order (centroidOf over the list that
// assignPointsToClusters built): cluster c's coordinate j is summed from 0.0 over c's points in
// index order. One pass over the points interleaves the k chains; each point is added to its
// cluster's row as whole vectors (coordinates and a count lane together: one 32-byte
// load-add-store instead of dims + 1 scalar ones). Internal to zs_kmeans.
//
// Row layout: CentroidRowStride(dims) doubles per cluster: the dims sums, then the count (as a
// double, exact below 2^53), then padding. Lanes add independently, so every sum is rounded
// exactly as Java's `centroid[j] += p[j]`. The stride is a whole number of 64-byte cache
// lines, so that in a buffer aligned to 64 bytes (CentroidRows) no two clusters' rows share a
// line: summing 100,000 points of d = 3 into 8 clusters took ~75-80 µs with rows of a line
// each against ~85-97 µs with two 32-byte rows per line (and ~100 µs when a row straddled two
// lines), on AMD EPYC (Zen 5): the chains of the clusters' load-add-store through memory wait
// on each other when their rows share a line.
//
// Dispatch by the caller's KernelIsa: AVX2 code for avx2 and avx512 (rows of 4 doubles), else
// SSE2 / NEON. With few clusters the interleaved chains wait on each other through memory
// (each addition loads the row the previous one of its cluster stored: with k = 4 a quarter of
// the points are one such chain); so for avx512, k <= 4, dims <= 3 and all clusters, each
// chunk of points is first split into per-cluster lists of indices (vpcompressd, in index
// order), then each cluster's chain runs in a register, the k chains interleaved.
// Thread safety: pure function; each thread passes its own `sums`.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_CENTROID_KERNEL_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_CENTROID_KERNEL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "functions/kmeans/engine/kernel_isa.h"

namespace zerostart::kmeans {

// The doubles of a row that the kernels add: dims + 1 rounded up to a multiple of 4.
inline constexpr size_t CentroidRowWidth(size_t dims) { return (dims + 1 + 3) / 4 * 4; }
// The doubles from one row to the next: the width rounded up to a multiple of 8 (64 bytes).
inline constexpr size_t CentroidRowStride(size_t dims) {
  return (CentroidRowWidth(dims) + 7) / 8 * 8;
}

// k rows of CentroidRowStride(dims) doubles, zeroed, starting at a 64-byte boundary.
class CentroidRows {
 public:
  CentroidRows(size_t k, size_t dims) : lines_(k * CentroidRowStride(dims) / kLineDoubles) {}
  double* data() { return lines_.empty() ? nullptr : lines_.front().values; }
  const double* data() const { return lines_.empty() ? nullptr : lines_.front().values; }
  size_t size() const { return lines_.size() * kLineDoubles; }  // in doubles
  void Clear() { std::fill(lines_.begin(), lines_.end(), Line{}); }

 private:
  static constexpr size_t kLineDoubles = 8;
  struct alignas(64) Line {
    double values[kLineDoubles];
  };
  std::vector<Line> lines_;
};

// Adds every point i < count (row-major `coords`, dims each) whose cluster c = assignments[i]
// is one of this caller's (mine == nullptr: all clusters; else mine[c] != 0) to row c of
// `sums`, in index order. With `mine`, the points are first listed a chunk at a time (a
// branch-free append), so a thread that owns half the clusters does about half the adding.
// `sums` holds one row of CentroidRowStride(dims) doubles per cluster, zeroed by the caller
// (rows of other clusters stay 0); any alignment of a double works, 64 bytes is the fast one.
// REQUIRES: every assignment is a row of `sums` (and of `mine`); dims >= 1;
// CpuRunsKernelIsa(isa).
// `k`: the number of rows of `sums`, or 0 when not known (the general path).
void SumClusterRows(const double* coords, size_t count, size_t dims, const int32_t* assignments,
                    const uint8_t* mine, double* sums, size_t k = 0,
                    KernelIsa isa = BestKernelIsa());

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_CENTROID_KERNEL_H_
