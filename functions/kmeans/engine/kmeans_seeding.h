// k-means++ seeding exactly as Commons Math 3.6.1's chooseInitialCenters (one candidate per
// step): the same draws from the generator, the same choices, with the distance updates
// vectorised across points (distance_kernel.h). Internal to zs_kmeans.
//
// Thread safety: a pure function; `rng` is mutated.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_SEEDING_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_SEEDING_H_

#include <cstddef>
#include <vector>

#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"

namespace zerostart::kmeans {

// The indices of the chosen points, in the order chosen (k of them while points.count >= k):
// first nextInt(n), then per further center one nextDouble() times the sum of the
// sqrt-then-squared minimum distances of the points not yet taken, scanned in index order.
// REQUIRES: 1 <= k <= points.count <= INT32_MAX, points.dims >= 1.
std::vector<size_t> ChooseInitialCenters(const Points& points, size_t k, MersenneTwister& rng);

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KMEANS_SEEDING_H_
