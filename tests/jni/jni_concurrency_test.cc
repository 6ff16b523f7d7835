// The JNI bridge on Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY = M): JniTestFunction
// in serve mode, started directly (no emulator) against an in-process Runtime API that serves
// every connection at once, as Lambda does; then under `zerostart serve --max-concurrency M`,
// driven through the Invoke API. Its "rendezvous" action returns only once `count` invocations
// are inside the handler at once, so M answers that met prove M Java threads in the handler
// together, each reading its own invocation's context.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "src/runtime/testing/fake_runtime_api.h"
#include "tests/integration/test_support.h"
#include "tests/jni/jni_test_support.h"

namespace zerostart {
namespace {

using runtime::testing::AcceptedReply;
using runtime::testing::EventReply;
using runtime::testing::FakeRuntimeApi;
using runtime::testing::Reply;

// Bounds only a failing run: a passing one ends as soon as the function exits.
constexpr std::chrono::seconds kJavaRunTimeout{90};

std::string TraceOf(size_t i) {
  return "Root=1-00000000-00000000000000000000000" + std::to_string(i);
}

TEST(JniConcurrencyTest, ServeRunsTheHandlerOnMaxConcurrencyThreadsEachWithItsOwnInvocation) {
  ZS_SKIP_WITHOUT_BRIDGE((std::vector<std::string>{testing::jni::TestClass("JniTestFunction")}));
  constexpr size_t kM = 4;
  // GET /next number i < kM: a rendezvous of kM; then 500, which ends the function (exit 1).
  auto mutex = std::make_shared<std::mutex>();
  auto gets = std::make_shared<size_t>(0);
  FakeRuntimeApi server(
      [=](const http::Request& request, size_t) -> Reply {
        if (request.method != "GET") return AcceptedReply();
        std::lock_guard lock(*mutex);
        const size_t i = (*gets)++;
        if (i >= kM) {
          Reply failed;
          failed.response.status = 500;
          return failed;
        }
        Reply event = EventReply("req-" + std::to_string(i),
                                 R"({"action":"rendezvous","count":)" + std::to_string(kM) + "}");
        event.response.headers.Add(std::string(lambda::kTraceIdHeader), TraceOf(i));
        return event;
      },
      {}, FakeRuntimeApi::Connections::kConcurrent);

  std::vector<std::string> argv{"/usr/bin/env", "AWS_LAMBDA_RUNTIME_API=" + server.address(),
                                "AWS_LAMBDA_MAX_CONCURRENCY=" + std::to_string(kM),
                                "ZEROSTART_RUNTIME_RETRY_MS=20"};
  for (const std::string& arg : testing::jni::TestFunction("serve")) argv.push_back(arg);
  auto child = testing::ChildProcess::Start(argv);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  std::optional<int> status = (*child)->Wait(kJavaRunTimeout);
  ASSERT_TRUE(status.has_value()) << (*child)->stderr_text();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << (*child)->stderr_text();
  EXPECT_NE((*child)->stderr_text().find("runtime: stopping:"), std::string::npos)
      << (*child)->stderr_text();

  std::set<std::string> threads;
  size_t answers = 0;
  for (const http::Request& request : server.requests()) {
    if (request.method != "POST") continue;
    ++answers;
    SCOPED_TRACE(request.target + " " + request.body);
    const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body["met"], true) << "the invocations did not overlap";
    const std::string id = body["requestId"];
    EXPECT_EQ(request.target, "/2018-06-01/runtime/invocation/" + id + "/response");
    ASSERT_EQ(id.rfind("req-", 0), 0u);
    EXPECT_EQ(body["traceId"], TraceOf(std::stoul(id.substr(4))));
    EXPECT_TRUE(body["traceProperty"].is_null());  // no process-wide trace id with M threads
    EXPECT_EQ(body["maxConcurrency"], kM);
    threads.insert(body["thread"].get<std::string>());
  }
  EXPECT_EQ(answers, kM) << (*child)->stderr_text();
  EXPECT_EQ(threads.size(), kM);
  EXPECT_EQ(server.connections_accepted(), kM);  // one Runtime API connection per thread
}

// Creates `path` when it goes out of scope: whatever a failed check skipped, the handlers
// waiting for it return.
class ReleaseOnExit {
 public:
  explicit ReleaseOnExit(std::string path) : path_(std::move(path)) {}
  ~ReleaseOnExit() { Release(); }
  ReleaseOnExit(const ReleaseOnExit&) = delete;
  ReleaseOnExit& operator=(const ReleaseOnExit&) = delete;
  void Release() const { std::ofstream(path_).close(); }

