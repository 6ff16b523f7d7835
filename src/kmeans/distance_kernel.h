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
#ifndef ZEROSTART_SRC_KMEANS_DISTANCE_KERNEL_H_
#define ZEROSTART_SRC_KMEANS_DISTANCE_KERNEL_H_

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

// For each lane of `tile` (dims * kTileWidth values), the nearest of `k` centers (row-major,
// dims each) by the strict `<` over sums of squares, starting from +inf: NaN and infinite sums
// never win, all of them leave index 0, and the lowest index wins ties of equal sums, as Java's
// scan over sqrt(sum) does except for the flagged lanes. REQUIRES: k >= 1, dims >= 1.
void NearestInTile(const double* tile, size_t dims, const double* centers, size_t k,
                   TileNearest& out);

// Java's sqrt(sum)^2 of each lane of `tile` to `center`, the squared distance of k-means++
// seeding: out[l] = (sqrt(sum_l))^2 rounded as Java rounds it.
void SeedDistancesInTile(const double* tile, size_t dims, const double* center, double* out);

// Java's distance of each lane of `tile` to its own center, lane l of `centers` (a tile of
// dims * kTileWidth values too): out[l] = sqrt(sum over j of (x_j - c_j)^2), added in dimension
// order. REQUIRES: dims >= 1.
void OwnDistancesInTile(const double* tile, const double* centers, size_t dims, double* out);

// Hamerly's per-pass bound update for kTileWidth consecutive points (the engine's hot loop when
// most points are pruned), per lane i with a = assignments[i]:
//   u = upper[i] + drift[a];  l = lower[i] - other_drift[a];
//   keep_i = PruneTest(u, max(l, separation[a] - u), eps)      (exact_bounds.h, Claim 2)
// and stores u and l back rounded outward to float (upper up, lower down, clamped to
// [0, FLT_MAX]). Returns the mask of lanes that failed the test. All the per-cluster arrays are
// indexed by assignments[i], which must be in [0, k).
struct ClusterDrifts {
  const double* drift;        // >= exact distance each center moved
  const double* other_drift;  // the largest drift among the other centers
  const double* separation;   // <= exact distance to the nearest other center
  double eps;                 // PruneEpsilon(dims)
};
uint32_t UpdateBoundsInTile(const int32_t* assignments, float* upper, float* lower,
                            const ClusterDrifts& drifts);

// Which build the dispatcher chose on this CPU: "avx2" or "baseline" (benchmarks, logs).
std::string_view DistanceKernelIsa();

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_SRC_KMEANS_DISTANCE_KERNEL_H_
