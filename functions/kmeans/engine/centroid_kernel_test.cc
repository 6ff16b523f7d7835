// SumClusterRows against the plain chains of Commons Math's centroidOf (cluster by cluster,
// points in index order, from 0.0), bit for bit: dimension counts that use the unrolled, the
// generic and the all-scalar paths, with and without a subset of clusters, and the last rows
// whose vector loads would run past the array; on every ISA, with k known (the per-cluster
// lists of k <= 4 on avx512, over more than one chunk) and not.
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
    for (const size_t n : {1u, 2u, 7u, 17u, 1500u, 5000u}) {
     for (const size_t k : {1u, 2u, 3u, 4u, 6u}) {
      if (dims == 300 && n == 5000) continue;  // large enough at 1500
      std::vector<double> coords(n * dims);
      for (double& x : coords) x = coordinate(gen);
      std::vector<int32_t> assigned(n);
      std::uniform_int_distribution<int32_t> cluster(0, static_cast<int32_t>(k) - 1);
      for (int32_t& a : assigned) a = cluster(gen);
      const std::vector<uint8_t> some = {1, 0, 0, 1, 1, 0};
      for (const uint8_t* mine : {static_cast<const uint8_t*>(nullptr), some.data()}) {
       // Every ISA, with k known (the lists path for k <= 4, dims <= 3 on avx512) and not.
       for (const KernelIsa isa : RunnableKernelIsas()) {
        for (const size_t known_k : {size_t{0}, k}) {
        const size_t stride = CentroidRowStride(dims);
        std::vector<double> rows(k * stride, 0.0);
        SumClusterRows(coords.data(), n, dims, assigned.data(), mine, rows.data(), known_k, isa);
        SCOPED_TRACE(testing::Message() << "dims=" << dims << " n=" << n << " k=" << k
                                        << " mine=" << !!mine << " isa=" << KernelIsaName(isa)
                                        << " known_k=" << known_k);
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
    }
  }
}

}  // namespace
}  // namespace zerostart::kmeans
