// The rare path of a Lloyd pass: new centers when some cluster has no point, with Commons Math's
// EmptyClusterStrategy applied while walking the old clusters in order (a point taken from a
// cluster changes that cluster's later centroid, exactly as Java's shared ArrayList does).
// Internal to zs_kmeans; the fast path (no empty cluster) is in kmeans_plus_plus.cc.
//
// Thread safety: pure functions; `rng` is mutated.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EMPTY_CLUSTERS_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EMPTY_CLUSTERS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "functions/kmeans/engine/kmeans_plus_plus.h"
#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"
#include "zerostart/status.h"

namespace zerostart::kmeans {

// Computes the next pass's centers (k * dims, into `next_centers`) from the clusters that
// `assignments` describe (cluster c = the points assigned c, in index order) and their
// `centers`, as KMeansPlusPlusClusterer.cluster's loop body does: an empty cluster gets a point
// chosen by `strategy`, the others their centroid. Returns how many clusters were empty.
// Errors: FailedPrecondition (kEmptyClusterMessage) under kError, or when no cluster is left to
// take a point from.
Result<int64_t> CentersWithEmptyClusters(const Points& points,
                                         const std::vector<int32_t>& assignments,
                                         const std::vector<double>& centers, size_t k,
                                         EmptyClusterStrategy strategy, MersenneTwister& rng,
                                         std::vector<double>& next_centers);

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EMPTY_CLUSTERS_H_
