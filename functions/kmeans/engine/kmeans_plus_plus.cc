#include "functions/kmeans/engine/kmeans_plus_plus.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "functions/kmeans/engine/assignment_step.h"
#include "functions/kmeans/engine/centroid_kernel.h"
#include "functions/kmeans/engine/empty_clusters.h"
#include "functions/kmeans/engine/engine_pool.h"
#include "functions/kmeans/engine/fast_assignment.h"
#include "functions/kmeans/engine/kmeans_seeding.h"

namespace zerostart::kmeans {
namespace {

// Per-part buffers of the centroid pass (allocated once per clustering).
// Part p owns the clusters c with c % parts == p, so each chain stays on one thread.
struct CentroidScratch {
  std::vector<CentroidRows> rows;          // parts x k rows (centroid_kernel.h)
  std::vector<std::vector<uint8_t>> mine;  // parts x k: the clusters each part owns
  CentroidScratch(size_t parts, size_t k, size_t dims)
      : rows(parts, CentroidRows(k, dims)),
        mine(parts, std::vector<uint8_t>(k)) {
    for (size_t c = 0; c < k; ++c) mine[c % parts][c] = 1;
  }
};

// The cluster sizes and, when none is empty, the centers (sum / count per coordinate, as
// centroidOf divides) in `next_centers`, from the summed rows of `scratch` (cluster c's row in
// part c % parts). Returns false, with next_centers unspecified, when some cluster is empty.
bool CentersFromRows(const CentroidScratch& scratch, size_t dims, std::vector<size_t>& sizes,
                     std::vector<double>& next_centers) {
  const size_t parts = scratch.rows.size();
  const size_t stride = CentroidRowStride(dims);
  bool all_filled = true;
  for (size_t c = 0; c < sizes.size(); ++c) {
    sizes[c] = static_cast<size_t>(scratch.rows[c % parts].data()[c * stride + dims]);
    all_filled &= sizes[c] != 0;
  }
  if (!all_filled) return false;
  for (size_t c = 0; c < sizes.size(); ++c) {
    const double* sums = scratch.rows[c % parts].data() + c * stride;
    const auto count = static_cast<double>(sizes[c]);
    for (size_t j = 0; j < dims; ++j) next_centers[c * dims + j] = sums[j] / count;
  }
  return true;
}

// CentersFromRows after summing `assignments`' clusters into `scratch`'s rows (the caller
// takes the strategy path on false). Each part sums into its own buffer (no false sharing
// between clusters of different threads).
bool CentroidsInOrder(const Points& points, const std::vector<int32_t>& assignments,
                      EnginePool* pool, KernelIsa isa, CentroidScratch& scratch,
                      std::vector<size_t>& sizes, std::vector<double>& next_centers) {
  const size_t dims = points.dims;
  const size_t parts = scratch.rows.size();
  auto run_part = [&](size_t part) {
    CentroidRows& rows = scratch.rows[part];
    rows.Clear();
    SumClusterRows(points.coords.data(), points.count, dims, assignments.data(),
                   parts == 1 ? nullptr : scratch.mine[part].data(), rows.data(), sizes.size(),
                   isa);
  };
  if (pool != nullptr && parts > 1) {
    pool->Run(parts, run_part);
  } else {
    for (size_t part = 0; part < parts; ++part) run_part(part);
  }
  return CentersFromRows(scratch, dims, sizes, next_centers);
}

// The result's sse: one running sum over clusters in order, over their points in index order,
// over dimensions. The members of each cluster are listed first (a counting sort by cluster,
// `sizes` = the clusters' sizes), so the sum reads each point once instead of scanning every
// assignment k times; the next members' rows are prefetched, since a cluster's points are
// scattered and the running sum cannot start early.
double SumOfSquaredErrors(const Points& points, const std::vector<int32_t>& assignments,
                          const std::vector<double>& centers, const std::vector<size_t>& sizes) {
  constexpr size_t kPrefetchAhead = 8;
  const size_t dims = points.dims;
  const size_t k = sizes.size();
  std::vector<size_t> next(k + 1, 0);
  for (size_t c = 0; c < k; ++c) next[c + 1] = next[c] + sizes[c];
  std::vector<uint32_t> members(points.count);
  for (size_t i = 0; i < points.count; ++i) {
    members[next[static_cast<size_t>(assignments[i])]++] = static_cast<uint32_t>(i);
  }
  double sse = 0.0;
  size_t at = 0;
  for (size_t c = 0; c < k; ++c) {
    const double* center = centers.data() + c * dims;
    for (const size_t end = at + sizes[c]; at < end; ++at) {
      if (at + kPrefetchAhead < members.size()) {
        const double* ahead = points.Row(members[at + kPrefetchAhead]);
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + dims - 1);
      }
      const double* p = points.Row(members[at]);
      for (size_t j = 0; j < dims; ++j) {
        const double dp = p[j] - center[j];
        sse += dp * dp;
      }
    }
  }
  return sse;
}

Status ValidateInput(const Points& points, const ClustererOptions& options) {
  if (options.k < 1) {
    return InvalidArgumentError("k must be at least 1, got " + std::to_string(options.k));
  }
  if (points.dims == 0) return InvalidArgumentError("points need at least 1 dimension");
  if (points.coords.size() / points.dims != points.count ||
      points.coords.size() % points.dims != 0) {
    return InvalidArgumentError("points hold " + std::to_string(points.coords.size()) +
                                " coordinates, not count * dims");
  }
  if (points.count > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return InvalidArgumentError("at most 2147483647 points can be clustered");
  }
  if (points.count < static_cast<size_t>(options.k)) {
    // Commons Math: NumberIsTooSmallException(points.size(), k, false).
    return InvalidArgumentError(std::to_string(points.count) +
                                " points is smaller than k = " + std::to_string(options.k));
  }
  if (options.isa && !CpuRunsKernelIsa(*options.isa)) {
    return InvalidArgumentError("this CPU does not run the " +
                                std::string(KernelIsaName(*options.isa)) + " kernels");
  }
  return OkStatus();
}

}  // namespace

