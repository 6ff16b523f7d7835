#include "src/study/plan.h"

#include <gtest/gtest.h>

namespace zerostart::study {
namespace {

PlanOptions AllPresent(bool quick) {
  PlanOptions options;
  options.quick = quick;
  // Any executable stands in for every bootstrap: the plan only checks that it exists.
  for (const std::string& name : KnownFunctions()) options.bootstrap_overrides[name] = "/bin/true";
  return options;
}

TEST(PlanTest, MemorySettingsOutsideLambdasRangeAreRefused) {
  EXPECT_TRUE(ValidateMemory(128).ok());
  EXPECT_TRUE(ValidateMemory(10240).ok());
  EXPECT_EQ(ValidateMemory(127).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMemory(10241).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemoryList("128,64").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemoryList("128,abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMemoryList("12x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseMemoryList("128,1769"), (std::vector<int>{128, 1769}));
  PlanOptions options = AllPresent(false);
  options.memory_mb = {128, 20000};
  EXPECT_EQ(BuildPlan(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(PlanTest, FunctionListIsChecked) {
  EXPECT_EQ(*ParseFunctionList("echo,sin"), (std::vector<std::string>{"echo", "sin"}));
  EXPECT_EQ(ParseFunctionList("echo,python").status().code(), StatusCode::kInvalidArgument);
}

TEST(PlanTest, FewerSamplesAtLowMemory) {
  EXPECT_DOUBLE_EQ(SlowdownAt(1769), 1);
  EXPECT_DOUBLE_EQ(SlowdownAt(3008), 1);
  EXPECT_NEAR(SlowdownAt(128), 13.82, 0.01);
  EXPECT_EQ(SamplesAt(15, 3, 1769), 15);
  EXPECT_EQ(SamplesAt(15, 3, 3008), 15);
  EXPECT_EQ(SamplesAt(15, 3, 128), 3);   // 15 * 0.072 = 1.1, floored at 3
  EXPECT_EQ(SamplesAt(15, 3, 1024), 9);  // 15 * 0.579 = 8.7
}

TEST(PlanTest, FullStudyFitsInThirtyMinutesAndQuickInFive) {
  auto full = BuildPlan(AllPresent(false));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->functions.size(), KnownFunctions().size());
  EXPECT_LT(EstimatedSeconds(*full), 30 * 60 * 0.75);  // a quarter of margin for the estimate
  auto quick = BuildPlan(AllPresent(true));
  ASSERT_TRUE(quick.ok());
  EXPECT_LT(EstimatedSeconds(*quick), 5 * 60 * 0.75);
  EXPECT_LT(TotalInvokes(*quick), TotalInvokes(*full));
}

TEST(PlanTest, ShapesAndSizing) {
  auto plan = BuildPlan(AllPresent(false));
  ASSERT_TRUE(plan.ok());
  const FunctionPlan& kmeans = plan->functions[0];
  EXPECT_EQ(kmeans.name, "kmeans");
  EXPECT_EQ(kmeans.runtime, "native");
  ASSERT_EQ(kmeans.cells.size(), 6u);
  const Cell& at128 = kmeans.cells[0];
  const Cell& at1769 = kmeans.cells[4];
  ASSERT_EQ(at128.workloads.size(), 3u);
  EXPECT_EQ(at128.workloads[0].payload, R"({"n":1000,"d":2,"k":4})");
  EXPECT_EQ(at128.workloads[1].payload, R"({"n":100000,"d":3,"k":8})");
  EXPECT_LT(at128.workloads[1].samples, at1769.workloads[1].samples);
  EXPECT_GT(at128.workloads[1].cost_ms, at1769.workloads[1].cost_ms);
  EXPECT_EQ(at128.cold_starts, 10);
  EXPECT_EQ(plan->functions[1].runtime, "jvm");
  EXPECT_EQ(plan->functions[1].workload, "kmeans");
  // --quick: no large shape, fewer cold starts, a shorter sin chain.
  auto quick = BuildPlan(AllPresent(true));
  EXPECT_EQ(quick->functions[0].cells[0].workloads.size(), 2u);
  EXPECT_EQ(quick->functions[0].cells[0].cold_starts, 2);
  EXPECT_EQ(quick->functions[2].cells[0].workloads[0].payload, R"({"iterations":1000000})");
}

TEST(PlanTest, RunsOverrideAndMissingBootstrap) {
  PlanOptions options = AllPresent(true);
  options.functions = {"echo", "sin"};
  options.memory_mb = {128, 1769};
  options.cold_starts = 2;
  options.sin_iterations = 1000;
  options.bootstrap_overrides["sin"] = "/nonexistent/sin";
  auto plan = BuildPlan(options);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->functions.size(), 2u);
  const FunctionPlan& echo = plan->functions[0];
  ASSERT_EQ(echo.cells.size(), 2u);
  EXPECT_EQ(echo.cells[0].cold_starts, 2);
  EXPECT_EQ(echo.cells[0].workloads[0].samples, 2);
  EXPECT_LE(echo.cells[0].workloads[0].warmups, 2);
  EXPECT_NE(plan->functions[1].missing_reason, "");
  EXPECT_TRUE(plan->functions[1].cells.empty());
}

}  // namespace
}  // namespace zerostart::study
