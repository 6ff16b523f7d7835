#include "src/kmeans/mersenne_twister.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

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

}  // namespace
}  // namespace zerostart::kmeans