 private:
  std::string path_;
};

// `zerostart serve --max-concurrency M --concurrency 1`: one environment, one JVM, M invokes in
// its handler at once — each answer names its own request id (X-Amzn-RequestId) and trace id
// (X-Amzn-Trace-Id) from its own thread — and while those M hold it, invoke M+1 is throttled.
TEST(JniConcurrencyTest, ServeMaxConcurrencyRunsMInvokesInOneJvmAndThrottlesTheNext) {
  ZS_SKIP_WITHOUT_JDK((std::vector<std::string>{testing::jni::TestClass("JniTestFunction")}));
  constexpr size_t kM = 4;
  const std::string hold = ::testing::TempDir() + "zs_jni_hold_" + std::to_string(::getpid());
  std::remove(hold.c_str());
  testing::jni::Served served({"--max-concurrency", std::to_string(kM), "--concurrency", "1",
                               "--timeout", "60"},
                              testing::jni::TestFunction("serve"));
  ASSERT_TRUE(served.ok());

  // Each handler meets the others, then holds its environment slot until `hold` exists.
  const std::string event =
      R"({"action":"rendezvous","count":)" + std::to_string(kM) + R"(,"hold":")" + hold + R"("})";
  const uint16_t port = served.port();
  std::vector<std::future<http::Response>> answers;
  for (size_t i = 0; i < kM; ++i) {
    answers.push_back(std::async(std::launch::async, [port, event, i] {
      auto client = testing::InvokeClient::Connect(port);
      if (!client.ok()) return http::Response{};
      auto response = client->Invoke(event, {{"X-Amzn-Trace-Id", TraceOf(i)}});
      return response.ok() ? std::move(response).value() : http::Response{};
    }));
  }
  ReleaseOnExit release(hold);  // destroyed before `answers`, whose destructors wait

  // Every invoke handed to the JVM (START), none answered yet: all M slots are taken.
  auto started = [&] { return testing::StartedRequestIds(served.process().stdout_text()).size(); };
  ASSERT_TRUE(testing::WaitUntil([&] { return started() == kM; }, std::chrono::seconds(60)))
      << served.process().stdout_text() << served.process().stderr_text();
  const http::Response throttled = served.Invoke(R"({"action":"echo"})");
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_EQ(testing::Header(throttled, "X-Amzn-ErrorType"), "TooManyRequestsException");
  EXPECT_EQ(testing::Json(throttled.body).value("Reason", ""),
            "ReservedFunctionConcurrentInvocationLimitExceeded")
      << throttled.body;
  EXPECT_EQ(started(), kM);

  release.Release();
  std::set<std::string> threads;
  std::set<std::string> ids;
  for (size_t i = 0; i < kM; ++i) {
    const http::Response answer = answers[i].get();
    SCOPED_TRACE("invoke " + std::to_string(i) + ": " + answer.body);
    EXPECT_EQ(answer.status, 200);
    const nlohmann::json body = testing::Json(answer.body);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body["met"], true) << "the invocations did not overlap";
    EXPECT_EQ(body["requestId"], testing::Header(answer, "X-Amzn-RequestId"));
    EXPECT_EQ(body["traceId"], TraceOf(i));
    EXPECT_TRUE(body["traceProperty"].is_null());  // no process-wide trace id with M threads
    EXPECT_EQ(body["maxConcurrency"], kM);
    if (body["thread"].is_string()) threads.insert(body["thread"].get<std::string>());
    ids.insert(testing::Header(answer, "X-Amzn-RequestId"));
  }
  EXPECT_EQ(threads.size(), kM);
  EXPECT_EQ(ids.size(), kM);
  // The slots are free again: the same JVM answers.
  EXPECT_EQ(served.Invoke(R"({"after":"rendezvous"})").body, R"({"after":"rendezvous"})");
  std::remove(hold.c_str());
}

}  // namespace
}  // namespace zerostart
