// The exact distance kernel of the k-means engine: Commons Math's EuclideanDistance evaluated
// for 8 points at once, one point per SIMD lane ("across points"), so that every lane adds its
// squares in dimension order with a separate multiply and add, exactly as Java does, while the
// hardware works on 8 points per instruction. Internal to zs_kmeans.
//
// A tile holds kTileWidth points in structure-of-arrays form: coordinate j of lane l is
// tile[j * kTileWidth + l]. Tiles are built on the fly from the row-major Points (the engine
// keeps no second copy of the data).
//
// Dispatch: every kernel is compiled twice from one source, once for the baseline ISA (SSE2 on
// x86-64, NEON on arm64) and once with __attribute__((target("avx2"))) on x86-64; the AVX2
// build is chosen at run time with __builtin_cpu_supports("avx2"). Neither build ever forms an
// FMA (zs_kmeans is compiled with -ffp-contract=off, and target("avx2") does not enable FMA).
//
// Thread safety: pure functions.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DISTANCE_KERNEL_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DISTANCE_KERNEL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zerostart::kmeans {

inline constexpr size_t kTileWidth = 8;

// Per-lane result of NearestInTile.
struct TileNearest {
  int32_t nearest[kTileWidth];     // Java's getNearestCluster index (see below)
  double nearest_sum[kTileWidth];  // the sum of squares to that center
  // The smallest sum of squares over the other centers (+inf when k == 1).
  double second_sum[kTileWidth];
  // Lanes whose result the strict `<` over sums may not reproduce (a lower-index center whose
  // sqrt rounds to the same distance, see exact_math.h NearestCenter): the caller resolves them
  // with the scalar NearestCenter. Rare: it needs two sums within a relative 2^-50.
  uint32_t needs_exact_mask = 0;
};

// For each of the kTileWidth points rows[l] (dims values each; pad a short tile by repeating a
// point), the nearest of `k` centers (row-major, dims each) by the strict `<` over sums of
// squares, starting from +inf: NaN and infinite sums never win, all of them leave index 0, and
// the lowest index wins ties of equal sums, as Java's scan over sqrt(sum) does except for the
// flagged lanes. `tile` is scratch of dims * kTileWidth doubles (the points are transposed
// into it). REQUIRES: k >= 1, dims >= 1.
void NearestInTile(const double* const* rows, size_t dims, const double* centers, size_t k,
                   double* tile, TileNearest& out);

// One step of k-means++ seeding (chooseInitialCenters) over all `count` points (row-major,
// `dims` each) against the newly chosen `center`: d2_i = sqrt(sum of squares)^2 rounded as Java
// rounds it, then
//   first:  min_dist_squared[i] = d2_i, except min_dist_squared[skip] = 0 (the chosen point);
//   else:   min_dist_squared[i] = d2_i < old ? d2_i : old  (Java's `d2 < minDistSquared[j]`;
//           points already taken hold 0.0 and keep it, as Java skips them);
// and returns Java's distSqSum for the next draw: the sum of min_dist_squared in index order,
// one chain from 0.0 (the taken points' 0.0 adds nothing: the sum starts at +0.0 and only adds
// values >= +0 or NaN). `tile` is scratch of dims * kTileWidth doubles. REQUIRES: dims >= 1.
double SeedPass(const double* coords, size_t count, size_t dims, const double* center,
                bool first, size_t skip, double* min_dist_squared, double* tile);

// Which build the dispatcher chose on this CPU: "avx2" or "baseline" (benchmarks, logs).
std::string_view DistanceKernelIsa();

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DISTANCE_KERNEL_H_
