// The JNI bridge on Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY = M): JniTestFunction
// in serve mode, started directly (no emulator) against an in-process Runtime API that serves
// every connection at once, as Lambda does. Its "rendezvous" action returns only once `count`
// invocations are inside the handler at once, so M answers that met prove M Java threads in the
// handler together, each reading its own invocation's context.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
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

}  // namespace
}  // namespace zerostart
