#include "src/benchmark/pricing.h"

#include <gtest/gtest.h>

#include "src/benchmark/tuning.h"

namespace zerostart::benchmark {
namespace {

TEST(PricingTest, CostOfOneInvocationByHand) {
  // To a billionth of a millionth of a dollar: the same sums, in another order.
  const Prices prices = DefaultPrices();
  // 1,024 MB for 1,000 ms on x86_64: one GB-second plus the request fee.
  EXPECT_NEAR(InvocationCost(prices, "x86_64", 1024, 1000), 0.0000166667 + 0.0000002, 1e-15);
  // 128 MB, 12.3 ms billed as 13 ms: 13 ms * 0.125 GB * $0.0000133334 on arm64, + $0.0000002.
  EXPECT_NEAR(InvocationCost(prices, "arm64", 128, 12.3), 0.013 * 0.125 * 0.0000133334 + 0.0000002, 1e-15);
  // Lambda's published price per 1 ms at 128 MB on x86_64, $0.0000000021, is 2.0833e-9 rounded.
  EXPECT_NEAR(InvocationCost(prices, "x86_64", 128, 1) - prices.per_request, 0.0000000021, 0.05e-9);
  // A whole millisecond is billed as itself; zero stays zero.
  EXPECT_NEAR(InvocationCost(prices, "x86_64", 2048, 5), 0.005 * 2 * 0.0000166667 + 0.0000002, 1e-15);
  EXPECT_NEAR(InvocationCost(prices, "x86_64", 2048, 0), 0.0000002, 1e-15);
}

TEST(PricingTest, APriceListOverridesFieldByField) {
  const Prices base = DefaultPrices();
  auto prices = ParsePrices(R"({"region":"eu-west-1","date":"2026-01-01","x86_64_per_gb_second":0.00002,)"
                            R"("per_million_requests":0.25})",
                            base);
  ASSERT_TRUE(prices.ok()) << prices.status().ToString();
  EXPECT_EQ(prices->region, "eu-west-1");
  EXPECT_DOUBLE_EQ(prices->x86_64_per_gb_second, 0.00002);
  EXPECT_DOUBLE_EQ(prices->arm64_per_gb_second, base.arm64_per_gb_second);
  EXPECT_DOUBLE_EQ(prices->per_request, 0.25e-6);
  EXPECT_EQ(ParsePrices("[1]", base).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePrices("not json", base).status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ParsePrices(R"({"x86_64_per_gb_secnd":1})", base).status().message().find("unknown field"),
            std::string::npos);
  const Status negative = ParsePrices(R"({"arm64_per_gb_second":-1})", base).status();
  EXPECT_NE(negative.message().find("arm64_per_gb_second"), std::string::npos);
  EXPECT_FALSE(ParsePrices(R"({"region":5})", base).ok());
  EXPECT_TRUE(ValidateArch("arm64").ok());
  EXPECT_EQ(ValidateArch("aarch64").code(), StatusCode::kInvalidArgument);
}

TEST(PricingTest, ChoosesAsPowerTuningDoes) {
  // A CPU-bound function: twice the memory, about half the time, until one vCPU.
  std::vector<SettingFigures> settings = {{128, 800, 0, true}, {256, 400, 0, true}, {512, 210, 0, true},
                                          {1024, 110, 0, true}, {1769, 70, 0, true}, {3008, 69, 0, true}};
  for (SettingFigures& s : settings) {
    s.cost = InvocationCost(DefaultPrices(), "x86_64", s.memory_mb, s.duration_ms);
    s.duration_cost = DurationCost(DefaultPrices(), "x86_64", s.memory_mb, s.duration_ms);
  }
  const BestSettings best = ChooseSettings(settings);
  EXPECT_EQ(best.speed, 3008);
  EXPECT_EQ(best.cost, 256);  // 400 ms * 0.25 GB = 100 GB-ms; 128 MB: 800 * 0.125 = 100 too, but slower
  // Balanced: 0.5 * cost / max cost + 0.5 * duration / max duration, per 1M invocations
  // $2.033 / $3.578 and 110 / 800 at 1024 MB: 0.3529; 1769 MB: $2.215 and 70 ms: 0.3533.
  EXPECT_EQ(best.balanced, 1024);
  EXPECT_EQ(ChooseSettings(settings, 1.0).balanced, 128);   // all cost: the first of the two cheapest
  EXPECT_EQ(ChooseSettings(settings, 0.0).balanced, 3008);  // all speed
  settings[5].usable = false;  // a timeout at 3008 MB
  EXPECT_EQ(ChooseSettings(settings).speed, 1769);
  for (SettingFigures& s : settings) s.usable = false;
  EXPECT_FALSE(ChooseSettings(settings).speed.has_value());
  EXPECT_FALSE(ChooseSettings({}).cost.has_value());
}

TEST(PricingTest, BalancedWeighsTheDurationsCostWithoutTheRequestFee) {
  // A short function: the fee is most of each invocation's cost. Power Tuning leaves it out
  // (utils.js computePrice) and picks 512 MB; with the fee in, every cost ratio is near 1 and
  // the choice would drift to 1024 MB.
  const double durations[] = {3.2, 1.6, 0.9, 0.5, 0.4, 0.4};
  const int settings[] = {128, 256, 512, 1024, 1769, 3008};
  std::vector<SettingFigures> figures;
  for (int i = 0; i < 6; ++i) {
    SettingFigures f;
    f.memory_mb = settings[i];
    f.duration_ms = durations[i];
    f.cost = InvocationCost(DefaultPrices(), "x86_64", settings[i], durations[i]);
    f.duration_cost = DurationCost(DefaultPrices(), "x86_64", settings[i], durations[i]);
    figures.push_back(f);
  }
  EXPECT_EQ(ChooseSettings(figures).balanced, 512);
  EXPECT_EQ(ChooseSettings(figures).cost, 512);  // 4 ms * 128 MB = 2 ms * 256 MB = 1 ms * 512 MB: the fastest
  EXPECT_EQ(ChooseSettings(figures).speed, 1769);
  for (SettingFigures& f : figures) f.duration_cost = f.cost;  // as if the fee counted
  EXPECT_EQ(ChooseSettings(figures).balanced, 1024);
}

TEST(PricingTest, DollarsKeepTwoSignificantDigits) {
  EXPECT_EQ(FormatDollars(0.0000021), "$0.0000021");
  EXPECT_EQ(FormatDollars(0.000123456), "$0.00012");
  EXPECT_EQ(FormatDollars(1.234), "$1.23");
  EXPECT_EQ(FormatDollars(41.5), "$41.50");
  EXPECT_EQ(FormatDollars(0), "$0");
}

}  // namespace
}  // namespace zerostart::benchmark
