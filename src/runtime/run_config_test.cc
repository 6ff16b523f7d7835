#include "src/runtime/run_config.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace zerostart::runtime {
namespace {

TEST(RunConfigTest, RuntimeApiFromHostPort) {
  Result<RunConfig> c = RunConfigFromEnvironment({{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->protocol, RunConfig::Protocol::kRuntimeApi);
  EXPECT_EQ(c->endpoint.address.port, 9001);
  EXPECT_EQ(c->log_level, log::Level::kError);
  EXPECT_EQ(c->retry.budget, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->retry.attempts, 5);
}

TEST(RunConfigTest, Go1xWinsOverRuntimeApi) {
  Result<RunConfig> c = RunConfigFromEnvironment(
      {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"}, {"_LAMBDA_SERVER_PORT", "8001"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->protocol, RunConfig::Protocol::kGo1x);
  EXPECT_EQ(c->go1x_port, 8001);
}

TEST(RunConfigTest, EmptyValuesCountAsUnset) {
  Result<RunConfig> c = RunConfigFromEnvironment(
      {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"}, {"_LAMBDA_SERVER_PORT", ""}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->protocol, RunConfig::Protocol::kRuntimeApi);
}

TEST(RunConfigTest, NeitherIsAClearError) {
  Result<RunConfig> c = RunConfigFromEnvironment({{"PATH", "/bin"}, {"AWS_LAMBDA_RUNTIME_API", ""}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("AWS_LAMBDA_RUNTIME_API"), std::string::npos);
  EXPECT_NE(c.status().message().find("_LAMBDA_SERVER_PORT"), std::string::npos);
}

TEST(RunConfigTest, BadValues) {
  EXPECT_FALSE(RunConfigFromEnvironment({{"AWS_LAMBDA_RUNTIME_API", "nohost"}}).ok());
  EXPECT_FALSE(RunConfigFromEnvironment({{"_LAMBDA_SERVER_PORT", "http"}}).ok());
  EXPECT_FALSE(RunConfigFromEnvironment({{"_LAMBDA_SERVER_PORT", "0"}}).ok());
  EXPECT_FALSE(RunConfigFromEnvironment(
                   {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"}, {"ZEROSTART_RUNTIME_RETRY_MS", "-1"}})
                   .ok());
}

TEST(RunConfigTest, LogLevelAndRetryBudget) {
  Result<RunConfig> c = RunConfigFromEnvironment({{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"},
                                                  {"AWS_LAMBDA_LOG_LEVEL", "DEBUG"},
                                                  {"ZEROSTART_RUNTIME_RETRY_MS", "40"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_level, log::Level::kDebug);
  EXPECT_EQ(c->retry.budget, std::chrono::milliseconds(40));
  c = RunConfigFromEnvironment(
      {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"}, {"AWS_LAMBDA_LOG_LEVEL", "loud"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_level, log::Level::kError);
}

TEST(RunConfigTest, FunctionContextFromTheDefinedVariables) {
  Result<RunConfig> c = RunConfigFromEnvironment(
      {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"},
       {"AWS_LAMBDA_FUNCTION_NAME", "resize"},
       {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
       {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1769"},
       {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/resize"},
       {"AWS_LAMBDA_LOG_STREAM_NAME", "2026/03/02/[$LATEST]0123456789abcdef0123456789abcdef"},
       {"AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->function.function_name, "resize");
  EXPECT_EQ(c->function.function_version, "$LATEST");
  EXPECT_EQ(c->function.memory_size_mb, 1769);
  EXPECT_EQ(c->function.log_group_name, "/aws/lambda/resize");
  EXPECT_EQ(c->function.log_stream_name, "2026/03/02/[$LATEST]0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c->function.initialization_type, "provisioned-concurrency");
  // go1.x reads the same variables.
  c = RunConfigFromEnvironment({{"_LAMBDA_SERVER_PORT", "8001"}, {"AWS_LAMBDA_FUNCTION_NAME", "g"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->function.function_name, "g");
}

TEST(RunConfigTest, FunctionContextToleratesAbsentAndOddValues) {
  FunctionContext none = FunctionContextFromEnvironment({});
  EXPECT_EQ(none.function_name, "");
  EXPECT_EQ(none.memory_size_mb, 0);
  EXPECT_EQ(none.initialization_type, "");
  for (const char* odd : {"", "big", "128MB", "-128", "0", " 128", "99999999999"}) {
    SCOPED_TRACE(odd);
    Result<RunConfig> c = RunConfigFromEnvironment(
        {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"}, {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", odd}});
    ASSERT_TRUE(c.ok()) << "the memory size is informational: never a reason not to start";
    EXPECT_EQ(c->function.memory_size_mb, 0);
  }
}

TEST(RunConfigTest, MaxConcurrency) {
  auto with = [](std::string value) {
    return RunConfigFromEnvironment(
        {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"}, {"AWS_LAMBDA_MAX_CONCURRENCY", value}});
  };
  Result<RunConfig> c = RunConfigFromEnvironment({{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->max_concurrency, 1);  // classic Lambda: not set
  for (auto [text, value] : {std::pair{"", 1}, {"1", 1}, {"8", 8}, {"1600", 1600}}) {
    c = with(text);
    ASSERT_TRUE(c.ok()) << text << ": " << c.status().ToString();
    EXPECT_EQ(c->max_concurrency, value) << text;
  }
  for (const char* bad : {"0", "-1", "1601", "2147483648", "x", "8x", " 8", "+8", "0x10"}) {
    c = with(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("AWS_LAMBDA_MAX_CONCURRENCY='" + std::string(bad) + "'"),
              std::string::npos)
        << c.status().message();
  }
  // go1.x has no Managed Instances: the variable is ignored there, whatever its value.
  c = RunConfigFromEnvironment(
      {{"_LAMBDA_SERVER_PORT", "8001"}, {"AWS_LAMBDA_MAX_CONCURRENCY", "x"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->protocol, RunConfig::Protocol::kGo1x);
  EXPECT_EQ(c->max_concurrency, 1);
}

TEST(RetryPolicyTest, DelaysDoubleAndAddUpToTheBudget) {
  RetryPolicy p;
  p.attempts = 5;
  p.budget = std::chrono::milliseconds(1500);
  EXPECT_EQ(p.DelayBeforeRetry(1).count(), 100);
  EXPECT_EQ(p.DelayBeforeRetry(2).count(), 200);
  EXPECT_EQ(p.DelayBeforeRetry(3).count(), 400);
  EXPECT_EQ(p.DelayBeforeRetry(4).count(), 800);
  p.budget = std::chrono::milliseconds(0);
  EXPECT_EQ(p.DelayBeforeRetry(1).count(), 0);
  p.attempts = 1;
  p.budget = std::chrono::milliseconds(10);
  EXPECT_EQ(p.DelayBeforeRetry(1).count(), 10);
}

}  // namespace
}  // namespace zerostart::runtime
