#include "functions/kmeans/engine/kmeans_seeding.h"

#include <cstdint>
#include <optional>

#include "functions/kmeans/engine/distance_kernel.h"

namespace zerostart::kmeans {

std::vector<size_t> ChooseInitialCenters(const Points& points, size_t k, MersenneTwister& rng) {
  const size_t n = points.count;
  std::vector<uint8_t> taken(n, 0);
  // Taken points hold 0.0 (see SeedPass).
  std::vector<double> min_dist_squared(n, 0.0);
  std::vector<double> tile(points.dims * kTileWidth);
  std::vector<size_t> chosen;
  chosen.reserve(k);

  const size_t first = static_cast<size_t>(rng.NextInt(static_cast<int32_t>(n)));
  chosen.push_back(first);
  taken[first] = 1;
  double dist_sq_sum = SeedPass(points.coords.data(), n, points.dims, points.Row(first),
                                /*first=*/true, first, min_dist_squared.data(), tile.data());

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
      dist_sq_sum = SeedPass(points.coords.data(), n, points.dims, points.Row(*next),
                             /*first=*/false, *next, min_dist_squared.data(), tile.data());
    }
  }
  return chosen;
}

}  // namespace zerostart::kmeans
