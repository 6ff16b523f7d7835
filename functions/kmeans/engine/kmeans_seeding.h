// k-means++ seeding exactly as Commons Math 3.6.1's chooseInitialCenters (one candidate per
// step): the same draws from the generator, the same choices, only sooner:
//   - the distance updates are vectorised across points (distance_kernel.h SeedRows);
//   - a point whose distance cannot shrink is not measured against the new center (the
//     triangle inequality as in Raff, "Exact Acceleration of K-Means++ and K-Means||", IJCAI
//     2021, with the rounding of Java's distances accounted for: see kmeans_seeding.cc);
//   - Java's running sum of the draw is the running sum that gave the step's total: the total's
//     chain is checkpointed every kSeedBlock points, so the draw rescans one block, from the
//     checkpoint, instead of repeating the chain from the first point. Every value is still
//     added in Java's order into one chain: the bits of every sum are Java's.
// Internal to zs_kmeans.
//
// Memory: per point one double (the minimum squared distance), one uint16_t (which center
// gave it; below kCompactBoundsPoints points only, exact_bounds.h) and one bit (taken); the
// checkpoints are one double per kSeedBlock points.
//
// Thread safety: a pure function; `rng` is mutated.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_SEEDING_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_SEEDING_H_

#include <cstddef>
#include <vector>

#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"

namespace zerostart::kmeans {

// Points per checkpoint of the running sum (and per list of points to measure).
inline constexpr size_t kSeedBlock = 512;

// Statistics of one seeding (benchmarks and tests).
struct SeedingStats {
  int64_t distances = 0;  // point-to-center distances computed
  int64_t skipped = 0;    // point-to-center distances the triangle inequality made unnecessary
};

class EnginePool;  // engine_pool.h

struct SeedingOptions {
  KernelIsa isa = BestKernelIsa();  // REQUIRES: CpuRunsKernelIsa(isa)
  // false measures every point at every step (tests compare the two).
  bool accelerate = true;
  // The distance updates of each step run as `parts` contiguous ranges of points on `pool`
  // (nullptr: all on the caller); the result is the same for every split.
  EnginePool* pool = nullptr;
  size_t parts = 1;
  SeedingStats* stats = nullptr;  // optional: what the skip saved (added to)
};

// The indices of the chosen points, in the order chosen (k of them while points.count >= k):
// first nextInt(n), then per further center one nextDouble() times the sum of the
// sqrt-then-squared minimum distances of the points not yet taken, scanned in index order.
// REQUIRES: 1 <= k <= points.count <= INT32_MAX, points.dims >= 1.
std::vector<size_t> ChooseInitialCenters(const Points& points, size_t k, MersenneTwister& rng,
                                         const SeedingOptions& options = {});

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_SEEDING_H_
