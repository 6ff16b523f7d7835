// Points: a data set for the k-means engine, stored as one contiguous row-major array
// (point i's coordinates are coords[i * dims .. i * dims + dims - 1]); no per-point allocation.
//
// Thread safety: a value type; const access is safe concurrently.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_POINTS_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_POINTS_H_

#include <cstddef>
#include <span>
#include <vector>

#include "functions/kmeans/engine/mersenne_twister.h"
#include "zerostart/status.h"

namespace zerostart::kmeans {

struct Points {
  size_t count = 0;
  size_t dims = 0;
  std::vector<double> coords;  // count * dims values, row-major

  // REQUIRES: i < count.
  const double* Row(size_t i) const { return coords.data() + i * dims; }
  std::span<const double> Point(size_t i) const { return {Row(i), dims}; }
};

// Wraps row-major `coords` as `coords.size() / dims` points.
// Errors: InvalidArgument if dims == 0 or coords.size() is not a multiple of dims.
Result<Points> MakePoints(size_t dims, std::vector<double> coords);

// Draws `count` points of `dims` coordinates in [0, 1) from `rng`, point after point
// (p[0][0..dims-1], then p[1][0..dims-1], ...), one NextDouble() per coordinate, exactly as the
// Java workload does; `rng` is left where the generation ended. Allocates count * dims doubles
// (and nothing else of that order; the array is written once, not zeroed first, and asks for
// transparent huge pages when it spans 4 MiB or more): the caller checks that against its
// memory budget first.
Points GeneratePoints(size_t count, size_t dims, MersenneTwister& rng);

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_POINTS_H_
