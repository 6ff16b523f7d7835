#include "src/benchmark/plan.h"

#include <gtest/gtest.h>

#include <map>

#include "src/benchmark/config.h"

namespace zerostart::benchmark {
namespace {

// Files for payloads and configs, by name; anything else is NotFound.
std::function<Result<std::string>(const std::string&)> Files(std::map<std::string, std::string> files) {
  return [files](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return NotFoundError("No such file or directory");
    return it->second;
  };
}

PlanOptions OneFunction() {
  PlanOptions options;
  FunctionSpec kmeans;
  kmeans.name = "kmeans";
  kmeans.bootstrap = "/bin/true";
  options.functions.push_back(kmeans);
  return options;
}

PayloadSpec Payload(std::string label, std::string payload, int warm = 0, int min_warm = 0) {
  PayloadSpec spec;
  spec.label = std::move(label);
  spec.payload = std::move(payload);
  spec.warm = warm;
  spec.min_warm = min_warm;
  return spec;
}

TEST(PlanTest, DefaultsAreSixSettingsTenColdTwentyWarm) {
  auto plan = BuildPlan(OneFunction());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->memory_mb, (std::vector<int>{128, 256, 512, 1024, 1769, 3008}));
  ASSERT_EQ(plan->functions.size(), 1u);
  ASSERT_EQ(plan->functions[0].cells.size(), 6u);
  const Cell& cell = plan->functions[0].cells[0];
  EXPECT_EQ(cell.cold_starts, 10);
  EXPECT_EQ(cell.cold_payload, "{}");
  ASSERT_EQ(cell.workloads.size(), 1u);
  EXPECT_EQ(cell.workloads[0].samples, 20);
  EXPECT_EQ(cell.workloads[0].warmups, 2);
  EXPECT_EQ(cell.workloads[0].label, "{}");
  // 6 settings * (10 cold + 1 spawn + 2 warm-ups + 20 samples).
  EXPECT_EQ(TotalInvokes(*plan), 6 * 33);
}

TEST(PlanTest, QuickAndExplicitCounts) {
  PlanOptions options = OneFunction();
  options.quick = true;
  auto quick = BuildPlan(options);
  ASSERT_TRUE(quick.ok());
  EXPECT_EQ(quick->functions[0].cells[0].cold_starts, 3);
  EXPECT_EQ(quick->functions[0].cells[0].workloads[0].samples, 5);
  EXPECT_EQ(quick->functions[0].cells[0].workloads[0].warmups, 1);
  options.quick = false;
  options.counts = {0, 7, 0};
  auto explicit_counts = BuildPlan(options);
  ASSERT_TRUE(explicit_counts.ok());
  EXPECT_EQ(explicit_counts->functions[0].cells[0].cold_starts, 0);
  EXPECT_EQ(explicit_counts->functions[0].cells[0].workloads[0].samples, 7);
  EXPECT_EQ(explicit_counts->functions[0].cells[0].workloads[0].warmups, 0);
}

TEST(PlanTest, APayloadCanScaleItsSamplesWithTheCpuShare) {
  PlanOptions options = OneFunction();
  options.memory_mb = {128, 1769};
  options.payloads = {Payload("big", R"({"n":100000})", 30, 3)};
  auto plan = BuildPlan(options);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->functions[0].cells[0].workloads[0].samples, 3);   // 30 * 128 / 1769 = 2.2 -> the floor
  EXPECT_EQ(plan->functions[0].cells[1].workloads[0].samples, 30);
  EXPECT_EQ(plan->functions[0].cells[0].workloads[0].label, "big");
}

TEST(PlanTest, CountsComeFromTheCommandLineThenThePayloadThenTheConfig) {
  PlanOptions options = OneFunction();
  options.memory_mb = {1769};
  options.config_counts = {10, 20, 2};
  options.payloads = {Payload("own", R"({"a":1})", 40), Payload("plain", R"({"b":1})")};
  auto plan = BuildPlan(options);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->functions[0].cells[0].cold_starts, 10);
  EXPECT_EQ(plan->functions[0].cells[0].workloads[0].samples, 40);  // the payload's own
  EXPECT_EQ(plan->functions[0].cells[0].workloads[1].samples, 20);  // the config's
  // --quick scales what the command line did not give: a quarter, at least 2, at most as given.
  options.quick = true;
  options.payloads.push_back(Payload("one", R"({"c":1})", 1));
  auto quick = BuildPlan(options);
  ASSERT_TRUE(quick.ok());
  EXPECT_EQ(quick->functions[0].cells[0].cold_starts, 3);
  EXPECT_EQ(quick->functions[0].cells[0].workloads[0].samples, 10);
  EXPECT_EQ(quick->functions[0].cells[0].workloads[1].samples, 5);
  EXPECT_EQ(quick->functions[0].cells[0].workloads[2].samples, 1);
  EXPECT_EQ(quick->functions[0].cells[0].workloads[0].warmups, 1);
  // The command line wins over all of them, --quick or not.
  options.counts = {4, 3, 0};
  auto given = BuildPlan(options);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->functions[0].cells[0].cold_starts, 4);
  EXPECT_EQ(given->functions[0].cells[0].workloads[0].samples, 3);
  EXPECT_EQ(given->functions[0].cells[0].workloads[0].warmups, 0);
}

