// The fast (float32, FMA) assignment step: every point goes to a center whose exact distance is
// within float32 rounding of the nearest one; the result does not depend on the thread count;
// data too spread for float32 is refused (Usable) and ClusterKMeansPlusPlus falls back to the
// exact step; on well-separated clusters the fast result equals Commons Math's.
#include "functions/kmeans/engine/fast_assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "functions/kmeans/engine/engine_pool.h"
#include "functions/kmeans/engine/kmeans_plus_plus.h"

namespace zerostart::kmeans {
namespace {

Points RandomPoints(size_t n, size_t dims, double scale, double offset, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  std::vector<double> coords(n * dims);
  for (double& x : coords) x = offset + u(gen);
  return MakePoints(dims, std::move(coords)).value();
}

double Distance2(const double* a, const double* b, size_t dims) {
  double sum = 0.0;
  for (size_t d = 0; d < dims; ++d) sum += (a[d] - b[d]) * (a[d] - b[d]);
  return sum;
}

// For every shape (dims 1..17 around the 4-center and 16-point blocks, k not a multiple of 4,
// n not a multiple of 16) and data far from the origin: the chosen center is within a relative
// 1e-4 of the nearest (float32 has 24 bits; the shift by the centers' mean keeps it relative to
// the spread, not to the offset).
TEST(FastAssignmentTest, ChoosesANearestCenterUpToFloatRounding) {
  for (const size_t dims : {1u, 2u, 3u, 5u, 16u, 17u}) {
    for (const size_t k : {1u, 3u, 4u, 9u, 32u}) {
      for (const double offset : {0.0, 1e6}) {
        const Points points = RandomPoints(1000 + dims, dims, 1.0, offset, dims * 100 + k);
        std::vector<double> centers(points.coords.begin(),
                                    points.coords.begin() + static_cast<long>(k * dims));
        FastAssignmentStep step(points, k, 1);
        ASSERT_TRUE(step.Usable());
        std::vector<int32_t> assignments(points.count, -1);
        const int64_t changes = step.Assign(centers, assignments, nullptr);
        EXPECT_EQ(changes, static_cast<int64_t>(points.count));
        for (size_t i = 0; i < points.count; ++i) {
          double best = std::numeric_limits<double>::infinity();
          for (size_t c = 0; c < k; ++c) {
            best = std::min(best, Distance2(points.Row(i), &centers[c * dims], dims));
          }
          ASSERT_GE(assignments[i], 0);
          ASSERT_LT(assignments[i], static_cast<int32_t>(k));
          const double chosen =
              Distance2(points.Row(i), &centers[static_cast<size_t>(assignments[i]) * dims], dims);
          ASSERT_LE(chosen, best + 1e-4 * (1.0 + best))
              << "dims " << dims << " k " << k << " offset " << offset << " point " << i;
        }
        EXPECT_EQ(step.Assign(centers, assignments, nullptr), 0);  // nothing moves twice
      }
    }
  }
}

TEST(FastAssignmentTest, ThreadCountsGiveIdenticalResults) {
  MersenneTwister gen(7);
  const Points points = GeneratePoints(20000, 5, gen);
  EnginePool pool(3);
  ClustererOptions options{.k = 12, .max_iterations = 20, .mode = ClusteringMode::kFast};
  MersenneTwister rng(3);
  const Clustering want = ClusterKMeansPlusPlus(points, options, rng).value();
  EXPECT_EQ(want.mode, ClusteringMode::kFast);
  for (const int threads : {2, 3, 8}) {
    options.threads = threads;
    options.pool = threads == 3 ? &pool : nullptr;
    MersenneTwister again(3);
    const Clustering got = ClusterKMeansPlusPlus(points, options, again).value();
    EXPECT_EQ(got.assignments, want.assignments) << threads;
    EXPECT_EQ(got.iterations, want.iterations) << threads;
    EXPECT_EQ(std::bit_cast<uint64_t>(got.sse), std::bit_cast<uint64_t>(want.sse)) << threads;
  }
}

TEST(FastAssignmentTest, WellSeparatedClustersGiveTheExactResult) {
  // Four tight blobs far apart: no point is near a tie, so fast and exact agree bit for bit
  // (centroids and sse are computed exactly in both modes).
  std::mt19937_64 gen(11);
  std::normal_distribution<double> noise(0.0, 0.01);
  std::vector<double> coords;
  for (int i = 0; i < 4000; ++i) {
    coords.push_back((i % 4) * 10.0 + noise(gen));
    coords.push_back((i % 2) * 7.0 + noise(gen));
  }
  const Points points = MakePoints(2, std::move(coords)).value();
  MersenneTwister exact_rng(42);
  MersenneTwister fast_rng(42);
  const Clustering exact = ClusterKMeansPlusPlus(points, {.k = 4, .max_iterations = 100}, exact_rng).value();
  const Clustering fast =
      ClusterKMeansPlusPlus(points, {.k = 4, .max_iterations = 100, .mode = ClusteringMode::kFast}, fast_rng)
          .value();
  EXPECT_EQ(exact.mode, ClusteringMode::kExact);
  EXPECT_EQ(fast.mode, ClusteringMode::kFast);
  EXPECT_EQ(fast.assignments, exact.assignments);
  EXPECT_EQ(fast.sizes, exact.sizes);
  EXPECT_EQ(std::bit_cast<uint64_t>(fast.sse), std::bit_cast<uint64_t>(exact.sse));
  EXPECT_EQ(fast_rng.NextUint32(), exact_rng.NextUint32());
}

TEST(FastAssignmentTest, DataTooSpreadForFloat32FallsBackToExact) {
  const Points spread = RandomPoints(500, 2, 1e20, 0.0, 5);
  EXPECT_FALSE(FastAssignmentStep(spread, 3, 1).Usable());
  MersenneTwister fast_rng(1);
  MersenneTwister exact_rng(1);
  const Clustering fast =
      ClusterKMeansPlusPlus(spread, {.k = 3, .max_iterations = 10, .mode = ClusteringMode::kFast}, fast_rng)
          .value();
  const Clustering exact = ClusterKMeansPlusPlus(spread, {.k = 3, .max_iterations = 10}, exact_rng).value();
  EXPECT_EQ(fast.mode, ClusteringMode::kExact);
  EXPECT_EQ(fast.assignments, exact.assignments);
  EXPECT_EQ(std::bit_cast<uint64_t>(fast.sse), std::bit_cast<uint64_t>(exact.sse));
}

}  // namespace
}  // namespace zerostart::kmeans
