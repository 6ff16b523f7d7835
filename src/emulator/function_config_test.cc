#include "src/emulator/function_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <regex>

namespace zerostart::emulator {
namespace {

class FunctionConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/zs_function_config_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    executable_ = dir_ + "/bootstrap";
    std::ofstream(executable_) << "#!/bin/sh\n";
    ::chmod(executable_.c_str(), 0755);
    plain_ = dir_ + "/data.txt";
    std::ofstream(plain_) << "x";
    ::chmod(plain_.c_str(), 0644);
  }
  void TearDown() override {
    ::unlink(executable_.c_str());
    ::unlink(plain_.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_, executable_, plain_;
};

TEST_F(FunctionConfigTest, ResolvesAnExecutable) {
  FunctionConfig config;
  config.path = executable_;
  auto resolved = ResolveFunction(config);
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->name, "bootstrap");
  EXPECT_EQ(resolved->directory + "/bootstrap", resolved->executable);
}

// A launcher (qemu) runs the bootstrap of another folder: that folder is the task root.
TEST_F(FunctionConfigTest, ATaskRootAndHandlerReplaceTheExecutablesOwn) {
  FunctionConfig config;
  config.path = "/bin/sh";
  config.args = {executable_};
  config.task_root = dir_;
  config.handler = "my.handler";
  config.name = "fn";
  auto resolved = ResolveFunction(config);
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  char real[PATH_MAX];
  ASSERT_NE(::realpath(dir_.c_str(), real), nullptr);
  EXPECT_EQ(resolved->directory, real);
  EnvMap env = BuildFunctionEnv(config, *resolved, "127.0.0.1:1", "stream");
  EXPECT_EQ(env["LAMBDA_TASK_ROOT"], real);
  EXPECT_EQ(env["_HANDLER"], "my.handler");
  config.task_root = plain_;
  EXPECT_NE(ResolveFunction(config).status().message().find("is not a folder"), std::string::npos);
  EXPECT_EQ(FunctionNameFromFile("my.fn v2"), "my_fn_v2");
}

TEST_F(FunctionConfigTest, RejectsMissingDirectoryAndNonExecutable) {
  FunctionConfig config;
  config.path = dir_ + "/nope";
  auto missing = ResolveFunction(config);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("No such file"), std::string::npos);
  config.path = dir_;
  EXPECT_NE(ResolveFunction(config).status().message().find("is a directory"), std::string::npos);
  config.path = plain_;
  EXPECT_NE(ResolveFunction(config).status().message().find("not executable"), std::string::npos);
}

TEST_F(FunctionConfigTest, RejectsBadNameMemoryTimeout) {
  FunctionConfig config;
  config.path = executable_;
  config.name = "bad name";
  EXPECT_FALSE(ResolveFunction(config).ok());
  config.name = "good-name_1";
  config.memory_mb = 0;
  EXPECT_FALSE(ResolveFunction(config).ok());
  config.memory_mb = 127;  // Lambda's range is 128..10240 MB
  EXPECT_EQ(ResolveFunction(config).status().code(), StatusCode::kInvalidArgument);
  config.memory_mb = 10241;
  EXPECT_EQ(ResolveFunction(config).status().code(), StatusCode::kInvalidArgument);
  config.memory_mb = 10240;
  EXPECT_TRUE(ResolveFunction(config).ok());
  config.memory_mb = 128;
  EXPECT_TRUE(ResolveFunction(config).ok());
  config.timeout_seconds = 0;
  EXPECT_FALSE(ResolveFunction(config).ok());
  config.timeout_seconds = 901;  // at most 15 minutes
  EXPECT_FALSE(ResolveFunction(config).ok());
}

