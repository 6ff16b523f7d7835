#include "functions/kmeans/engine/mersenne_twister.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "functions/kmeans/engine/points.h"

namespace zerostart::kmeans {
namespace {

TEST(MersenneTwisterTest, NonNegativeSeedsMatchStdMt19937) {
  for (const int32_t seed : {0, 1, 42, 5489, 123456789, std::numeric_limits<int32_t>::max()}) {
    MersenneTwister mt(seed);
    std::mt19937 reference(static_cast<uint32_t>(seed));
    // 2000 outputs cross three regenerations of the 624-word state.
    for (int i = 0; i < 2000; ++i) {
      ASSERT_EQ(mt.NextUint32(), reference()) << "seed " << seed << " output " << i;
    }
  }
}

TEST(MersenneTwisterTest, NextShiftsTheTemperedOutput) {
  MersenneTwister a(7);
  MersenneTwister b(7);
  EXPECT_EQ(a.Next(32), static_cast<int32_t>(b.NextUint32()));
  EXPECT_EQ(a.Next(26), static_cast<int32_t>(b.NextUint32() >> 6));
  EXPECT_EQ(a.Next(1), static_cast<int32_t>(b.NextUint32() >> 31));
}

// Expected values below were printed by Commons Math 3.6.1 (tests/oracle/KMeansOracle.java);
// the oracle test compares many more against a live JVM.
TEST(MersenneTwisterTest, NextInt32MatchesJava) {
  MersenneTwister mt(42);
  for (const int32_t expected : {1608637542, -873841229, -211680420, 787846414, -1151077270}) {
    EXPECT_EQ(mt.Next(32), expected);
  }
}

TEST(MersenneTwisterTest, NegativeSeedIsSignExtendedLikeJava) {
  // Java's setSeed(int) widens the seed to a long before `x ^ (x >> 30)`, so a negative seed
  // does not give std::mt19937(uint32_t(seed))'s stream.
  MersenneTwister mt(-1);
  for (const int32_t expected : {-931718226, -1748719057, -1223252363, -668873536}) {
    EXPECT_EQ(mt.Next(32), expected);
  }
  std::mt19937 unsigned_seed(0xffffffffu);
  EXPECT_NE(static_cast<int32_t>(unsigned_seed()), -931718226);
}

TEST(MersenneTwisterTest, NextDoubleMatchesJava) {
  MersenneTwister mt(std::numeric_limits<int32_t>::min());
  for (const uint64_t bits :
       {0x3fc05eab7c8b55e8ull, 0x3fe5035fb51ccc12ull, 0x3fb617276cc5c070ull}) {
    EXPECT_EQ(std::bit_cast<uint64_t>(mt.NextDouble()), bits);
  }
}

TEST(MersenneTwisterTest, NextDoubleHas52RandomBits) {
  MersenneTwister mt(3);
  for (int i = 0; i < 10000; ++i) {
    const double x = mt.NextDouble();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    ASSERT_EQ(x * 0x1.0p52, static_cast<double>(static_cast<uint64_t>(x * 0x1.0p52)));
  }
}

TEST(MersenneTwisterTest, NextIntMatchesJavaForPowersOfTwoAndRejection) {
  struct Case {
    int32_t bound;
    std::vector<int32_t> expected;
  };
  const std::vector<Case> cases = {
      {1000, {771, 33, 438, 207, 13}},
      {16, {5, 12, 15, 2, 11, 12}},
      // 2^30 + 1 rejects about half of the draws: the stream must skip exactly as Java's.
      {1073741825, {804318771, 393923207, 335047475, 957418556, 334995689, 214694507}},
      {2147483647, {804318771, 1710563033, 2041643438, 393923207, 1571945013, 1674373667}},
  };
  for (const Case& c : cases) {
    MersenneTwister mt(42);
    for (const int32_t expected : c.expected) EXPECT_EQ(mt.NextInt(c.bound), expected) << c.bound;
  }
}

TEST(MersenneTwisterTest, NextIntOfOneIsZero) {
  MersenneTwister mt(9);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(mt.NextInt(1), 0);
}

// The scalar definition the bulk paths must reproduce: Java's nextDouble() from two 32-bit
// MT19937 outputs (std::mt19937 equals Java's stream for seeds >= 0).
double ReferenceDouble(std::mt19937& reference) {
  const uint64_t high = reference() >> 6;
  const uint64_t low = reference() >> 6;
  return static_cast<double>((high << 26) | low) * 0x1.0p-52;
}

TEST(MersenneTwisterTest, NextDoubleMatchesTheScalarDefinitionAcrossRefills) {
  // Offsets 0 and 1 put every pair inside a block, or one pair per block across its end.
  for (const int offset : {0, 1}) {
    MersenneTwister mt(42);
    std::mt19937 reference(42);
    for (int i = 0; i < offset; ++i) ASSERT_EQ(mt.NextUint32(), reference());
    for (int i = 0; i < 5000; ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(mt.NextDouble()),
                std::bit_cast<uint64_t>(ReferenceDouble(reference)))
          << "offset " << offset << " double " << i;
    }
  }
}

TEST(MersenneTwisterTest, NextDoublesEqualsNextDoubleFromEveryPositionOfABlock) {
  // Every start position in the 624-output block (even and odd: with an odd one, a pair
  // straddles each refill), and lengths around the block's 312 pairs and the SIMD width.
  for (int offset = 0; offset <= 624; ++offset) {
    for (const size_t length : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5},
                                size_t{311}, size_t{312}, size_t{313}, size_t{1500}}) {
      MersenneTwister bulk(7);
      std::mt19937 reference(7);
      for (int i = 0; i < offset; ++i) ASSERT_EQ(bulk.NextUint32(), reference());
      std::vector<double> out(length + 1, -1.0);
      bulk.NextDoubles(std::span<double>(out.data(), length));
      for (size_t i = 0; i < length; ++i) {
        ASSERT_EQ(std::bit_cast<uint64_t>(out[i]),
                  std::bit_cast<uint64_t>(ReferenceDouble(reference)))
            << "offset " << offset << " length " << length << " index " << i;
      }
      ASSERT_EQ(out[length], -1.0) << "wrote past the span";
      // The generator continues exactly where the reference is.
      ASSERT_EQ(bulk.NextUint32(), reference()) << "offset " << offset << " length " << length;
    }
  }
}

