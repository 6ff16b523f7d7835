#include "src/kmeans/points.h"

#include <string>
#include <utility>

namespace zerostart::kmeans {

Result<Points> MakePoints(size_t dims, std::vector<double> coords) {
  if (dims == 0) return InvalidArgumentError("points need at least 1 dimension");
  if (coords.size() % dims != 0) {
    return InvalidArgumentError(std::to_string(coords.size()) +
                                " coordinates do not make whole points of " + std::to_string(dims) +
                                " dimensions");
  }
  Points points;
  points.count = coords.size() / dims;
  points.dims = dims;
  points.coords = std::move(coords);
  return points;
}

Points GeneratePoints(size_t count, size_t dims, MersenneTwister& rng) {
  Points points;
  points.count = count;
  points.dims = dims;
  points.coords.resize(count * dims);
  for (double& value : points.coords) value = rng.NextDouble();
  return points;
}

}  // namespace zerostart::kmeans
