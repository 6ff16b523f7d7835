// End-to-end tests of the `zerostart` binary: `serve` start-up errors, the ready line, the
// START/END/REPORT lines on its stdout, shutdown on SIGTERM without orphans, and clients we did
// not write (curl, the AWS CLI when installed) as well as `zerostart invoke`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "src/common/net.h"
#include "tests/integration/test_support.h"

namespace zerostart {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::BinPath;
using testing::ChildProcess;

using testing::ExitCode;

// Runs a command to completion (at most `timeout`); returns the process.
std::unique_ptr<ChildProcess> RunToEnd(const std::vector<std::string>& argv, seconds timeout = seconds(20)) {
  auto child = ChildProcess::Start(argv);
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  if (!child.ok()) return nullptr;
  EXPECT_TRUE((*child)->Wait(timeout).has_value()) << argv[0] << " did not finish";
  return std::move(child).value();
}

class ServeTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (serve_) serve_->Terminate();
  }

  // Starts `zerostart serve --port 0 <flags> -- <function...>` and waits for the ready line.
  void StartServe(const std::vector<std::string>& flags, const std::vector<std::string>& function) {
    std::vector<std::string> argv{BinPath("zerostart"), "serve", "--port", "0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back("--");
    argv.insert(argv.end(), function.begin(), function.end());
    auto child = ChildProcess::Start(argv);
    ASSERT_TRUE(child.ok()) << child.status().ToString();
    serve_ = std::move(child).value();
    ASSERT_TRUE(serve_->WaitForStderr(")\n", seconds(30))) << serve_->stderr_text();
    std::smatch match;
    std::string ready = serve_->stderr_text();
    ASSERT_TRUE(std::regex_search(ready, match,
                                  std::regex(R"(zerostart: serving (\S+) on http://127\.0\.0\.1:(\d+) \(Runtime API per environment, up to \d+ environments?\)\n)")))
        << ready;
    EXPECT_EQ(match[1].str(), function[0]);
    port_ = static_cast<uint16_t>(std::stoi(match[2].str()));
  }

  std::unique_ptr<ChildProcess> serve_;
  uint16_t port_ = 0;
};

TEST_F(ServeTest, BadFunctionExitsWithCode2AndAClearMessage) {
  char dir_template[] = "/tmp/zs_serve_test_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string plain = dir + "/not_executable";
  std::ofstream(plain) << "data";
  struct Case {
    std::string path;
    std::string message;
  };
  for (const Case& c : {Case{dir + "/missing", "No such file or directory"}, Case{dir, "is a directory"},
                        Case{plain, "is not executable"}}) {
    auto serve = RunToEnd({BinPath("zerostart"), "serve", "--port", "0", c.path});
    ASSERT_TRUE(serve);
    EXPECT_EQ(ExitCode(serve->Wait(seconds(1))), 2) << c.path;
    EXPECT_NE(serve->stderr_text().find(c.message), std::string::npos) << serve->stderr_text();
    EXPECT_NE(serve->stderr_text().find(c.path), std::string::npos) << serve->stderr_text();
  }
  ::unlink(plain.c_str());
  ::rmdir(dir.c_str());
}

TEST_F(ServeTest, MemoryOutsideLambdasRangeIsAClearError) {
  for (const std::string memory : {"127", "10241", "0"}) {
    auto serve = RunToEnd({BinPath("zerostart"), "serve", "--port", "0", "--memory", memory, "--",
                           testing::CurlBootstrapPath()});
    ASSERT_TRUE(serve);
    EXPECT_NE(ExitCode(serve->Wait(seconds(1))), 0) << memory;
    EXPECT_NE(serve->stderr_text().find("--memory"), std::string::npos) << serve->stderr_text();
  }
  auto serve = RunToEnd({BinPath("zerostart"), "serve", "--port", "0", "--memory", "100", "--",
                         testing::CurlBootstrapPath()});
  ASSERT_TRUE(serve);
  EXPECT_EQ(ExitCode(serve->Wait(seconds(1))), 2);
  EXPECT_NE(serve->stderr_text().find("--memory 100 is outside Lambda's range of 128 to 10240 MB"),
            std::string::npos)
      << serve->stderr_text();
}

