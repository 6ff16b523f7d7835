// The pruned pass's vector kernels against a plain transcription of their contracts
// (exact_bounds.h's scalar UpF / DownF / FloatPruneTest and PruneTest), bit for bit, for k on
// both sides of the vpermps limits (8 and 16) and counts that leave tails, on every ISA; and
// Claim 3's roundings against long double arithmetic: the float bounds stay on their side of
// the exact values.
#include "functions/kmeans/engine/bounds_kernel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/exact_math.h"

namespace zerostart::kmeans {
namespace {

struct Drifts {
  std::vector<float> drift, other, separation;
  FloatDrifts View() const { return {drift.data(), other.data(), separation.data(), drift.size()}; }
};

Drifts RandomDrifts(size_t k, std::mt19937_64& gen) {
  std::uniform_real_distribution<float> small(0.0f, 0.05f);
  std::uniform_real_distribution<float> apart(0.0f, 2.0f);
  Drifts d;
  for (size_t c = 0; c < k; ++c) {
    d.drift.push_back(small(gen));
    d.other.push_back(small(gen));
    d.separation.push_back(apart(gen));
  }
  return d;
}

TEST(BoundsKernelTest, UpdateBoundsMatchesTheScalarContract) {
  std::mt19937_64 gen(7);
  for (const size_t k : {1u, 3u, 8u, 9u, 16u, 17u, 32u}) {
    for (const size_t count : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 17u, 100u, 515u}) {
      const Drifts drifts = RandomDrifts(k, gen);
      std::uniform_int_distribution<int32_t> cluster(0, static_cast<int32_t>(k) - 1);
      std::uniform_real_distribution<float> bound(0.0f, 1.0f);
      std::vector<int32_t> assigned(count);
      std::vector<float> upper(count), lower(count);
      for (size_t i = 0; i < count; ++i) {
        assigned[i] = cluster(gen);
        upper[i] = i % 11 == 0 ? INFINITY : bound(gen) * 0.3f;
        lower[i] = i % 13 == 0 ? 0.0f : bound(gen);
      }
      std::vector<float> want_upper = upper, want_lower = lower;
      std::vector<uint32_t> want_failed;
      for (size_t i = 0; i < count; ++i) {
        const auto a = static_cast<size_t>(assigned[i]);
        const float u = UpF(want_upper[i] + drifts.drift[a]);
        const float l = DownF(want_lower[i] - drifts.other[a]);
        const float s = DownF(drifts.separation[a] - u);
        want_upper[i] = u;
        want_lower[i] = l;
        if (!FloatPruneTest(u, std::max(l, s))) want_failed.push_back(static_cast<uint32_t>(i));
      }
      for (const KernelIsa isa : RunnableKernelIsas()) {
        std::vector<float> got_upper = upper, got_lower = lower;
        std::vector<uint32_t> failed(count + 16);
        const size_t fails = UpdateBounds(assigned.data(), got_upper.data(), got_lower.data(),
                                          count, drifts.View(), failed.data(), isa);
        failed.resize(fails);
        SCOPED_TRACE(testing::Message() << "k=" << k << " count=" << count
                                        << " isa=" << KernelIsaName(isa));
        EXPECT_EQ(failed, want_failed);
        for (size_t i = 0; i < count; ++i) {
          EXPECT_EQ(std::bit_cast<uint32_t>(got_upper[i]), std::bit_cast<uint32_t>(want_upper[i]))
              << i;
          EXPECT_EQ(std::bit_cast<uint32_t>(got_lower[i]), std::bit_cast<uint32_t>(want_lower[i]))
              << i;
        }
        if (count >= 100) {  // the data is meant to exercise both outcomes
          EXPECT_GT(fails, 0u);
          EXPECT_LT(fails, count);
        }
      }
    }
  }
}

TEST(BoundsKernelTest, TightenBoundsMatchesTheScalarContract) {
  std::mt19937_64 gen(11);
  std::uniform_real_distribution<double> coordinate(0.0, 1.0);
  for (const size_t dims : {1u, 2u, 3u, 4u, 16u}) {
    for (const size_t k : {1u, 2u, 8u, 20u}) {
      const size_t n = 300;
      std::vector<double> coords(n * dims), centers(k * dims), separation(k);
      for (double& x : coords) x = coordinate(gen);
      for (double& x : centers) x = coordinate(gen);
      for (double& x : separation) x = coordinate(gen) * 0.8;
      std::vector<int32_t> assigned(n);
      std::vector<float> upper(n), lower(n);
      std::uniform_int_distribution<int32_t> cluster(0, static_cast<int32_t>(k) - 1);
      for (size_t i = 0; i < n; ++i) {
        assigned[i] = cluster(gen);
        lower[i] = static_cast<float>(coordinate(gen)) * static_cast<float>(dims);
      }
      std::vector<uint32_t> offsets;  // every other point, in order, and a tail of 3
      for (uint32_t i = 0; i < n; i += 2) offsets.push_back(i);
      const double eps = PruneEpsilon(dims);
      const TightenInputs in{coords.data(), dims, centers.data(), separation.data(), eps, k};
      std::vector<float> want_upper = upper;
      std::vector<uint32_t> want_scan;
      for (const uint32_t i : offsets) {
        const auto a = static_cast<size_t>(assigned[i]);
        const double u = ExactUpperFromComputed(
            Distance(coords.data() + i * dims, centers.data() + a * dims, dims), eps);
        want_upper[i] = UpperF(u);
        if (!PruneTest(u, std::max(static_cast<double>(lower[i]), separation[a] - u), eps)) {
          want_scan.push_back(i);
        }
      }
      // Every ISA, with and without k (the AVX-512 build keeps k <= 8 centers in registers),
      // over every tail length of the offsets.
      for (const KernelIsa isa : RunnableKernelIsas()) {
        for (const size_t known_k : {size_t{0}, k}) {
          for (size_t listed = offsets.size() - 9; listed <= offsets.size(); ++listed) {
            std::vector<float> got_upper = upper;
            TightenInputs with_k = in;
            with_k.k = known_k;
            std::vector<uint32_t> to_scan(listed + 8);
            const size_t scans = TightenBounds(assigned.data(), got_upper.data(), lower.data(),
                                               offsets.data(), listed, with_k, to_scan.data(),
                                               isa);
            to_scan.resize(scans);
            SCOPED_TRACE(testing::Message() << "dims=" << dims << " k=" << k << " isa="
                                            << KernelIsaName(isa) << " known_k=" << known_k
                                            << " listed=" << listed);
            std::vector<uint32_t> want_listed_scan;
            for (const uint32_t i : want_scan) {
              if (i < offsets[listed - 1] + 1) want_listed_scan.push_back(i);
            }
            EXPECT_EQ(to_scan, want_listed_scan);
            for (size_t i = 0; i < n; ++i) {
              const float want =
                  i <= offsets[listed - 1] ? want_upper[i] : upper[i];  // untouched past the list
              EXPECT_EQ(std::bit_cast<uint32_t>(got_upper[i]), std::bit_cast<uint32_t>(want))
                  << i;
            }
            EXPECT_GT(scans, 0u);
            EXPECT_LT(scans, listed);
          }
        }
      }
    }
  }
}

// Claim 3: Up(fl(U + d)) >= U + d and Down(fl(L - o)) <= max(L - o, 0) exactly (long double
// holds the float sums exactly), over magnitudes from subnormal to huge; and a passing
// FloatPruneTest implies Claim 2's double test for the largest ε it allows.
TEST(BoundsKernelTest, FloatRoundingsStayOutward) {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  std::uniform_int_distribution<int> exponent(-160, 120);
  auto random_float = [&] {
    return static_cast<float>(std::ldexp(mantissa(gen), exponent(gen)));
  };
  const double eps = 0x1.0p-22;
  for (int trial = 0; trial < 200000; ++trial) {
    const float u = random_float();
    const float d = random_float();
    const float l = random_float();
    const float o = random_float();
    const float up = UpF(u + d);
    const float down = DownF(l - o);
    ASSERT_GE(static_cast<long double>(up),
              static_cast<long double>(u) + static_cast<long double>(d));
    ASSERT_LE(static_cast<long double>(down),
              std::max(static_cast<long double>(l) - static_cast<long double>(o), 0.0L));
    if (FloatPruneTest(up, l)) {
      ASSERT_TRUE(PruneTest(static_cast<double>(up), static_cast<double>(l), eps));
    }
  }
}

}  // namespace
}  // namespace zerostart::kmeans
