#include "src/benchmark/stats.h"

#include <gtest/gtest.h>

namespace zerostart::benchmark {
namespace {

TEST(PercentileTest, InterpolatesLinearlyBetweenOrderStatistics) {
  const std::vector<double> sorted = {1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(Percentile(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 50), 3);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 100), 5);
  EXPECT_DOUBLE_EQ(Percentile(sorted, 10), 1.4);  // rank 0.4
  EXPECT_DOUBLE_EQ(Percentile(sorted, 90), 4.6);
  EXPECT_DOUBLE_EQ(Percentile({7}, 90), 7);
}

TEST(SummarizeTest, KnownSeries) {
  // numpy.percentile([...], [10,25,50,75,90]) of 1..10 = 1.9, 3.25, 5.5, 7.75, 9.1
  const Summary s = Summarize({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_EQ(s.count, 10u);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.p10, 1.9);
  EXPECT_DOUBLE_EQ(s.q1, 3.25);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.q3, 7.75);
  EXPECT_DOUBLE_EQ(s.p90, 9.1);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_EQ(s.outliers, 0u);
}

TEST(SummarizeTest, EmptyIsAllZero) {
  const Summary s = Summarize({});
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.median, 0);
}

TEST(OutlierTest, FlagsBeyondOneAndAHalfIqr) {
  // 1..8 and 100: q1 = 3, q3 = 7, IQR 4, fences -3 and 13: only 100 is out.
  const std::vector<double> samples = {5, 100, 1, 2, 3, 4, 6, 7, 8};
  const std::vector<bool> flags = OutlierFlags(samples);
  ASSERT_EQ(flags.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(flags[i], samples[i] == 100) << i;
  EXPECT_EQ(Summarize(samples).outliers, 1u);
}

TEST(OutlierTest, LowOutlierAndFenceIsInclusive) {
  // 10,10,10,10,-50: q1 = q3 = 10, IQR 0: -50 is out; values on the fence are not.
  EXPECT_EQ(OutlierFlags({10, 10, -50, 10, 10}), (std::vector<bool>{false, false, true, false, false}));
  // 0,4,8,12 and 26: q1 4, q3 12, IQR 8, upper fence 24 -> 26 out; 24 would not be.
  EXPECT_EQ(OutlierFlags({0, 4, 8, 12, 26}).back(), true);
  EXPECT_TRUE(OutlierFlags({}).empty());
}

}  // namespace
}  // namespace zerostart::benchmark