std::string_view EmptyClusterStrategyName(EmptyClusterStrategy strategy) {
  switch (strategy) {
    case EmptyClusterStrategy::kLargestVariance:
      return "LARGEST_VARIANCE";
    case EmptyClusterStrategy::kLargestPointsNumber:
      return "LARGEST_POINTS_NUMBER";
    case EmptyClusterStrategy::kFarthestPoint:
      return "FARTHEST_POINT";
    case EmptyClusterStrategy::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

std::string_view ClusteringModeName(ClusteringMode mode) {
  return mode == ClusteringMode::kFast ? "fast" : "exact";
}

std::optional<EmptyClusterStrategy> ParseEmptyClusterStrategy(std::string_view name) {
  for (const auto strategy :
       {EmptyClusterStrategy::kLargestVariance, EmptyClusterStrategy::kLargestPointsNumber,
        EmptyClusterStrategy::kFarthestPoint, EmptyClusterStrategy::kError}) {
    if (EmptyClusterStrategyName(strategy) == name) return strategy;
  }
  return std::nullopt;
}

Result<Clustering> ClusterKMeansPlusPlus(const Points& points, const ClustererOptions& options,
                                         MersenneTwister& rng) {
  ZS_RETURN_IF_ERROR(ValidateInput(points, options));
  const size_t k = static_cast<size_t>(options.k);
  const size_t dims = points.dims;
  const size_t n = points.count;
  const KernelIsa isa = options.isa.value_or(BestKernelIsa());

  // Threads: contiguous ranges of at least kMinPointsPerPart points each (fewer would cost more
  // in hand-offs than they save); the result does not depend on the count.
  constexpr size_t kMinPointsPerPart = 1024;
  const size_t parts = std::clamp<size_t>(n / kMinPointsPerPart, 1,
                                          static_cast<size_t>(std::max(options.threads, 1)));
  std::optional<EnginePool> own_pool;
  EnginePool* pool = nullptr;
  if (parts > 1) {
    if (options.pool != nullptr && options.pool->threads() >= parts) {
      pool = options.pool;
    } else {
      pool = &own_pool.emplace(parts);
    }
  }

  // Seeding; the centers are copies of the chosen data points.
  std::vector<double> centers(k * dims);
  const std::vector<size_t> seeds =
      ChooseInitialCenters(points, k, rng, {.isa = isa, .pool = pool, .parts = parts});
  for (size_t c = 0; c < seeds.size(); ++c) {
    std::copy_n(points.Row(seeds[c]), dims, centers.data() + c * dims);
  }
  // Java's assignments start at all zeros; the changes of this first pass are ignored.
  std::vector<int32_t> assignments(n, 0);
  Clustering result;
  std::optional<FastAssignmentStep> fast;
  if (options.mode == ClusteringMode::kFast) {
    fast.emplace(points, k, parts);
    if (!fast->Usable()) fast.reset();
  }
  result.mode = fast ? ClusteringMode::kFast : ClusteringMode::kExact;
  std::optional<AssignmentStep> exact;
  if (!fast) exact.emplace(points, k, options.exact_pruning, parts, isa);
  const int32_t max_passes =
      options.max_iterations < 0 ? std::numeric_limits<int32_t>::max() : options.max_iterations;
  std::vector<double> next(k * dims);
  std::vector<size_t> sizes(k, 0);
  CentroidScratch scratch(parts, k, dims);
  // With one part, the exact step sums the next pass's centroids as it assigns (from the rows
  // it has just read); otherwise the parts sum them afterwards, one chain per cluster each.
  const bool step_sums = exact && exact->SumsCentroids();
  auto assign = [&](const std::vector<double>& to, bool centroids_next) {
    if (fast) return fast->Assign(to, assignments, pool);
    double* rows = nullptr;
    if (step_sums && centroids_next) {
      scratch.rows[0].Clear();
      rows = scratch.rows[0].data();
    }
    return exact->Assign(to, assignments, pool, rows);
  };
  (void)assign(centers, max_passes > 0);

  bool converged = false;
  for (int32_t pass = 0; pass < max_passes; ++pass) {
    const bool empty_cluster =
        !(step_sums ? CentersFromRows(scratch, dims, sizes, next)
                    : CentroidsInOrder(points, assignments, pool, isa, scratch, sizes, next));
    if (empty_cluster) {
      ZS_ASSIGN_OR_RETURN(const int64_t events,
                          CentersWithEmptyClusters(points, assignments, centers, k,
                                                   options.empty_cluster_strategy, rng, next));
      result.empty_cluster_events += events;
    }
    const int64_t changes = assign(next, pass + 1 < max_passes);
    std::swap(centers, next);
    result.iterations = pass + 1;
    if (changes == 0 && !empty_cluster) {
      converged = true;
      break;
    }
  }
  // Converged: the last pass moved no point, so the sizes its centroids counted are final.
  if (!converged) {
    std::fill(sizes.begin(), sizes.end(), size_t{0});
    for (const int32_t c : assignments) ++sizes[static_cast<size_t>(c)];
  }

  result.k = k;
  result.dims = dims;
  result.sizes = sizes;
  // The assignment steps' per-point arrays are dead: freeing them first leaves room for the
  // sse's member list without raising the peak.
  fast.reset();
  exact.reset();
  result.sse = SumOfSquaredErrors(points, assignments, centers, sizes);
  result.centers = std::move(centers);
  result.assignments = std::move(assignments);
  return result;
}

}  // namespace zerostart::kmeans
