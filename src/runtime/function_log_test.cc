// zerostart/log.h: record formats, level filtering, the environment, and many threads at once.
#include "src/runtime/function_log.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "zerostart/log.h"

namespace zerostart::runtime {
namespace {

constexpr int64_t kSomeMs = 1772446530123;  // 2026-03-02T10:15:30.123Z

std::vector<std::string> LinesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Puts the process back to the default (text, everything) whatever the test did.
class FunctionLogTest : public ::testing::Test {
 protected:
  void TearDown() override { ConfigureFunctionLog(FunctionLogConfig{}); }

  // What Log() wrote to stdout while `body` ran.
  template <typename Body>
  std::string Captured(Body&& body) {
    ::testing::internal::CaptureStdout();
    body();
    return ::testing::internal::GetCapturedStdout();
  }
};

TEST_F(FunctionLogTest, JsonRecordHasLambdasKeysThenTheFields) {
  std::string line;
  FormatLogRecord(LogFormat::kJson, LogLevel::kWarn, kSomeMs, "req-1", "", "disk \"full\"\n",
                  {{"free", 0}, {"path", "/tmp"}, {"ratio", 0.5}, {"ok", false},
                   {"big", std::numeric_limits<uint64_t>::max()},
                   LogField::Json("tags", R"(["a","b"])")},
                  &line);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one record, one line";
  EXPECT_EQ(line.rfind(R"({"timestamp":"2026-03-02T10:15:30.123Z","level":"WARN","requestId":"req-1",)", 0),
            0u)
      << line;
  nlohmann::json record = nlohmann::json::parse(line);
  EXPECT_EQ(record["message"], "disk \"full\"\n");
  EXPECT_EQ(record["free"], 0);
  EXPECT_EQ(record["path"], "/tmp");
  EXPECT_EQ(record["ratio"], 0.5);
  EXPECT_EQ(record["ok"], false);
  EXPECT_EQ(record["big"], std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(record["tags"], nlohmann::json::array({"a", "b"}));
  EXPECT_FALSE(record.contains("tenantId"));
}

TEST_F(FunctionLogTest, JsonRecordCarriesTheTenantAndKeepsItsOwnKeys) {
  std::string line;
  FormatLogRecord(LogFormat::kJson, LogLevel::kInfo, kSomeMs, "r", "tenant-7", "m",
                  {{"level", "DEBUG"}, {"requestId", "forged"}, {"nan", std::nan("")},
                   {"bad", "\xff"}},
                  &line);
  nlohmann::json record = nlohmann::json::parse(line);
  EXPECT_EQ(record["tenantId"], "tenant-7");
  EXPECT_EQ(record["level"], "INFO");
  EXPECT_EQ(record["requestId"], "r");
  EXPECT_TRUE(record["nan"].is_null());
  EXPECT_EQ(record["bad"], "\xEF\xBF\xBD");
  EXPECT_EQ(record.size(), 7u) << line;  // timestamp level requestId message tenantId nan bad
}

TEST_F(FunctionLogTest, TextRecordIsNodesTabSeparatedLine) {
  std::string line;
  FormatLogRecord(LogFormat::kText, LogLevel::kError, kSomeMs, "req-2", "", "two\nlines", {},
                  &line);
  EXPECT_EQ(line, "2026-03-02T10:15:30.123Z\treq-2\tERROR\ttwo\rlines\n");
  FormatLogRecord(LogFormat::kText, LogLevel::kInfo, 0, "", "", "m", {{"n", 1}, {"s", "x"}},
                  &line);
  EXPECT_EQ(line, "1970-01-01T00:00:00.000Z\t\tINFO\tm\t{\"n\":1,\"s\":\"x\"}\n");
  FormatLogRecord(LogFormat::kText, LogLevel::kInfo, 0, "", "", "m", {{"message", "x"}}, &line);
  EXPECT_EQ(line, "1970-01-01T00:00:00.000Z\t\tINFO\tm\t{}\n");
}

TEST_F(FunctionLogTest, EnvironmentValuesAndDefaults) {
  FunctionLogConfig config = FunctionLogConfigFromEnvironment({});
  EXPECT_EQ(config.format, LogFormat::kText);
  EXPECT_EQ(config.level, LogLevel::kTrace);
  config = FunctionLogConfigFromEnvironment(
      {{"AWS_LAMBDA_LOG_FORMAT", "json"}, {"AWS_LAMBDA_LOG_LEVEL", "warn"}});
  EXPECT_EQ(config.format, LogFormat::kJson);
  EXPECT_EQ(config.level, LogLevel::kWarn);
  config = FunctionLogConfigFromEnvironment(
      {{"AWS_LAMBDA_LOG_FORMAT", "Text"}, {"AWS_LAMBDA_LOG_LEVEL", "FATAL"}});
  EXPECT_EQ(config.format, LogFormat::kText);
  EXPECT_EQ(config.level, LogLevel::kFatal);
  for (const char* odd : {"", "JSON ", "yaml", "jsonl"}) {
    EXPECT_EQ(FunctionLogConfigFromEnvironment({{"AWS_LAMBDA_LOG_FORMAT", odd}}).format,
              LogFormat::kText)
        << odd;
  }
  for (const char* odd : {"", "loud", "WARNING", "3"}) {
    EXPECT_EQ(FunctionLogConfigFromEnvironment({{"AWS_LAMBDA_LOG_LEVEL", odd}}).level,
              LogLevel::kTrace)
        << odd;
  }
}

TEST_F(FunctionLogTest, JsonModeFiltersByLevelAndTextModeDoesNot) {
  ConfigureFunctionLog({LogFormat::kJson, LogLevel::kWarn});
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarn));
  std::vector<std::string> lines = LinesOf(Captured([] {
    LogTrace("t");
    LogDebug("d");
    LogInfo("i");
    LogWarn("w");
    LogError("e");
    LogFatal("f");
  }));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["level"], "WARN");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["level"], "ERROR");
  EXPECT_EQ(nlohmann::json::parse(lines[2])["level"], "FATAL");

  ConfigureFunctionLog({LogFormat::kText, LogLevel::kFatal});
  EXPECT_TRUE(LogEnabled(LogLevel::kTrace));
  lines = LinesOf(Captured([] {
    LogTrace("t");
    LogInfo("i");
  }));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("\tTRACE\tt"), std::string::npos) << lines[0];
}

