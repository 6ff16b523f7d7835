// The dot-product filter against Java's scan (exact_math.h NearestCenter): on every lane it does
// not flag, the same center, an upper bound on that center's sum of squares and a lower bound
// on every other center's; exact ties and sums too close to separate are flagged. Runs where
// the CPU has AVX-512 (the only ISA the filter serves).
#include "functions/kmeans/engine/dot_filter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/kernel_isa.h"

namespace zerostart::kmeans {
namespace {

// The exact squared distance, closely enough: long double sums (64-bit significands on x86-64)
// err far less than the filter's margin.
long double ExactSquaredDistance(const double* a, const double* b, size_t dims) {
  long double sum = 0.0L;
  for (size_t j = 0; j < dims; ++j) {
    const long double dp = static_cast<long double>(a[j]) - static_cast<long double>(b[j]);
    sum += dp * dp;
  }
  return sum;
}

// Runs the filter on the 8 points of `points` (rows of dims) against `centers` (k rows) and
// checks every lane: the index against NearestCenter, the two sums against exact distances.
// Returns how many lanes were flagged.
int CheckTile(const std::vector<double>& points, const std::vector<double>& centers, size_t dims,
              size_t k) {
  DotCenters dot;
  BuildDotCenters(centers.data(), k, dims, dot);
  const double* rows[kTileWidth];
  for (size_t l = 0; l < kTileWidth; ++l) rows[l] = points.data() + l * dims;
  std::vector<double> scratch(dims * kTileWidth);
  TileNearest out;
  NearestByDot(rows, dot, scratch.data(), out);
  std::vector<double> sums(k);
  int flagged = 0;
  for (size_t l = 0; l < kTileWidth; ++l) {
    SCOPED_TRACE("lane " + std::to_string(l));
    if ((out.needs_exact_mask >> l) & 1u) {
      ++flagged;
      continue;
    }
    const size_t want = NearestCenter(rows[l], centers.data(), k, dims, sums);
    EXPECT_EQ(static_cast<size_t>(out.nearest[l]), want);
    EXPECT_GE(static_cast<long double>(out.nearest_sum[l]),
              ExactSquaredDistance(rows[l], centers.data() + want * dims, dims));
    for (size_t c = 0; c < k; ++c) {
      if (c == want) continue;
      EXPECT_LE(static_cast<long double>(out.second_sum[l]),
                ExactSquaredDistance(rows[l], centers.data() + c * dims, dims))
          << "center " << c;
    }
    EXPECT_GE(out.second_sum[l], 0.0);
  }
  return flagged;
}

TEST(DotFilterTest, AgreesWithJavasScanOnRandomTiles) {
  if (!CpuRunsKernelIsa(KernelIsa::kAvx512)) GTEST_SKIP() << "no AVX-512 here";
  std::mt19937_64 gen(7);
  int lanes = 0;
  int flagged = 0;
  for (const size_t dims : {1u, 3u, 4u, 8u, 9u, 16u, 17u}) {
    for (const size_t k : {1u, 5u, 8u, 9u, 32u, 37u}) {
      for (const double offset : {0.0, 1e6, -3e12}) {
        for (const double scale : {1.0, 1e-3, 1e40}) {
          SCOPED_TRACE("d " + std::to_string(dims) + " k " + std::to_string(k) + " offset " +
                       std::to_string(offset) + " scale " + std::to_string(scale));
          std::uniform_real_distribution<double> u(offset, offset + scale);
          std::vector<double> points(kTileWidth * dims);
          std::vector<double> centers(k * dims);
          for (double& x : points) x = u(gen);
          for (double& x : centers) x = u(gen);
          flagged += CheckTile(points, centers, dims, k);
          lanes += static_cast<int>(kTileWidth);
        }
      }
    }
  }
  // Flags are for near ties: rare on random data, except where the offset swamps the spread
  // (1e6 + [0, 1e-3): the coordinates keep 10 significant bits).
  EXPECT_LT(flagged, lanes / 4);
}

// One center far away (k-means++ seeding picks outliers) must not blur the others: each
// center's bound has its own error term, and the reference point is the centers' median.
TEST(DotFilterTest, AFarCenterDoesNotFlagTheRest) {
  if (!CpuRunsKernelIsa(KernelIsa::kAvx512)) GTEST_SKIP() << "no AVX-512 here";
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const size_t dims = 8;
  const size_t k = 16;
  int flagged = 0;
  for (const double far : {1e6, 1e8, 1e50}) {
    for (int tile = 0; tile < 50; ++tile) {
      std::vector<double> points(kTileWidth * dims);
      std::vector<double> centers(k * dims);
      for (double& x : points) x = u(gen);
      for (double& x : centers) x = u(gen);
      for (size_t j = 0; j < dims; ++j) centers[5 * dims + j] = far;
      flagged += CheckTile(points, centers, dims, k);
    }
  }
  EXPECT_LT(flagged, 3 * 50 * static_cast<int>(kTileWidth) / 20);  // under 5 % of the lanes
}

TEST(DotFilterTest, FlagsTiesAndSumsTooCloseToSeparate) {
  if (!CpuRunsKernelIsa(KernelIsa::kAvx512)) GTEST_SKIP() << "no AVX-512 here";
  const size_t dims = 4;
  std::vector<double> points(kTileWidth * dims, 0.0);  // 8 points at the origin
  // Two centers at the same distance: Java keeps the first, the filter cannot tell.
  EXPECT_EQ(CheckTile(points, {1, 0, 0, 0, 0, 0, -1, 0}, dims, 2), 8);
  // 1 and 1 + 2^-52 apart in their sums: within the bound, flagged.
  EXPECT_EQ(CheckTile(points, {1, 0x1.0p-26, 0, 0, 1, 0, 0, 0}, dims, 2), 8);
  // Clearly apart: nothing flagged; one center: nothing to compare, second bound +inf.
  EXPECT_EQ(CheckTile(points, {1, 0, 0, 0, 2, 0, 0, 0}, dims, 2), 0);
  EXPECT_EQ(CheckTile(points, {1, 2, 3, 4}, dims, 1), 0);
  // Subnormal squares: the absolute term of the bound swamps them, so every lane is flagged.
  EXPECT_EQ(CheckTile(points, {1e-170, 0, 0, 0, 3e-170, 0, 0, 0}, dims, 2), 8);
}

}  // namespace
}  // namespace zerostart::kmeans