TEST(PlanTest, TwoPayloadsOfOneLabelAreRefused) {
  PlanOptions options = OneFunction();
  options.payloads = {Payload("ev.json", R"({"a":1})"), Payload("ev.json", R"({"a":2})")};
  EXPECT_NE(BuildPlan(options).status().message().find("two payloads of kmeans are labelled 'ev.json'"),
            std::string::npos);
  const std::string prefix(50, 'x');
  options.payloads = {Payload("", "[\"" + prefix + "1\"]"), Payload("", "[\"" + prefix + "2\"]")};
  EXPECT_FALSE(BuildPlan(options).ok());  // the same 40-character label
}

TEST(PlanTest, BadPlansAreRefusedWithAReason) {
  PlanOptions none;
  EXPECT_NE(BuildPlan(none).status().message().find("no function"), std::string::npos);
  PlanOptions twice = OneFunction();
  twice.functions.push_back(twice.functions[0]);
  EXPECT_NE(BuildPlan(twice).status().message().find("NAME=PATH"), std::string::npos);
  PlanOptions bad_memory = OneFunction();
  bad_memory.memory_mb = {64};
  EXPECT_EQ(BuildPlan(bad_memory).status().code(), StatusCode::kInvalidArgument);
  PlanOptions bad_payload = OneFunction();
  bad_payload.payloads = {Payload("", "{not json")};
  EXPECT_NE(BuildPlan(bad_payload).status().message().find("not JSON"), std::string::npos);
  PlanOptions bad_timeout = OneFunction();
  bad_timeout.timeout_seconds = 0;
  EXPECT_FALSE(BuildPlan(bad_timeout).ok());
}

TEST(PlanTest, MemoryListsAreCheckedWhole) {
  EXPECT_EQ(ParseMemoryList("128,1769").value(), (std::vector<int>{128, 1769}));
  EXPECT_NE(ParseMemoryList("128,abc").status().message().find("'abc' is not a number"), std::string::npos);
  EXPECT_NE(ParseMemoryList("12x").status().message().find("not a number"), std::string::npos);
  EXPECT_NE(ParseMemoryList("127").status().message().find("outside Lambda's range 128-10240"), std::string::npos);
  EXPECT_FALSE(ParseMemoryList("10241").ok());
  EXPECT_NE(ParseMemoryList("256,256").status().message().find("twice"), std::string::npos);
  EXPECT_FALSE(ParseMemoryList("").ok());
}

TEST(PlanTest, PayloadArgumentsAreJsonOrAFile) {
  auto files = Files({{"events/big.json", R"({"n": 5})"}, {"bad.json", "nope"}});
  auto inline_json = ParsePayloadArgument(R"({"n":1000,"d":2,"k":4})", files);
  ASSERT_TRUE(inline_json.ok());
  EXPECT_EQ(inline_json->payload, R"({"n":1000,"d":2,"k":4})");
  auto from_file = ParsePayloadArgument("@events/big.json", files);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->label, "big.json");
  EXPECT_EQ(from_file->payload, R"({"n": 5})");
  const Status missing = ParsePayloadArgument("@nothing.json", files).status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("payload file nothing.json"), std::string::npos);
  EXPECT_NE(ParsePayloadArgument("@bad.json", files).status().message().find("not JSON"), std::string::npos);
  EXPECT_FALSE(ParsePayloadArgument("@", files).ok());
  EXPECT_FALSE(ParsePayloadArgument("{", files).ok());
  EXPECT_EQ(PayloadLabel(R"({ "a" : 1 })"), R"({"a":1})");
  EXPECT_EQ(PayloadLabel("[\"" + std::string(60, 'a') + "\"]").size(), 39u + 3u);  // "…" is 3 bytes
}