TEST(MersenneTwisterTest, BulkAndSingleDrawsMixLikeJava) {
  MersenneTwister mixed(-5);  // negative seed: Java's sign extension, unlike std::mt19937
  MersenneTwister single(-5);
  std::vector<double> out;
  for (int round = 0; round < 200; ++round) {
    const size_t length = static_cast<size_t>((round * 37) % 101);
    out.assign(length, 0.0);
    mixed.NextDoubles(out);
    for (const double x : out) {
      ASSERT_EQ(std::bit_cast<uint64_t>(x), std::bit_cast<uint64_t>(single.NextDouble()));
    }
    ASSERT_EQ(mixed.NextInt(1000 + round), single.NextInt(1000 + round));
    ASSERT_EQ(mixed.Next(round % 32 + 1), single.Next(round % 32 + 1));
  }
}

TEST(GeneratePointsTest, DrawsPointAfterPointLikeNextDouble) {
  // 70000 x 8 doubles (4.3 MiB) takes the huge-page path; 1000 x 3 does not.
  for (const auto& [count, dims] : {std::pair<size_t, size_t>{1000, 3}, {70000, 8}, {1, 1}}) {
    MersenneTwister rng(42);
    MersenneTwister reference(42);
    const Points points = GeneratePoints(count, dims, rng);
    ASSERT_EQ(points.count, count);
    ASSERT_EQ(points.dims, dims);
    ASSERT_EQ(points.coords.size(), count * dims);
    for (size_t i = 0; i < count * dims; ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(points.coords[i]),
                std::bit_cast<uint64_t>(reference.NextDouble()))
          << count << "x" << dims << " coordinate " << i;
    }
    EXPECT_EQ(rng.NextUint32(), reference.NextUint32());
  }
}

}  // namespace
}  // namespace zerostart::kmeans
