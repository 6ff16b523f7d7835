// The exact distance kernel of the k-means engine: Commons Math's EuclideanDistance evaluated
// for 8 points at once, one point per SIMD lane ("across points"), so that every lane adds its
// squares in dimension order with a separate multiply and add, exactly as Java does, while the
// hardware works on 8 points per instruction. Internal to zs_kmeans.
//
// A tile holds kTileWidth points in structure-of-arrays form: coordinate j of lane l is
// tile[j * kTileWidth + l]. Tiles are built on the fly from the row-major Points (the engine
// keeps no second copy of the data).
//
// Dispatch: every kernel is compiled three times from one source: for the baseline ISA (SSE2
// on x86-64, NEON on arm64), with __attribute__((target("avx2"))) and with
// target("avx512f,avx512dq,avx512vl") on x86-64 (a tile is then one 8-double vector); the
// caller names the build (kernel_isa.h). No kernel here forms an FMA: zs_kmeans is compiled with
// -ffp-contract=off (the AVX-512 target would allow contraction otherwise).
//
// Thread safety: pure functions.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DISTANCE_KERNEL_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DISTANCE_KERNEL_H_

#include <cstddef>
#include <cstdint>

#include "functions/kmeans/engine/kernel_isa.h"

namespace zerostart::kmeans {

inline constexpr size_t kTileWidth = 8;

// Per-lane result of NearestInTile (and of NearestByDot, which fills the two sums with bounds
// instead and flags every lane its error bound cannot decide: dot_filter.h).
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
// into it). REQUIRES: k >= 1, dims >= 1, CpuRunsKernelIsa(isa).
void NearestInTile(const double* const* rows, size_t dims, const double* centers, size_t k,
                   double* tile, TileNearest& out, KernelIsa isa = BestKernelIsa());

// The Hamerly bounds of a scanned tile, per lane l (exact_bounds.h):
//   upper[l] = UpperF(ExactUpperFromComputed(sqrt(in.nearest_sum[l]), eps))
//   lower[l] = LowerF(ExactLowerFromComputed(sqrt(in.second_sum[l]), eps))
// computed 8 lanes per instruction on the vector builds (the same IEEE operations in the same
// order, so every ISA gives these bits); done per lane in scalar code, the two square roots
// and the roundings cost more than the tile's distances on small k.
// REQUIRES: CpuRunsKernelIsa(isa).
void TileBounds(const TileNearest& in, double eps, float* upper, float* lower,
                KernelIsa isa = BestKernelIsa());

// One step of k-means++ seeding (chooseInitialCenters) for the `count` points whose indices
// are listed in `rows` (row-major `coords`, `dims` each) against the newly chosen `center`:
// d2_i = sqrt(sum of squares)^2 rounded as Java rounds it, then
//   first:  min_dist_squared[i] = d2_i;
//   else:   if (d2_i < min_dist_squared[i]) {
//             min_dist_squared[i] = d2_i;
//             owner[i] = center_index;
//           }
// (Java's `d2 < minDistSquared[j]`: NaN never replaces, and a taken point's 0.0 stays). The
// running total is the caller's (kmeans_seeding.cc); with `chain`, the caller's running total
// is carried on here instead: after each tile, the new min_dist_squared of its points are added
// to *chain in index order, overlapping the dependent additions with the next tile's
// distances. `tile` is scratch of dims * kTileWidth doubles. `owner` may be null (no owners
// kept; never written when `first`).
// REQUIRES: dims >= 1, CpuRunsKernelIsa(isa); with `chain`, rows listing the
// consecutive indices rows[0], rows[0] + 1, ... (every point of the range).
void SeedRows(const double* coords, size_t dims, const uint32_t* rows, size_t count,
              const double* center, bool first, uint16_t center_index, double* min_dist_squared,
              uint16_t* owner, double* tile, double* chain = nullptr,
              KernelIsa isa = BestKernelIsa());

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DISTANCE_KERNEL_H_
