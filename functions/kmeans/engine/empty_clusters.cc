#include "functions/kmeans/engine/empty_clusters.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "functions/kmeans/engine/exact_math.h"

namespace zerostart::kmeans {
namespace {

using PointIndex = uint32_t;  // count <= INT32_MAX is checked by ClusterKMeansPlusPlus

// The old clusters of the pass, as Java's List<CentroidCluster>: a center each, and the
// indices of its points in the order they were added (index order, until a strategy removes
// one).
struct Clusters {
  size_t dims = 0;
  const std::vector<double>* centers = nullptr;   // k * dims
  std::vector<std::vector<PointIndex>> members;  // k lists

  size_t k() const { return members.size(); }
  const double* Center(size_t c) const { return centers->data() + c * dims; }
};

// centroidOf: each coordinate summed from 0.0 in the cluster's point order, then divided by
// the count.
void CentroidOf(const Points& points, const std::vector<PointIndex>& members, double* centroid) {
  const size_t dims = points.dims;
  std::fill_n(centroid, dims, 0.0);
  for (const PointIndex index : members) {
    const double* p = points.Row(index);
    for (size_t i = 0; i < dims; ++i) centroid[i] += p[i];
  }
  const auto count = static_cast<double>(members.size());
  for (size_t i = 0; i < dims; ++i) centroid[i] /= count;
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

}  // namespace

Result<int64_t> CentersWithEmptyClusters(const Points& points,
                                         const std::vector<int32_t>& assignments,
                                         const std::vector<double>& centers, size_t k,
                                         EmptyClusterStrategy strategy, MersenneTwister& rng,
                                         std::vector<double>& next_centers) {
  const size_t dims = points.dims;
  Clusters clusters{dims, &centers, std::vector<std::vector<PointIndex>>(k)};
  for (size_t i = 0; i < points.count; ++i) {
    clusters.members[static_cast<size_t>(assignments[i])].push_back(static_cast<PointIndex>(i));
  }
  int64_t empty = 0;
  for (size_t c = 0; c < k; ++c) {
    double* next = next_centers.data() + c * dims;
    if (clusters.members[c].empty()) {
      ZS_ASSIGN_OR_RETURN(const PointIndex taken,
                          TakePointForEmptyCluster(strategy, points, clusters, rng));
      std::copy_n(points.Row(taken), dims, next);
      ++empty;
    } else {
      CentroidOf(points, clusters.members[c], next);
    }
  }
  return empty;
}

}  // namespace zerostart::kmeans