TEST_F(FunctionConfigTest, BuildsLambdasEnvironment) {
  FunctionConfig config;
  config.path = executable_;
  config.name = "fn";
  config.memory_mb = 256;
  config.env_overrides["MY_VAR"] = "1";
  config.env_overrides["TZ"] = "Europe/Paris";
  config.env_overrides["AWS_LAMBDA_RUNTIME_API"] = "1.2.3.4:5";
  auto resolved = ResolveFunction(config);
  ASSERT_TRUE(resolved.ok());
  EnvMap env = BuildFunctionEnv(config, *resolved, "127.0.0.1:4242", "2024/01/01/[$LATEST]abc");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_NAME"], "fn");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256");
  EXPECT_EQ(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/fn");
  EXPECT_EQ(env["AWS_LAMBDA_LOG_STREAM_NAME"], "2024/01/01/[$LATEST]abc");
  EXPECT_EQ(env["AWS_REGION"], "us-east-1");
  EXPECT_EQ(env["AWS_DEFAULT_REGION"], "us-east-1");
  EXPECT_EQ(env["_HANDLER"], "bootstrap");
  EXPECT_EQ(env["LAMBDA_TASK_ROOT"], resolved->directory);
  EXPECT_EQ(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand");
  EXPECT_EQ(env["LANG"], "en_US.UTF-8");
  EXPECT_EQ(env["PATH"], "/usr/local/bin:/usr/bin/:/bin:/opt/bin");
  EXPECT_NE(env["LD_LIBRARY_PATH"].find(resolved->directory + "/lib"), std::string::npos);
  EXPECT_EQ(env["MY_VAR"], "1");
  EXPECT_EQ(env["TZ"], "Europe/Paris");                     // overrides win...
  EXPECT_EQ(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:4242");  // ...except this one
  EXPECT_EQ(env.count("HOME"), 0u);                           // nothing inherited
}

TEST_F(FunctionConfigTest, RegionOverrideSetsBoth) {
  FunctionConfig config;
  config.path = executable_;
  config.env_overrides["AWS_REGION"] = "eu-west-1";
  auto resolved = ResolveFunction(config);
  ASSERT_TRUE(resolved.ok());
  EnvMap env = BuildFunctionEnv(config, *resolved, "127.0.0.1:1", "s");
  EXPECT_EQ(env["AWS_DEFAULT_REGION"], "eu-west-1");
  EXPECT_EQ(FunctionArn(RegionOf(config), "f"), "arn:aws:lambda:eu-west-1:012345678912:function:f");
}

TEST_F(FunctionConfigTest, Go1xEnvironmentHasNoRuntimeApi) {
  FunctionConfig config;
  config.path = executable_;
  config.protocol = Protocol::kGo1x;
  config.env_overrides["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9";  // not even from --env
  auto resolved = ResolveFunction(config);
  ASSERT_TRUE(resolved.ok());
  EnvMap env = BuildFunctionEnv(config, *resolved, "", "s");
  EXPECT_EQ(env.count("AWS_LAMBDA_RUNTIME_API"), 0u);
  EXPECT_EQ(env["AWS_EXECUTION_ENV"], "AWS_Lambda_go1.x");
  EXPECT_EQ(env["_HANDLER"], "bootstrap");
  // The Runtime API mode sets no AWS_EXECUTION_ENV (provided.* runtimes have none).
  config.protocol = Protocol::kRuntimeApi;
  EXPECT_EQ(BuildFunctionEnv(config, *resolved, "127.0.0.1:1", "s").count("AWS_EXECUTION_ENV"), 0u);
}

TEST(ProtocolTest, ParsesTheServeFlagValues) {
  EXPECT_EQ(ParseProtocol("auto").value(), Protocol::kRuntimeApi);
  EXPECT_EQ(ParseProtocol("runtime-api").value(), Protocol::kRuntimeApi);
  EXPECT_EQ(ParseProtocol("go1x").value(), Protocol::kGo1x);
  for (const char* bad : {"", "go1.x", "GO1X", "rpc"}) {
    auto parsed = ParseProtocol(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("expected auto, runtime-api or go1x"), std::string::npos);
  }
}

TEST(LogStreamNameTest, LambdasFormat) {
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
  std::string name = NewLogStreamName(t);
  EXPECT_TRUE(std::regex_match(name, std::regex(R"(2024/05/01/\[\$LATEST\][0-9a-f]{32})"))) << name;
}

}  // namespace
}  // namespace zerostart::emulator