TEST_F(FunctionLogTest, RequestIdIsTheCallingThreadsInvokeAndEmptyOutsideOne) {
  ConfigureFunctionLog({LogFormat::kJson, LogLevel::kTrace});
  Invocation outer;
  outer.request_id = "outer";
  Invocation inner;
  inner.request_id = "inner";
  inner.tenant_id = "t";
  std::vector<std::string> lines = LinesOf(Captured([&] {
    LogInfo("none");
    ThreadInvocationScope a(outer);
    LogInfo("outer");
    {
      ThreadInvocationScope b(inner);
      LogInfo("inner");
    }
    LogInfo("outer again");
    std::thread([] { LogInfo("own thread"); }).join();
  }));
  ASSERT_EQ(lines.size(), 5u);
  std::vector<std::string> ids;
  for (const std::string& line : lines) ids.push_back(nlohmann::json::parse(line)["requestId"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"", "outer", "inner", "outer", ""}));
  EXPECT_EQ(nlohmann::json::parse(lines[2])["tenantId"], "t");
}

TEST_F(FunctionLogTest, ManyThreadsLoggingAtOnceKeepEveryRecordWhole) {
  ConfigureFunctionLog({LogFormat::kJson, LogLevel::kTrace});
  constexpr int kThreads = 8;
  constexpr int kRecords = 500;
  // Long enough that a torn write would show: each record is about 2.5 KB.
  const std::string padding(2000, 'x');
  std::string out = Captured([&] {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Invocation invocation;
        invocation.request_id = "req-" + std::to_string(t);
        ThreadInvocationScope scope(invocation);
        for (int i = 0; i < kRecords; ++i) LogInfo(padding, {{"thread", t}, {"i", i}});
      });
    }
    for (std::thread& thread : threads) thread.join();
  });
  std::vector<std::string> lines = LinesOf(out);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kRecords));
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(record.is_discarded()) << line.substr(0, 200);
    const int t = record["thread"];
    EXPECT_EQ(record["requestId"], "req-" + std::to_string(t));
    EXPECT_EQ(record["message"], padding);
    EXPECT_EQ(record["i"], next[static_cast<size_t>(t)]++) << "a thread's records stay in order";
  }
}

}  // namespace
}  // namespace zerostart::runtime
