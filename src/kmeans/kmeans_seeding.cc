#include "src/kmeans/kmeans_seeding.h"

#include <cstdint>
#include <optional>

#include "src/kmeans/distance_kernel.h"

namespace zerostart::kmeans {
namespace {

// min_dist_squared[j] = d2 (first center) or min(old, d2) by Java's `d2 < old` (later ones)
// for every point j not taken, where d2 = sqrt(sum)^2 to `center`, 8 points per kernel call.
// Returns Java's distSqSum for the next draw: the sum of the updated values over the points not
// taken, in index order (taken points hold 0.0, and s + 0.0 == s for every s the sum can hold:
// it starts at +0.0 and adds nonnegative or NaN values). The sum is one dependent chain of
// additions, as in Java; the distance work hides under its latency.
double UpdateMinDistances(const Points& points, const double* center,
                        const std::vector<uint8_t>& taken, bool first,
                        std::vector<double>& min_dist_squared, std::vector<double>& tile) {
  const size_t n = points.count;
  const size_t dims = points.dims;
  double d2[kTileWidth];
  double sum = 0.0;
  for (size_t base = 0; base < n; base += kTileWidth) {
    const size_t lanes = n - base < kTileWidth ? n - base : kTileWidth;
    for (size_t l = 0; l < kTileWidth; ++l) {
      const double* row = points.Row(base + (l < lanes ? l : 0));
      for (size_t j = 0; j < dims; ++j) tile[j * kTileWidth + l] = row[j];
    }
    SeedDistancesInTile(tile.data(), dims, center, d2);
    // Selects, not branches: whether a new center is nearer is a coin toss for many points in
    // the early steps, and a mispredicted branch per point cost more than the distances.
    for (size_t l = 0; l < lanes; ++l) {
      const size_t i = base + l;
      const double old = min_dist_squared[i];
      const bool nearer = first || d2[l] < old;
      min_dist_squared[i] = taken[i] == 0 && nearer ? d2[l] : old;
    }
    for (size_t l = 0; l < lanes; ++l) sum += min_dist_squared[base + l];
  }
  return sum;
}

}  // namespace

std::vector<size_t> ChooseInitialCenters(const Points& points, size_t k, MersenneTwister& rng) {
  const size_t n = points.count;
  std::vector<uint8_t> taken(n, 0);
  // Taken points hold 0.0 (see UpdateMinDistances).
  std::vector<double> min_dist_squared(n, 0.0);
  std::vector<double> tile(points.dims * kTileWidth);
  std::vector<size_t> chosen;
  chosen.reserve(k);

  const size_t first = static_cast<size_t>(rng.NextInt(static_cast<int32_t>(n)));
  chosen.push_back(first);
  taken[first] = 1;
  double dist_sq_sum = UpdateMinDistances(points, points.Row(first), taken, /*first=*/true,
                                          min_dist_squared, tile);

  while (chosen.size() < k) {
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
    min_dist_squared[*next] = 0.0;
    if (chosen.size() < k) {
      dist_sq_sum = UpdateMinDistances(points, points.Row(*next), taken, /*first=*/false,
                                       min_dist_squared, tile);
    }
  }
  return chosen;
}

}  // namespace zerostart::kmeans
