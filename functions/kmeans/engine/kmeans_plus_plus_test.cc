#include "functions/kmeans/engine/kmeans_plus_plus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <numeric>
#include <vector>

namespace zerostart::kmeans {
namespace {

Clustering ClusterOrDie(const Points& points, const ClustererOptions& options, int32_t seed) {
  MersenneTwister rng(seed);
  Result<Clustering> result = ClusterKMeansPlusPlus(points, options, rng);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : Clustering{};
}

Points PointsOf(size_t dims, std::vector<double> coords) {
  Result<Points> points = MakePoints(dims, std::move(coords));
  EXPECT_TRUE(points.ok()) << points.status().ToString();
  return points.ok() ? std::move(points).value() : Points{};
}

// docs/WORKLOAD.md's checked example: {"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42}.
TEST(KMeansPlusPlusTest, ReproducesTheCheckedExample) {
  MersenneTwister rng(42);
  const Points points = GeneratePoints(1000, 2, rng);
  Result<Clustering> result = ClusterKMeansPlusPlus(points, {.k = 4, .max_iterations = 100}, rng);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Clustering& c = *result;
  EXPECT_EQ(c.sizes, (std::vector<size_t>{252, 266, 228, 254}));
  EXPECT_EQ(c.sse, 41.46465311349745);
  EXPECT_EQ(c.centers,
            (std::vector<double>{0.7509584063719078, 0.2744345615683796, 0.22036060140316627,
                                 0.7436680160665908, 0.22701359357460477, 0.23024931996091927,
                                 0.7453573903796181, 0.7435688847315909}));
  EXPECT_EQ(c.iterations, 10);  // Commons Math 3.6.1 via the oracle's distance count
  EXPECT_EQ(c.empty_cluster_events, 0);
  ASSERT_EQ(c.assignments.size(), 1000u);
  for (size_t cluster = 0; cluster < 4; ++cluster) {
    EXPECT_EQ(static_cast<size_t>(std::count(c.assignments.begin(), c.assignments.end(),
                                             static_cast<int32_t>(cluster))),
              c.sizes[cluster]);
  }
}

TEST(KMeansPlusPlusTest, ZeroIterationsReturnsTheSeedsAndTheirAssignment) {
  MersenneTwister rng(5);
  const Points points = GeneratePoints(200, 3, rng);
  MersenneTwister cluster_rng = rng;
  Result<Clustering> result =
      ClusterKMeansPlusPlus(points, {.k = 5, .max_iterations = 0}, cluster_rng);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->iterations, 0);
  EXPECT_EQ(std::accumulate(result->sizes.begin(), result->sizes.end(), size_t{0}), 200u);
  // Every center is one of the data points (k-means++ picks points).
  for (size_t c = 0; c < 5; ++c) {
    bool found = false;
    for (size_t i = 0; i < points.count && !found; ++i) {
      found = std::equal(points.Row(i), points.Row(i) + 3, result->centers.data() + 3 * c);
    }
    EXPECT_TRUE(found) << "center " << c;
  }
}

TEST(KMeansPlusPlusTest, OneClusterIsTheMeanAfterOnePass) {
  const Points points = PointsOf(1, {1.0, 2.0, 6.0});
  const Clustering c = ClusterOrDie(points, {.k = 1, .max_iterations = -1}, 1);
  EXPECT_EQ(c.centers, std::vector<double>{3.0});
  EXPECT_EQ(c.sizes, std::vector<size_t>{3});
  EXPECT_EQ(c.iterations, 1);
  EXPECT_EQ(c.sse, 4.0 + 1.0 + 9.0);
}

TEST(KMeansPlusPlusTest, KEqualsNKeepsEveryPointAlone) {
  const Points points = PointsOf(2, {0.0, 0.0, 10.0, 0.0, 0.0, 10.0, 10.0, 10.0});
  const Clustering c = ClusterOrDie(points, {.k = 4, .max_iterations = 100}, 3);
  EXPECT_EQ(c.sizes, (std::vector<size_t>{1, 1, 1, 1}));
  EXPECT_EQ(c.sse, 0.0);
  EXPECT_EQ(c.iterations, 1);
}

TEST(KMeansPlusPlusTest, DuplicatesKeepAClusterEmptyUntilTheLimit) {
  // Two distinct locations, three clusters: the third seed duplicates another center, ties go
  // to the lower index, so its cluster stays empty and every pass runs the strategy.
  std::vector<double> coords;
  for (int i = 0; i < 6; ++i) coords.push_back(i < 3 ? 0.0 : 1.0);
  const Points points = PointsOf(1, coords);
  for (const auto strategy :
       {EmptyClusterStrategy::kLargestVariance, EmptyClusterStrategy::kLargestPointsNumber,
        EmptyClusterStrategy::kFarthestPoint}) {
    const Clustering c =
        ClusterOrDie(points, {.k = 3, .max_iterations = 7, .empty_cluster_strategy = strategy}, 11);
    EXPECT_EQ(c.iterations, 7) << EmptyClusterStrategyName(strategy);
    EXPECT_EQ(c.empty_cluster_events, 7) << EmptyClusterStrategyName(strategy);
  }
}

TEST(KMeansPlusPlusTest, ErrorStrategyFailsOnAnEmptyCluster) {
  const Points points = PointsOf(1, {0.0, 0.0, 0.0, 1.0});
  MersenneTwister rng(11);
  Result<Clustering> result = ClusterKMeansPlusPlus(
      points,
      {.k = 3, .max_iterations = 10, .empty_cluster_strategy = EmptyClusterStrategy::kError}, rng);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), kEmptyClusterMessage);
}

TEST(KMeansPlusPlusTest, RejectsBadInput) {
  MersenneTwister rng(1);
  const Points three = PointsOf(1, {1.0, 2.0, 3.0});
  EXPECT_EQ(ClusterKMeansPlusPlus(three, {.k = 4}, rng).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ClusterKMeansPlusPlus(three, {.k = 0}, rng).status().code(),
            StatusCode::kInvalidArgument);
  Points inconsistent = three;
  inconsistent.count = 4;
  EXPECT_EQ(ClusterKMeansPlusPlus(inconsistent, {.k = 1}, rng).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(MakePoints(0, {}).ok());
  EXPECT_FALSE(MakePoints(2, {1.0, 2.0, 3.0}).ok());
}

TEST(KMeansPlusPlusTest, StrategyNamesRoundTrip) {
  for (const auto strategy :
       {EmptyClusterStrategy::kLargestVariance, EmptyClusterStrategy::kLargestPointsNumber,
        EmptyClusterStrategy::kFarthestPoint, EmptyClusterStrategy::kError}) {
    EXPECT_EQ(ParseEmptyClusterStrategy(EmptyClusterStrategyName(strategy)), strategy);
  }
  EXPECT_EQ(ParseEmptyClusterStrategy("largest_variance"), std::nullopt);
  EXPECT_EQ(ParseEmptyClusterStrategy(""), std::nullopt);
}

TEST(KMeansPlusPlusTest, GeneratesPointAfterPoint) {
  MersenneTwister a(42);
  MersenneTwister b(42);
  const Points points = GeneratePoints(3, 2, a);
  ASSERT_EQ(points.coords.size(), 6u);
  for (const double x : points.coords)
    EXPECT_EQ(std::bit_cast<uint64_t>(x), std::bit_cast<uint64_t>(b.NextDouble()));
  EXPECT_EQ(a.NextUint32(), b.NextUint32());  // the generator continues where generation ended
}

}  // namespace
}  // namespace zerostart::kmeans
