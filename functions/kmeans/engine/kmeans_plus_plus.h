// KMeansPlusPlus: org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer (Commons Math
// 3.6.1) with EuclideanDistance, reproduced exactly: for the same points, options and generator
// state it returns the same clusters in the same order, the same sizes and the same center bits,
// and it leaves the generator where Java leaves it. What that takes: docs/WORKLOAD.md
// ("Generator", "Clustering"); the original is KMeansPlusPlusClusterer.java at tag MATH_3_6_1
// of apache/commons-math (src/main/java/org/apache/commons/math3/ml/clustering/).
//
//   MersenneTwister rng(42);
//   Points points = GeneratePoints(1000, 2, rng);
//   Result<Clustering> c = ClusterKMeansPlusPlus(points, {.k = 4, .max_iterations = 100}, rng);
//
// Thread safety: a pure function of its arguments; `rng` is mutated. With options.threads > 1
// it runs parts of the work on other threads and joins them before returning.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_PLUS_PLUS_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_PLUS_PLUS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"
#include "zerostart/status.h"

namespace zerostart::kmeans {

// KMeansPlusPlusClusterer.EmptyClusterStrategy: what a pass does with a cluster that lost all
// its points.
enum class EmptyClusterStrategy {
  kLargestVariance,      // take a random point from the cluster whose point-to-center
                         // distances have the largest (bias-corrected) variance
  kLargestPointsNumber,  // take a random point from the largest cluster
  kFarthestPoint,        // take the point farthest from its center
  kError,                // fail with "empty cluster in k-means" (Java: ConvergenceException)
};

// The Java enum constant name, e.g. "LARGEST_VARIANCE".
std::string_view EmptyClusterStrategyName(EmptyClusterStrategy strategy);
// The strategy named by its Java enum constant (exact, case-sensitive), or nullopt.
std::optional<EmptyClusterStrategy> ParseEmptyClusterStrategy(std::string_view name);

class EnginePool;  // functions/kmeans/engine/engine_pool.h

// How the assignment step computes distances.
enum class ClusteringMode {
  kExact,  // Commons Math's arithmetic: the result is bit-identical to Java's (the default)
  kFast,   // float32 GEMM form with FMA (fast_assignment.h): faster, may differ from Java
};
// "exact" / "fast".
std::string_view ClusteringModeName(ClusteringMode mode);

struct ClustererOptions {
  int32_t k = 4;
  // Passes of the main loop at most; negative means no limit (Java runs Integer.MAX_VALUE);
  // 0 returns the k-means++ seeds with their initial assignment.
  int32_t max_iterations = -1;
  EmptyClusterStrategy empty_cluster_strategy = EmptyClusterStrategy::kLargestVariance;
  // Threads of the assignment step (and of the centroid sums): the points are split into that
  // many contiguous ranges, each assigned by one thread (the centroid sums split by cluster).
  // The result is identical for every value, bit for bit. Values < 1 mean 1. The threads come
  // from `pool` when it is given and has at least that many, else from a pool the call starts
  // and joins. Choosing the count (the CPU budget) is the caller's business.
  int threads = 1;
  EnginePool* pool = nullptr;  // optional, not owned; must outlive the call
  // Exact Hamerly pruning (bounds that provably keep Java's argmin, see exact_bounds.h). It
  // never changes the result; false scans every center for every point on every pass (tests
  // compare the two, benchmarks measure the gain).
  bool exact_pruning = true;
  // kFast trades exactness for speed in the assignment step only: seeding, centroids, the
  // empty-cluster strategies and the sse stay Commons Math's. Falls back to kExact (reported in
  // Clustering::mode) when the data is too spread for float32 (FastAssignmentStep::Usable).
  ClusteringMode mode = ClusteringMode::kExact;
  // The instruction set of the vector kernels (kernel_isa.h); nullopt: the widest this CPU
  // runs. Every ISA gives the same bits; forcing one is for tests and for pinning a path.
  std::optional<KernelIsa> isa = std::nullopt;
};

struct Clustering {
  size_t k = 0;
  size_t dims = 0;
  std::vector<double> centers;       // k * dims, row-major, in the clusterer's order
  std::vector<size_t> sizes;         // points per cluster, same order
  std::vector<int32_t> assignments;  // cluster index of each point
  // Sum over clusters, over their points in index order, over dimensions, of the squared
  // coordinate difference to the cluster's center: one running sum, no per-point subtotal and
  // no sqrt (docs/WORKLOAD.md's checked example, 41.46465311349745, is computed this way).
  double sse = 0.0;
  // Passes of the main loop that ran (new centers, then reassignment), the last one included:
  // 0 when max_iterations == 0; max_iterations when the limit stopped it.
  int32_t iterations = 0;
  // How many times the empty-cluster strategy ran, over all passes (diagnostics and tests).
  int64_t empty_cluster_events = 0;
  // The arithmetic that ran: options.mode, or kExact after a fallback.
  ClusteringMode mode = ClusteringMode::kExact;
  // The instruction set of the vector kernels (kernel_isa.h); nullopt: the widest this CPU
  // runs. Every ISA gives the same bits; forcing one is for tests and for pinning a path.
  std::optional<KernelIsa> isa = std::nullopt;
};

// Clusters `points` as Commons Math's cluster(points) does, drawing from `rng` exactly as Java
// draws (one nextInt and k-1 nextDouble while seeding; one nextInt per LARGEST_VARIANCE or
// LARGEST_POINTS_NUMBER fix).
// Errors: InvalidArgument if k < 1, points.dims == 0, points.count > INT32_MAX (a Java list
// size), points.count < k (Java: NumberIsTooSmallException) or options.isa is one this CPU
// does not run (CpuRunsKernelIsa); FailedPrecondition with message
// "empty cluster in k-means" when a cluster empties under kError, or no cluster is left to
// take a point from (Java: ConvergenceException).
Result<Clustering> ClusterKMeansPlusPlus(const Points& points, const ClustererOptions& options,
                                         MersenneTwister& rng);

// The message of the FailedPrecondition above (Commons Math's EMPTY_CLUSTER_IN_K_MEANS text).
inline constexpr std::string_view kEmptyClusterMessage = "empty cluster in k-means";

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_PLUS_PLUS_H_
