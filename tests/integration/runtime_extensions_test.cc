// The runtime library and the C++ extension client against `zerostart serve --extensions DIR`: examples'
// invoke-log (an external extension, zerostart/extension.h) beside faulty with
// FAULTY_ON_SHUTDOWN=1 (RunOptions::on_shutdown: the runtime's internal extension and SIGTERM).
// Two invokes, then serve is stopped: the extension logs both invokes and its SHUTDOWN summary,
// and the function's shutdown hook runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "tests/integration/test_support.h"

namespace zerostart {
namespace {

using ::testing::HasSubstr;
using std::chrono::seconds;
using testing::BinPath;
using testing::ChildProcess;

class RuntimeExtensionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* binary : {"zerostart", "faulty", "invoke-log"}) {
      if (!testing::HaveBinary(binary)) GTEST_SKIP() << binary << " is not built";
    }
    char dir_template[] = "/tmp/zs_extensions_test_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    std::filesystem::copy_file(BinPath("invoke-log"), dir_ + "/invoke-log");
    ::chmod((dir_ + "/invoke-log").c_str(), 0755);
  }
  void TearDown() override {
    if (serve_) {
      serve_->Signal(SIGKILL);
      serve_->Wait(seconds(30));
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<ChildProcess> serve_;
};

TEST_F(RuntimeExtensionsTest, InvokeLogSeesEachInvokeAndTheShutdownAndTheFunctionsHookRuns) {
  auto child = ChildProcess::Start({BinPath("zerostart"), "serve", "--port", "0", "--extensions", dir_,
                                    "--env", "FAULTY_ON_SHUTDOWN=1", "--", BinPath("faulty")});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  serve_ = std::move(child).value();
  ASSERT_TRUE(serve_->WaitForStderr(")\n", seconds(30))) << serve_->stderr_text();
  std::smatch match;
  std::string ready = serve_->stderr_text();
  ASSERT_TRUE(std::regex_search(ready, match, std::regex(R"(on http://127\.0\.0\.1:(\d+))")))
      << ready;
  auto client = testing::InvokeClient::Connect(static_cast<uint16_t>(std::stoi(match[1].str())));
  ASSERT_TRUE(client.ok()) << client.status().ToString();

  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    Result<http::Response> answer = client->Invoke(R"({"action":"echo"})");
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    EXPECT_EQ(answer->status, 200) << answer->body;
    ids.push_back(testing::Header(*answer, "X-Amzn-RequestId"));
  }
  for (const std::string& id : ids) {
    EXPECT_TRUE(serve_->WaitForStderr("invoke-log: invoke " + id + ", deadline ", seconds(10)))
        << serve_->stderr_text() << serve_->stdout_text();
  }

  serve_->Signal(SIGTERM);  // serve shuts its environments down: SHUTDOWN, SIGTERM
  ASSERT_TRUE(serve_->Wait(seconds(30)).has_value());
  std::string log = serve_->stderr_text() + serve_->stdout_text();
  EXPECT_THAT(log, HasSubstr("invoke-log: 2 invokes, shutdown reason spindown"));
  EXPECT_THAT(log, HasSubstr("faulty: shutdown hook ran"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("could not register the internal extension")));
}

}  // namespace
}  // namespace zerostart
