#include "functions/kmeans/engine/exact_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace zerostart::kmeans {
namespace {

TEST(ExactMathTest, DistanceSumsSquaresInDimensionOrder) {
  const double a[] = {1.0, 2.0, 3.0};
  const double b[] = {4.0, 6.0, 3.0};
  EXPECT_EQ(SquaredDistanceSum(a, b, 3), 25.0);
  EXPECT_EQ(Distance(a, b, 3), 5.0);
  EXPECT_EQ(Distance(a, a, 3), 0.0);
}

TEST(ExactMathTest, DistanceOverflowsToInfinityLikeJava) {
  const double a[] = {1e200};
  const double b[] = {-1e200};
  EXPECT_TRUE(std::isinf(Distance(a, b, 1)));
}

// Java's getNearestCluster, written out: sqrt per center, strict `<` from Double.MAX_VALUE.
size_t JavaNearest(const double* point, const double* centers, size_t k, size_t dims) {
  double min_distance = std::numeric_limits<double>::max();
  size_t nearest = 0;
  for (size_t c = 0; c < k; ++c) {
    const double distance = Distance(point, centers + c * dims, dims);
    if (distance < min_distance) {
      min_distance = distance;
      nearest = c;
    }
  }
  return nearest;
}

TEST(ExactMathTest, NearestCenterKeepsTheLowerIndexOnASqrtTie) {
  // Sums 1 + 2^-52 and 1 differ, but both square roots round to 1.0: Java keeps center 0.
  const double point[] = {0.0, 0.0};
  const double centers[] = {1.0, 0x1.0p-26, 1.0, 0.0};
  ASSERT_LT(SquaredDistanceSum(point, centers + 2, 2), SquaredDistanceSum(point, centers, 2));
  ASSERT_EQ(Distance(point, centers, 2), Distance(point, centers + 2, 2));
  std::vector<double> scratch(2);
  EXPECT_EQ(NearestCenter(point, centers, 2, 2, scratch), 0u);
  EXPECT_EQ(JavaNearest(point, centers, 2, 2), 0u);
}

TEST(ExactMathTest, NearestCenterInfinityNaNAndTies) {
  std::vector<double> scratch(4);
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double point[] = {0.0};
  const double all_infinite[] = {inf, -inf, inf};
  EXPECT_EQ(NearestCenter(point, all_infinite, 3, 1, scratch), 0u);
  const double nan_first[] = {nan, 5.0, 3.0, 3.0};
  EXPECT_EQ(NearestCenter(point, nan_first, 4, 1, scratch), 2u);
  EXPECT_EQ(JavaNearest(point, nan_first, 4, 1), 2u);
  const double exact_tie[] = {4.0, -2.0, 2.0, 9.0};
  EXPECT_EQ(NearestCenter(point, exact_tie, 4, 1, scratch), 1u);
}

TEST(ExactMathTest, NearestCenterAgreesWithJavasLoopOnRandomNearTies) {
  std::mt19937_64 bits(5);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> scratch(6);
  for (int trial = 0; trial < 200000; ++trial) {
    // Centers on a circle-ish shell around the point, perturbed in the last bits, so that
    // sums differ but square roots often coincide.
    double point[2] = {0.0, 0.0};
    double centers[12];
    const double radius = 1.0 + unit(bits);
    for (int c = 0; c < 6; ++c) {
      const double t = unit(bits) < 0.5 ? 0.0 : std::ldexp(unit(bits), -26);
      centers[2 * c] = radius;
      centers[2 * c + 1] = t;
    }
    ASSERT_EQ(NearestCenter(point, centers, 6, 2, scratch), JavaNearest(point, centers, 6, 2))
        << trial;
  }
}

TEST(ExactMathTest, VarianceIsBiasCorrected) {
  CommonsVariance empty;
  EXPECT_TRUE(std::isnan(empty.Result()));
  CommonsVariance one;
  one.Increment(5.0);
  EXPECT_EQ(one.Result(), 0.0);
  CommonsVariance v;
  for (const double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) v.Increment(x);
  EXPECT_DOUBLE_EQ(v.Result(), 32.0 / 7.0);  // sum of squared deviations 32, n - 1 = 7
}

}  // namespace
}  // namespace zerostart::kmeans
