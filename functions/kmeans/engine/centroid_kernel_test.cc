// SumClusterRows against the plain chains of Commons Math's centroidOf (cluster by cluster,
// points in index order, from 0.0), bit for bit: dimension counts that use the unrolled, the
// generic and the all-scalar paths, with and without a subset of clusters, and the last rows
// whose vector loads would run past the array.
#include "functions/kmeans/engine/centroid_kernel.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

namespace zerostart::kmeans {
namespace {

TEST(CentroidKernelTest, MatchesJavasChainsBitForBit) {
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> coordinate(-1e3, 1e3);
  for (const size_t dims : {1u, 2u, 3u, 5u, 300u}) {
    for (const size_t n : {1u, 2u, 7u, 1500u}) {
      const size_t k = 6;
      std::vector<double> coords(n * dims);
      for (double& x : coords) x = coordinate(gen);
      std::vector<int32_t> assigned(n);
      std::uniform_int_distribution<int32_t> cluster(0, static_cast<int32_t>(k) - 1);
      for (int32_t& a : assigned) a = cluster(gen);
      const std::vector<uint8_t> some = {1, 0, 0, 1, 1, 0};
      for (const uint8_t* mine : {static_cast<const uint8_t*>(nullptr), some.data()}) {
        const size_t stride = CentroidRowStride(dims);
        std::vector<double> rows(k * stride, 0.0);
        SumClusterRows(coords.data(), n, dims, assigned.data(), mine, rows.data());
        SCOPED_TRACE(testing::Message() << "dims=" << dims << " n=" << n << " mine=" << !!mine);
        for (size_t c = 0; c < k; ++c) {
          std::vector<double> want(dims, 0.0);
          double count = 0.0;
          if (mine == nullptr || mine[c] != 0) {
            for (size_t i = 0; i < n; ++i) {
              if (assigned[i] != static_cast<int32_t>(c)) continue;
              for (size_t j = 0; j < dims; ++j) want[j] += coords[i * dims + j];
              count += 1.0;
            }
          }
          for (size_t j = 0; j < dims; ++j) {
            ASSERT_EQ(std::bit_cast<uint64_t>(rows[c * stride + j]),
                      std::bit_cast<uint64_t>(want[j]))
                << "c=" << c << " j=" << j;
          }
          EXPECT_EQ(rows[c * stride + dims], count) << "c=" << c;
        }
      }
    }
  }
}

}  // namespace
}  // namespace zerostart::kmeans
