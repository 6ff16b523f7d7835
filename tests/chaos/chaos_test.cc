// The chaos run against the built zerostart and faulty, in both protocols, under a minute with a
// fixed seed (zs_chaos runs longer ones): every whole invoke answered once with Lambda's answer to its fault, serve still
// serving afterwards and nothing left behind. Also how answers are named and judged.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <ostream>
#include <string>

#include "src/common/testing/test_config.h"
#include "tests/chaos/chaos.h"
#include "tests/integration/test_support.h"

namespace zerostart::chaos {
namespace {

using benchmark::Answer;

Answer FunctionError(std::string body) {
  Answer answer;
  answer.status = 200;
  answer.function_error = "Unhandled";
  answer.body = std::move(body);
  return answer;
}

TEST(ChaosOutcomeTest, NamesAnswersAsLambdaWordsThem) {
  const std::string event = EventFor(Fault::kEcho, "t", 3, 0);
  Answer echoed;
  echoed.status = 200;
  echoed.body = event;
  EXPECT_EQ(NameOf(echoed, event), kOk);
  echoed.body = "{}";
  EXPECT_EQ(NameOf(echoed, event), "wrong body");
  EXPECT_EQ(NameOf(FunctionError(R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: 1 Error: )"
                                 R"(Runtime exited with error: signal: killed"})"),
                   event),
            kKilled);
  EXPECT_EQ(NameOf(FunctionError(R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: 1 Error: )"
                                 R"(Task timed out after 2.00 seconds"})"),
                   event),
            kTimedOut);
  EXPECT_EQ(NameOf(FunctionError("not json"), event), "function error without errorType");
  Answer throttled;
  throttled.status = 429;
  throttled.error_type = "TooManyRequestsException";
  EXPECT_EQ(NameOf(throttled, event), "HTTP 429 TooManyRequestsException");
  EXPECT_EQ(NameOf(Answer{}, event), kClosed);
}

TEST(ChaosOutcomeTest, EachFaultHasItsOwnAnswerAndAnInvokeMayLoseItsEnvironment) {
  EXPECT_TRUE(Allowed(Fault::kCrash, kSegfault));
  EXPECT_FALSE(Allowed(Fault::kCrash, kExit3));
  EXPECT_TRUE(Allowed(Fault::kHang, kTimedOut));
  EXPECT_FALSE(Allowed(Fault::kEcho, kTimedOut));
  EXPECT_TRUE(Allowed(Fault::kOutOfMemory, kTimedOut));  // the deadline can come before the limit
  EXPECT_FALSE(Allowed(Fault::kOutOfMemory, kSegfault));
  EXPECT_TRUE(Allowed(Fault::kEcho, kKilled));
  EXPECT_TRUE(Allowed(Fault::kStall, kInitExit));
  EXPECT_TRUE(Allowed(Fault::kMalformed, kBadRequest));
  EXPECT_FALSE(Allowed(Fault::kMalformed, kKilled));  // nothing ran
  EXPECT_TRUE(Allowed(Fault::kTruncated, kClosed));
  EXPECT_FALSE(Allowed(Fault::kStall, kClosed));  // a whole invoke must be answered
  EXPECT_TRUE(Allowed(Fault::kDisconnectMidResponse, kHeadThenGone));
  EXPECT_FALSE(Allowed(Fault::kDisconnectMidResponse, kNotRead));  // its head must come
  EXPECT_FALSE(Allowed(Fault::kEcho, "HTTP 429 TooManyRequestsException"));
}

struct ChaosCase {
  std::string protocol;
  double seconds;
  bool kill;
  friend void PrintTo(const ChaosCase& c, std::ostream* out) {
    *out << c.protocol << " for " << c.seconds << " s" << (c.kill ? "" : ", no SIGKILLs");
  }
};

class ChaosTest : public ::testing::TestWithParam<ChaosCase> {};

// Runtime API for 30 s and go1.x for 15 s; then 15 s without the killer, where no answer may say
// "signal: killed" (with it, any invoke may: the killer cannot tell which one it hits). A minute
// of chaos in all.
INSTANTIATE_TEST_SUITE_P(Protocols, ChaosTest,
                         ::testing::Values(ChaosCase{"runtime-api", 30, true}, ChaosCase{"go1x", 15, true},
                                           ChaosCase{"runtime-api", 15, false}),
                         [](const ::testing::TestParamInfo<ChaosCase>& info) {
                           return std::string(info.param.protocol == "go1x" ? "Go1x" : "RuntimeApi") +
                                  (info.param.kill ? "" : "WithoutKills");
                         });

TEST_P(ChaosTest, EveryInvokeGetsOneAnswerOfItsKindAndNothingIsLeftBehind) {
  if (!testing::HaveBinary("faulty") || !testing::HaveBinary("zerostart")) GTEST_SKIP() << "faulty or zerostart not built";
  char scratch[] = "/tmp/zs_chaos_test_XXXXXX";
  ASSERT_NE(::mkdtemp(scratch), nullptr);
  ChaosOptions options;
  options.zerostart = testing::BinPath("zerostart");
  options.faulty = testing::BinPath("faulty");
  options.scratch_dir = scratch;
  options.seed = 1;
  options.seconds = GetParam().seconds;
  options.protocol = GetParam().protocol;
  options.kill = GetParam().kill;
  Result<ChaosResult> result = RunChaos(options);
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::string problems;
  for (const std::string& problem : result->problems) problems += "\n  " + problem;
  EXPECT_TRUE(result->ok()) << "problems:" << problems << "\n" << result->Table();
  EXPECT_EQ(result->lost, 0u);
  EXPECT_EQ(result->duplicated, 0u);
  EXPECT_EQ(result->unexpected, 0u);
  EXPECT_EQ(result->reports, result->invokes);
  EXPECT_EQ(result->health_ok, result->health_invokes);
  EXPECT_EQ(result->environments_after, 0u);
  EXPECT_TRUE(result->leftovers.empty());
  // Every fault was done, and its own answer seen.
  auto seen = [&](Fault fault, std::string_view name) {
    auto answers = result->answers.find(std::string(FaultName(fault)));
    return answers == result->answers.end() ? 0 : answers->second.count(std::string(name)) ? answers->second.at(std::string(name)) : 0;
  };
  EXPECT_GT(seen(Fault::kEcho, kOk), 0u);
  EXPECT_GT(seen(Fault::kCrash, kSegfault), 0u);
  EXPECT_GT(seen(Fault::kExit, kExit3), 0u);
  EXPECT_GT(seen(Fault::kHang, kTimedOut), 0u);
  if (result->limits_enforced) {
    EXPECT_GT(seen(Fault::kOutOfMemory, kOutOfMemoryAnswer), 0u);
  }
  EXPECT_GT(seen(Fault::kMalformed, kBadRequest), 0u);
  EXPECT_GT(seen(Fault::kStall, kOk), 0u);
  EXPECT_GT(seen(Fault::kDisconnectMidRequest, kNotRead), 0u);
  EXPECT_GT(seen(Fault::kDisconnectMidResponse, kHeadThenGone), 0u);
  EXPECT_EQ(result->kills > 0, GetParam().kill);
  EXPECT_GT(result->init_exits, 0u);
  std::printf("%s", result->Table().c_str());
}

}  // namespace
}  // namespace zerostart::chaos
