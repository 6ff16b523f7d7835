#include "src/kmeans/kmeans_plus_plus.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "src/kmeans/exact_math.h"

namespace zerostart::kmeans {
namespace {

// Points are indexed by uint32_t: count <= INT32_MAX is checked up front (Java list sizes are
// ints), and halving the index lists' size matters at n = 10^6 and beyond.
using PointIndex = uint32_t;

// The clusters of one pass, as Java's List<CentroidCluster>: a center each, and the indices of
// its points in the order they were added (index order, until a strategy removes one).
struct Clusters {
  size_t dims = 0;
  std::vector<double> centers;                   // k * dims
  std::vector<std::vector<PointIndex>> members;  // k lists

  Clusters(size_t k, size_t d) : dims(d), centers(k * d), members(k) {}
  size_t k() const { return members.size(); }
  double* Center(size_t c) { return centers.data() + c * dims; }
  const double* Center(size_t c) const { return centers.data() + c * dims; }
};

// chooseInitialCenters: k-means++ seeding with one candidate per step. Returns the indices of
// the chosen points, in the order chosen. The squared distances are sqrt-then-squared, as Java
// computes them, and the scans run in index order over the points not yet taken.
std::vector<size_t> ChooseInitialCenters(const Points& points, size_t k, MersenneTwister& rng) {
  const size_t n = points.count;
  const size_t dims = points.dims;
  std::vector<uint8_t> taken(n, 0);
  std::vector<double> min_dist_squared(n, 0.0);
  std::vector<size_t> chosen;
  chosen.reserve(k);

  const size_t first = static_cast<size_t>(rng.NextInt(static_cast<int32_t>(n)));
  chosen.push_back(first);
  taken[first] = 1;
  for (size_t i = 0; i < n; ++i) {
    if (i == first) continue;
    const double d = Distance(points.Row(first), points.Row(i), dims);
    min_dist_squared[i] = d * d;
  }

  while (chosen.size() < k) {
    double dist_sq_sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      if (!taken[i]) dist_sq_sum += min_dist_squared[i];
    }
    const double r = rng.NextDouble() * dist_sq_sum;

    // The first point where the running sum reaches r; when rounding (or an infinite or NaN
    // sum) leaves none, Java takes the last point not yet taken.
    std::optional<size_t> next;
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      if (taken[i]) continue;
      sum += min_dist_squared[i];
      if (sum >= r) {
        next = i;
        break;
      }
    }
    for (size_t i = n; !next && i > 0; --i) {
      if (!taken[i - 1]) next = i - 1;
    }
    if (!next) break;  // unreachable while n >= k; Java stops with fewer centers then

    chosen.push_back(*next);
    taken[*next] = 1;
    if (chosen.size() < k) {
      const double* p = points.Row(*next);
      for (size_t j = 0; j < n; ++j) {
        if (taken[j]) continue;
        const double d = Distance(p, points.Row(j), dims);
        const double d2 = d * d;
        if (d2 < min_dist_squared[j]) min_dist_squared[j] = d2;
      }
    }
  }
  return chosen;
}

// assignPointsToClusters: each point, in index order, goes to its nearest center
// (getNearestCluster, see NearestCenter) and is appended to that cluster. Returns how many
// points changed cluster against `assignments`, which it updates.
int64_t AssignPoints(const Points& points, Clusters& clusters, std::vector<int32_t>& assignments) {
  for (auto& list : clusters.members) list.clear();
  std::vector<double> scratch(clusters.k());
  int64_t changes = 0;
  for (size_t i = 0; i < points.count; ++i) {
    const size_t nearest =
        NearestCenter(points.Row(i), clusters.centers.data(), clusters.k(), points.dims, scratch);
    const auto cluster = static_cast<int32_t>(nearest);
    if (cluster != assignments[i]) ++changes;
    clusters.members[nearest].push_back(static_cast<PointIndex>(i));
    assignments[i] = cluster;
  }
  return changes;
}

// Sums coordinates [first, first + W) over `members` in their order, in W independent
// register accumulators, and stores sum / count into centroid[first..].
template <size_t W>
void CentroidBlock(const Points& points, const std::vector<PointIndex>& members, size_t first,
                   double count, double* centroid) {
  double sum[W] = {};
  for (const PointIndex index : members) {
    const double* p = points.Row(index) + first;
    for (size_t i = 0; i < W; ++i) sum[i] += p[i];
  }
  for (size_t i = 0; i < W; ++i) centroid[first + i] = sum[i] / count;
}

// centroidOf: each coordinate summed from 0.0 in the cluster's point order, then divided by
// the count. The sums live in registers, a few coordinates at a time (Java's order per
// coordinate is kept; accumulating in `centroid` itself would put a store-load round trip on
// every addition's critical path).
void CentroidOf(const Points& points, const std::vector<PointIndex>& members, double* centroid) {
  const size_t dims = points.dims;
  const auto count = static_cast<double>(members.size());
  size_t first = 0;
  for (; first + 4 <= dims; first += 4) CentroidBlock<4>(points, members, first, count, centroid);
  switch (dims - first) {
    case 3:
      CentroidBlock<3>(points, members, first, count, centroid);
      break;
    case 2:
      CentroidBlock<2>(points, members, first, count, centroid);
      break;
    case 1:
      CentroidBlock<1>(points, members, first, count, centroid);
      break;
    default:
      break;
  }
}

Status EmptyClusterError() { return FailedPreconditionError(std::string(kEmptyClusterMessage)); }

// Removes the element at `position` of `list` (ArrayList.remove(int)) and returns it.
PointIndex RemoveAt(std::vector<PointIndex>& list, size_t position) {
  const PointIndex index = list[position];
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(position));
  return index;
}