TEST(ConfigTest, FunctionsWithTheirOwnPayloads) {
  auto config = ParseConfig(R"({
      "memory": [128, 1769], "cold": 2, "timeout": 30, "arch": "arm64",
      "payloads": [{"payload": {"hello": "world"}}],
      "functions": [
        {"name": "kmeans", "path": "bin/kmeans", "estimated_cold_ms": 5,
         "payloads": [{"label": "small", "payload": {"n": 1000}, "warm": 30, "warmups": 3, "min_warm": 10,
                       "estimated_ms": 0.2},
                      {"file": "events/big.json", "quick": false}]},
        {"path": "/abs/echo", "optional": true, "cold_payload": {"iterations": 1000}}]})",
                            "/repo/bench", Files({{"/repo/bench/events/big.json", R"({"n":300000})"}}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const PlanOptions& plan = config->plan;
  EXPECT_EQ(plan.memory_mb, (std::vector<int>{128, 1769}));
  EXPECT_EQ(plan.config_counts.cold, 2);
  EXPECT_DOUBLE_EQ(plan.timeout_seconds, 30);
  EXPECT_EQ(config->arch, "arm64");
  ASSERT_EQ(plan.functions.size(), 2u);
  EXPECT_EQ(plan.functions[0].bootstrap, "/repo/bench/bin/kmeans");
  EXPECT_EQ(plan.functions[1].name, "echo");
  EXPECT_EQ(config->optional, (std::vector<bool>{false, true}));
  ASSERT_EQ(plan.functions[0].payloads.size(), 2u);
  EXPECT_EQ(plan.functions[0].payloads[0].payload, R"({"n":1000})");
  EXPECT_EQ(plan.functions[0].payloads[0].min_warm, 10);
  EXPECT_EQ(plan.functions[0].payloads[1].label, "big.json");
  EXPECT_FALSE(plan.functions[0].payloads[1].quick);
  auto built = BuildPlan(plan);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->functions[0].cells[0].cold_payload, R"({"n":1000})");
  EXPECT_EQ(built->functions[1].cells[0].cold_payload, R"({"iterations":1000})");
  EXPECT_EQ(built->functions[1].cells[0].workloads[0].payload, R"({"hello":"world"})");
}

TEST(ConfigTest, MistakesNameTheirField) {
  auto error = [](const std::string& text) {
    return ParseConfig(text, ".", Files({})).status().message();
  };
  EXPECT_NE(error("[]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error("{}").find("functions"), std::string::npos);
  EXPECT_NE(error(R"({"functions":[{"name":"x"}]})").find("functions[0]: needs a \"path\""), std::string::npos);
  EXPECT_NE(error(R"({"functions":[{"path":"x","payloads":[{"payload":1,"warm":0}]}]})").find("functions[0].payloads[0]: \"warm\""),
            std::string::npos);
  EXPECT_NE(error(R"({"functions":[{"path":"x","payloads":[{"payload":1,"file":"y"}]}]})").find("exactly one"),
            std::string::npos);
  EXPECT_NE(error(R"({"functions":[{"path":"x","payloads":[{"file":"y.json"}]}]})").find("payload file ./y.json"),
            std::string::npos);
  EXPECT_NE(error(R"({"memory":[64],"functions":[{"path":"x"}]})").find("outside Lambda's range"), std::string::npos);
  EXPECT_NE(error(R"({"memroy":[128],"functions":[{"path":"x"}]})").find("unknown field \"memroy\""), std::string::npos);
  EXPECT_NE(error(R"({"functions":[{"path":"x","cold":3}]})").find("functions[0]: unknown field \"cold\""),
            std::string::npos);
  EXPECT_NE(error(R"({"functions":[{"path":"x","payloads":[{"payload":1,"warmup":3}]}]})")
                .find("functions[0].payloads[0]: unknown field \"warmup\""),
            std::string::npos);
  EXPECT_NE(error(R"({"memory":[4294967424],"functions":[{"path":"x"}]})").find("outside Lambda's range"),
            std::string::npos);  // not narrowed to 128 first
  EXPECT_NE(error(R"({"memory":[1769,1769],"functions":[{"path":"x"}]})").find("twice"), std::string::npos);
  auto named = ParseConfig(R"({"functions":[{"path":"dir/fn.zip"}]})", ".", Files({}));
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->plan.functions[0].name, "fn");  // as on the command line
}

TEST(PlanTest, SamplesShrinkWithTheCpuShare) {
  EXPECT_EQ(SamplesAt(30, 10, 1769), 30);
  EXPECT_EQ(SamplesAt(30, 10, 3008), 30);
  EXPECT_EQ(SamplesAt(30, 10, 128), 10);
  EXPECT_EQ(SamplesAt(30, 10, 1024), 17);
  EXPECT_DOUBLE_EQ(SlowdownAt(3008), 1.0);
  EXPECT_NEAR(SlowdownAt(128), 13.82, 0.01);
}

}  // namespace
}  // namespace zerostart::benchmark