TEST_F(ServeTest, PortInUseIsAClearError) {
  auto listener = net::Listen({"127.0.0.1", 0});
  ASSERT_TRUE(listener.ok());
  uint16_t port = *net::LocalPort(listener->get());
  auto serve = RunToEnd({BinPath("zerostart"), "serve", "--port", std::to_string(port), "--",
                    testing::CurlBootstrapPath()});
  ASSERT_TRUE(serve);
  EXPECT_EQ(ExitCode(serve->Wait(seconds(1))), 1);
  EXPECT_NE(serve->stderr_text().find("cannot listen on http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << serve->stderr_text();
  EXPECT_NE(serve->stderr_text().find("Address already in use"), std::string::npos) << serve->stderr_text();
}

TEST_F(ServeTest, ServesInvokesPrintsReportsAndStopsCleanlyOnSigterm) {
  if (!testing::HaveBinary("faulty")) GTEST_SKIP() << "faulty is not built";
  StartServe({"--memory", "256", "--timeout", "5", "--function-name", "faultyfn"}, {BinPath("faulty")});
  EXPECT_EQ(serve_->stderr_text().find("no authentication"), std::string::npos);  // loopback: no warning

  // `zerostart invoke`: prints the body; exit 0, or 1 on a function error.
  auto ok = RunToEnd({BinPath("zerostart"), "invoke", "--port", std::to_string(port_), "--function-name",
                 "faultyfn", "--payload", R"({"action":"log","lines":2})"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ExitCode(ok->Wait(seconds(1))), 0) << ok->stderr_text();
  EXPECT_EQ(ok->stdout_text(), "{\"lines\":2}\n");
  auto failed = RunToEnd({BinPath("zerostart"), "invoke", "--port", std::to_string(port_), "--payload",
                     R"({"action":"error"})"});
  ASSERT_TRUE(failed);
  EXPECT_EQ(ExitCode(failed->Wait(seconds(1))), 1);
  EXPECT_NE(failed->stdout_text().find("MyError"), std::string::npos);
  EXPECT_NE(failed->stderr_text().find("X-Amz-Function-Error: Unhandled"), std::string::npos);

  ASSERT_TRUE(serve_->WaitForStdout("REPORT", seconds(30)));
  ASSERT_TRUE(testing::WaitUntil([&] { return testing::ParseReports(serve_->stdout_text()).size() == 2; }));
  std::string out = serve_->stdout_text();
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(START RequestId: \S+ Version: \$LATEST\nfaulty stdout line 0\nfaulty stdout line 1\nEND RequestId: \S+\nREPORT RequestId: \S+	Duration: [0-9.]+ ms	Billed Duration: \d+ ms	Memory Size: 256 MB	Max Memory Used: \d+ MB	Init Duration: [0-9.]+ ms	\n)")))
      << out;
  EXPECT_NE(serve_->stderr_text().find("faulty stderr line 1\n"), std::string::npos);

  std::vector<pid_t> children = testing::ChildrenOf(serve_->pid());
  ASSERT_EQ(children.size(), 1u);
  serve_->Signal(SIGTERM);
  EXPECT_EQ(ExitCode(serve_->Wait(seconds(30))), 0);
  EXPECT_FALSE(testing::ProcessAlive(children[0]));
}

// Listening beyond loopback exposes an Invoke API that checks nothing: serve says so once.
TEST_F(ServeTest, ANonLoopbackHostIsWarnedThatTheInvokeApiHasNoAuthentication) {
  auto child = ChildProcess::Start({BinPath("zerostart"), "serve", "--host", "0.0.0.0", "--port", "0", "--",
                                    BinPath("echo")});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  serve_ = std::move(child).value();
  ASSERT_TRUE(serve_->WaitForStderr("lambda-url/", seconds(30))) << serve_->stderr_text();
  const std::string text = serve_->stderr_text();
  const std::string warning = "has no authentication";
  const size_t at = text.find(warning);
  EXPECT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.find(warning, at + 1), std::string::npos) << text;  // once
}

// No endpoint of serve maps a path to a file: a Function URL path that climbs out of the task
// root reaches the function as the event's rawPath, and nothing else.
TEST_F(ServeTest, APathOutOfTheTaskRootIsOnlyTheEventsRawPath) {
  StartServe({}, {BinPath("echo")});
  auto client = testing::InvokeClient::Connect(port_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto answer = client->SendRaw("GET /lambda-url/echo/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_NE(answer->body.find(R"("rawPath":"/../../../../etc/passwd")"), std::string::npos) << answer->body;
  EXPECT_EQ(answer->body.find("root:"), std::string::npos) << answer->body;
}

TEST_F(ServeTest, SigintStopsTheFunctionsWholeProcessGroup) {
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  // The bash bootstrap runs curl as a child: the whole process group must go.
  StartServe({"--eager"}, {testing::CurlBootstrapPath()});
  ASSERT_TRUE(testing::WaitUntil([&] { return testing::ChildrenOf(serve_->pid()).size() == 1; }));
  pid_t bash = testing::ChildrenOf(serve_->pid())[0];
  ASSERT_TRUE(testing::WaitUntil([&] { return !testing::ChildrenOf(bash).empty(); }));  // curl in /next
  pid_t curl = testing::ChildrenOf(bash)[0];
  serve_->Signal(SIGINT);
  EXPECT_EQ(ExitCode(serve_->Wait(seconds(30))), 0);
  EXPECT_TRUE(testing::WaitUntil([&] { return !testing::ProcessAlive(bash) && !testing::ProcessAlive(curl); },
                                 seconds(30)));
}

TEST_F(ServeTest, PlainCurlAsTheClientWithExpectContinue) {
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  if (!testing::HaveBinary("echo")) GTEST_SKIP() << "echo is not built";
  StartServe({}, {BinPath("echo")});
  // What `aws lambda invoke` sends, with plain curl: POST, JSON body, Expect: 100-continue.
  std::string payload = R"({"data":")" + std::string(4000, 'z') + R"("})";
  // curl sends the body only after "100 Continue", or once it gave up waiting for it: told to
  // wait 10 minutes (instead of 1 s), it can only finish within RunToEnd's 60 s if the server
  // sent "100 Continue". -v: curl says "Done waiting for 100-continue" when it gave up.
  auto curl = RunToEnd({"/usr/bin/curl", "-v", "-sS", "-i", "-X", "POST", "-H", "Expect: 100-continue",
                        "--expect100-timeout", "600", "-H", "Content-Type: application/json", "-H",
                        "X-Amz-Invocation-Type: RequestResponse", "--data-binary", payload,
                        "http://127.0.0.1:" + std::to_string(port_) + "/2015-03-31/functions/function/invocations"},
                       seconds(60));
  ASSERT_TRUE(curl);
  EXPECT_EQ(curl->stderr_text().find("Done waiting for 100-continue"), std::string::npos) << curl->stderr_text();
  EXPECT_EQ(ExitCode(curl->Wait(seconds(1))), 0) << curl->stderr_text();
  std::string out = curl->stdout_text();
  EXPECT_NE(out.find("HTTP/1.1 100 Continue"), std::string::npos) << out.substr(0, 400);
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out.substr(0, 400);
  EXPECT_NE(out.find("X-Amz-Executed-Version: $LATEST"), std::string::npos);
  EXPECT_NE(out.find("X-Amzn-RequestId: "), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - payload.size()), payload);
}

TEST_F(ServeTest, AwsCliInvoke) {
  if (!testing::HaveBinary("echo")) GTEST_SKIP() << "echo is not built";
  std::string aws;
  for (std::string candidate : {"/usr/bin/aws", "/usr/local/bin/aws", "/root/.pyenv/shims/aws"}) {
    if (::access(candidate.c_str(), X_OK) == 0) aws = candidate;
  }
  if (aws.empty()) GTEST_SKIP() << "the AWS CLI is not installed";
  StartServe({}, {BinPath("echo")});
  char out_template[] = "/tmp/zs_aws_out_XXXXXX";
  int fd = ::mkstemp(out_template);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ::setenv("AWS_ACCESS_KEY_ID", "test", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
  ::setenv("AWS_DEFAULT_REGION", "us-east-1", 1);
  ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  auto cli = RunToEnd({aws, "lambda", "invoke", "--endpoint-url", "http://127.0.0.1:" + std::to_string(port_),
                  "--function-name", "function", "--payload", R"({"from":"aws-cli"})", out_template},
                 seconds(60));
  ASSERT_TRUE(cli);
  int code = ExitCode(cli->Wait(seconds(1)));
  if (code != 0 && cli->stderr_text().find("Invalid base64") != std::string::npos) {
    GTEST_SKIP() << "AWS CLI v2 needs --cli-binary-format: " << cli->stderr_text();
  }
  EXPECT_EQ(code, 0) << cli->stderr_text();
  EXPECT_NE(cli->stdout_text().find("\"StatusCode\": 200"), std::string::npos) << cli->stdout_text();
  std::ifstream result(out_template);
  std::string body((std::istreambuf_iterator<char>(result)), std::istreambuf_iterator<char>());
  EXPECT_EQ(body, R"({"from":"aws-cli"})");
  ::unlink(out_template);
}

TEST_F(ServeTest, InvokeCountPrintsLatencyStatistics) {
  if (!testing::HaveBinary("echo")) GTEST_SKIP() << "echo is not built";
  StartServe({}, {BinPath("echo")});
  auto bench = RunToEnd({BinPath("zerostart"), "invoke", "--port", std::to_string(port_), "--count", "200",
                    "--payload", R"({"sixteen_bytes":1})"});
  ASSERT_TRUE(bench);
  EXPECT_EQ(ExitCode(bench->Wait(seconds(1))), 0) << bench->stderr_text();
  EXPECT_TRUE(std::regex_search(bench->stdout_text(),
                                std::regex(R"(invokes: 200 \(0 function errors\) in [0-9.]+ s: \d+ invokes/s\nlatency: p50 [0-9.]+ us, p90 [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us\n)")))
      << bench->stdout_text();
  ASSERT_TRUE(testing::WaitUntil([&] { return testing::ParseReports(serve_->stdout_text()).size() == 200; }));
}

}  // namespace
}  // namespace zerostart