// getPointFromLargestVarianceCluster: the non-empty cluster whose point-to-center distances
// (not squared) have the largest bias-corrected Variance, first one on ties; a random point of
// it (one nextInt) is removed and returned.
Result<PointIndex> TakeFromLargestVarianceCluster(const Points& points, Clusters& clusters,
                                                  MersenneTwister& rng) {
  double max_variance = -std::numeric_limits<double>::infinity();
  std::optional<size_t> selected;
  for (size_t c = 0; c < clusters.k(); ++c) {
    if (clusters.members[c].empty()) continue;
    CommonsVariance variance;
    for (const PointIndex index : clusters.members[c]) {
      variance.Increment(Distance(points.Row(index), clusters.Center(c), points.dims));
    }
    const double value = variance.Result();
    if (value > max_variance) {
      max_variance = value;
      selected = c;
    }
  }
  if (!selected) return EmptyClusterError();
  auto& list = clusters.members[*selected];
  return RemoveAt(list, static_cast<size_t>(rng.NextInt(static_cast<int32_t>(list.size()))));
}

// getPointFromLargestNumberCluster: the largest cluster (strict `>`, so the first on ties);
// a random point of it (one nextInt) is removed and returned.
Result<PointIndex> TakeFromLargestCluster(Clusters& clusters, MersenneTwister& rng) {
  size_t max_number = 0;
  std::optional<size_t> selected;
  for (size_t c = 0; c < clusters.k(); ++c) {
    if (clusters.members[c].size() > max_number) {
      max_number = clusters.members[c].size();
      selected = c;
    }
  }
  if (!selected) return EmptyClusterError();
  auto& list = clusters.members[*selected];
  return RemoveAt(list, static_cast<size_t>(rng.NextInt(static_cast<int32_t>(list.size()))));
}

// getFarthestPoint: over all clusters and their points in order, the point with the largest
// distance to its center (strict `>`, so the first on ties) is removed and returned.
Result<PointIndex> TakeFarthestPoint(const Points& points, Clusters& clusters) {
  double max_distance = -std::numeric_limits<double>::infinity();
  std::optional<std::pair<size_t, size_t>> selected;  // (cluster, position in its list)
  for (size_t c = 0; c < clusters.k(); ++c) {
    const auto& list = clusters.members[c];
    for (size_t position = 0; position < list.size(); ++position) {
      const double distance = Distance(points.Row(list[position]), clusters.Center(c), points.dims);
      if (distance > max_distance) {
        max_distance = distance;
        selected = {c, position};
      }
    }
  }
  if (!selected) return EmptyClusterError();
  return RemoveAt(clusters.members[selected->first], selected->second);
}

// The point that becomes the new center of an empty cluster. Strategies take it out of an old
// cluster (`clusters`): old clusters later in the same pass then compute their centroid
// without it, exactly as Java's shared ArrayList does.
Result<PointIndex> TakePointForEmptyCluster(EmptyClusterStrategy strategy, const Points& points,
                                            Clusters& clusters, MersenneTwister& rng) {
  switch (strategy) {
    case EmptyClusterStrategy::kLargestVariance:
      return TakeFromLargestVarianceCluster(points, clusters, rng);
    case EmptyClusterStrategy::kLargestPointsNumber:
      return TakeFromLargestCluster(clusters, rng);
    case EmptyClusterStrategy::kFarthestPoint:
      return TakeFarthestPoint(points, clusters);
    case EmptyClusterStrategy::kError:
      break;
  }
  return EmptyClusterError();
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

  // Seeding; the centers are copies of the chosen data points.
  Clusters clusters(k, dims);
  const std::vector<size_t> seeds = ChooseInitialCenters(points, k, rng);
  for (size_t c = 0; c < seeds.size(); ++c) {
    std::copy_n(points.Row(seeds[c]), dims, clusters.Center(c));
  }
  // Java's assignments start at all zeros; the changes of this first pass are ignored.
  std::vector<int32_t> assignments(points.count, 0);
  (void)AssignPoints(points, clusters, assignments);

  Clustering result;
  const int32_t max_passes =
      options.max_iterations < 0 ? std::numeric_limits<int32_t>::max() : options.max_iterations;
  Clusters next(k, dims);
  for (int32_t pass = 0; pass < max_passes; ++pass) {
    bool empty_cluster = false;
    for (size_t c = 0; c < k; ++c) {
      if (clusters.members[c].empty()) {
        ZS_ASSIGN_OR_RETURN(
            const PointIndex taken,
            TakePointForEmptyCluster(options.empty_cluster_strategy, points, clusters, rng));
        std::copy_n(points.Row(taken), dims, next.Center(c));
        empty_cluster = true;
        ++result.empty_cluster_events;
      } else {
        CentroidOf(points, clusters.members[c], next.Center(c));
      }
    }
    const int64_t changes = AssignPoints(points, next, assignments);
    std::swap(clusters, next);
    result.iterations = pass + 1;
    if (changes == 0 && !empty_cluster) break;
  }

  result.k = k;
  result.dims = dims;
  result.sizes.resize(k);
  for (size_t c = 0; c < k; ++c) {
    result.sizes[c] = clusters.members[c].size();
    const double* center = clusters.Center(c);
    for (const PointIndex index : clusters.members[c]) {
      const double* p = points.Row(index);
      for (size_t i = 0; i < dims; ++i) {
        const double dp = p[i] - center[i];
        result.sse += dp * dp;
      }
    }
  }
  result.centers = std::move(clusters.centers);
  result.assignments = std::move(assignments);
  return result;
}

}  // namespace zerostart::kmeans
