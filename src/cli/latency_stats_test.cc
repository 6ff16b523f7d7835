#include "src/cli/latency_stats.h"

#include <gtest/gtest.h>

namespace zerostart::cli {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(LatencyStatsTest, PercentilesInterpolateLikeBench) {
  std::vector<nanoseconds> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(microseconds(i));
  LatencySummary summary = Summarize(samples);
  EXPECT_EQ(summary.count, 100u);
  // Type 7 on 1..100 µs: p at rank 1 + p/100 * 99.
  EXPECT_EQ(summary.p50, nanoseconds(50'500));
  EXPECT_EQ(summary.p90, nanoseconds(90'100));
  EXPECT_EQ(summary.p99, nanoseconds(99'010));
  EXPECT_EQ(summary.max, microseconds(100));
}

TEST(LatencyStatsTest, SingleSampleAndEmpty) {
  std::vector<nanoseconds> one{microseconds(7)};
  LatencySummary summary = Summarize(one);
  EXPECT_EQ(summary.p50, microseconds(7));
  EXPECT_EQ(summary.p99, microseconds(7));
  std::vector<nanoseconds> none;
  EXPECT_EQ(Summarize(none).count, 0u);
  EXPECT_EQ(Summarize(none).max, nanoseconds(0));
}

TEST(LatencyStatsTest, FormatsRateAndMicroseconds) {
  std::vector<nanoseconds> samples{microseconds(100), microseconds(200)};
  std::string text = FormatSummary(Summarize(samples), 1, std::chrono::milliseconds(1));
  EXPECT_NE(text.find("invokes: 2 (1 function errors) in 0.001 s: 2000 invokes/s"), std::string::npos) << text;
  EXPECT_NE(text.find("p50 150.0 us"), std::string::npos) << text;  // between the two
  EXPECT_NE(text.find("max 200.0 us"), std::string::npos) << text;
}

}  // namespace
}  // namespace zerostart::cli
