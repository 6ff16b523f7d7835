// Lambda Managed Instances end to end, in-process: Run() and RunStreaming() with
// AWS_LAMBDA_MAX_CONCURRENCY against FakeRuntimeApi serving every connection at once, as
// Lambda does. Handlers meet at a rendezvous (never the clock) to show that the invokes
// overlap; a server-side hold on /next shows that a worker blocked there is woken when another
// one stops.
#include "src/runtime/workers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "src/runtime/function_log.h"
#include "src/runtime/invoke_loop.h"
#include "src/runtime/testing/fake_runtime_api.h"
#include "zerostart/log.h"
#include "zerostart/runtime.h"
#include "zerostart/stream.h"

namespace zerostart::runtime {
namespace {

using testing::AcceptedReply;
using testing::EventReply;
using testing::FakeRuntimeApi;
using testing::Reply;
using Connections = FakeRuntimeApi::Connections;

// Bounds only a failing test: a passing one is woken by the event it waits for.
constexpr std::chrono::seconds kRendezvousTimeout{30};

// Blocks each arriving thread until `expected` threads are inside at once.
class Rendezvous {
 public:
  explicit Rendezvous(size_t expected) : expected_(expected) {}

  // Arrives and waits for the others. True once all `expected` have arrived; false after
  // kRendezvousTimeout (the invokes did not overlap).
  bool ArriveAndWait() {
    std::unique_lock lock(mutex_);
    ++arrived_;
    changed_.notify_all();
    return changed_.wait_for(lock, kRendezvousTimeout, [&] { return arrived_ >= expected_; });
  }

 private:
  const size_t expected_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t arrived_ = 0;
};

// A script for a concurrent server: GET /next number i (0-based, in arrival order) gets event
// "r<i>" with payload "p<i>" while i < `events`; every later GET gets 500, which ends the run
// at once (no retry); POSTs are accepted.
testing::Script EventsThenFail(size_t events) {
  auto mutex = std::make_shared<std::mutex>();
  auto gets = std::make_shared<size_t>(0);
  return [=](const http::Request& request, size_t) -> Reply {
    if (request.method != "GET") return AcceptedReply();
    std::lock_guard lock(*mutex);
    const size_t i = (*gets)++;
    if (i < events) return EventReply("r" + std::to_string(i), "p" + std::to_string(i));
    Reply failed;
    failed.response.status = 500;
    return failed;
  };
}

std::map<std::string, std::string> ManagedEnvironment(const FakeRuntimeApi& server,
                                                      std::string max_concurrency) {
  return {{"AWS_LAMBDA_RUNTIME_API", server.address()},
          {"AWS_LAMBDA_MAX_CONCURRENCY", std::move(max_concurrency)},
          {"ZEROSTART_RUNTIME_RETRY_MS", "20"}};
}

std::vector<http::Request> PostsOf(const FakeRuntimeApi& server) {
  std::vector<http::Request> posts;
  for (http::Request& request : server.requests()) {
    if (request.method == "POST") posts.push_back(std::move(request));
  }
  return posts;
}

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST(WorkersTest, ServesMaxConcurrencyInvokesAtOnceEachOnItsOwnConnection) {
  constexpr size_t kM = 4;
  FakeRuntimeApi server(EventsThenFail(kM), {}, Connections::kConcurrent);
  Rendezvous all_inside(kM);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  size_t met = 0;
  RunOptions options;
  options.environment = ManagedEnvironment(server, std::to_string(kM));
  ::testing::internal::CaptureStderr();
  const int code = zerostart::Run(
      [&](const Invocation& invocation) {
        // Every handler holds its invoke until all kM are inside the handler at once.
        const bool overlapped = all_inside.ArriveAndWait();
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
        if (overlapped) ++met;
        return Response::Success(invocation.payload + "!");
      },
      options);
  const std::string err = ::testing::internal::GetCapturedStderr();

  EXPECT_EQ(code, kExitLambdaGone);
  EXPECT_EQ(met, kM) << "the invokes did not overlap";
  EXPECT_EQ(threads.size(), kM);
  // One connection per worker: kM invokes in flight need kM /next answered, and a connection
  // carries one request at a time.
  EXPECT_EQ(server.connections_accepted(), kM);
  std::multiset<std::string> bodies;
  for (const http::Request& post : PostsOf(server)) {
    const std::string id = "r" + post.body.substr(1, 1);  // the payload "p<i>!" answers "r<i>"
    EXPECT_EQ(post.target, "/2018-06-01/runtime/invocation/" + id + "/response");
    bodies.insert(post.body);
  }
  EXPECT_EQ(bodies, (std::multiset<std::string>{"p0!", "p1!", "p2!", "p3!"}));
  // The first worker to see the 500 says why, once; the others are stopped silently.
  EXPECT_EQ(CountOf(err, "runtime: stopping:"), 1u) << err;
  EXPECT_NE(err.find("HTTP 500"), std::string::npos) << err;
}

TEST(WorkersTest, WorkersBlockedInNextAreCancelledWhenOneStops) {
  // Three of four workers are held in /next by the server; the fourth gets a 500. Run() must
  // return without waiting for the held ones to be answered.
  constexpr size_t kM = 4;
  std::mutex mutex;
  std::condition_variable released_changed;
  bool released = false;
  size_t gets = 0;
  FakeRuntimeApi server(
      [&](const http::Request& request, size_t) -> Reply {
        std::unique_lock lock(mutex);
        if (request.method == "GET" && ++gets < kM) {
          released_changed.wait_for(lock, 2 * kRendezvousTimeout, [&] { return released; });
          return EventReply("late", "{}");
        }
        Reply failed;
        failed.response.status = 500;
        return failed;
      },
      {}, Connections::kConcurrent);
  RunOptions options;
  options.environment = ManagedEnvironment(server, std::to_string(kM));
  bool handler_called = false;
  ::testing::internal::CaptureStderr();
  const auto start = std::chrono::steady_clock::now();
  const int code = zerostart::Run(
      [&](const Invocation&) {
        handler_called = true;
        return Response::Success("");
      },
      options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const std::string err = ::testing::internal::GetCapturedStderr();
  {
    std::lock_guard lock(mutex);
    released = true;
  }
  released_changed.notify_all();

  EXPECT_EQ(code, kExitLambdaGone);
  EXPECT_FALSE(handler_called);
  EXPECT_LT(elapsed, kRendezvousTimeout) << "Run() waited for the held /next";
  EXPECT_EQ(CountOf(err, "runtime: stopping:"), 1u) << err;
  EXPECT_NE(err.find("HTTP 500"), std::string::npos) << err;
}

TEST(WorkersTest, TraceIdStaysOnTheInvocationAndOutOfTheEnvironment) {
  ASSERT_EQ(std::getenv("_X_AMZN_TRACE_ID"), nullptr);
  constexpr size_t kM = 2;
  auto mutex = std::make_shared<std::mutex>();
  auto gets = std::make_shared<size_t>(0);
  FakeRuntimeApi server(
      [=](const http::Request& request, size_t) -> Reply {
        if (request.method != "GET") return AcceptedReply();
        std::lock_guard lock(*mutex);
        const size_t i = (*gets)++;
        if (i >= kM) return testing::StopReply();
        Reply event = EventReply("t" + std::to_string(i), "{}");
        event.response.headers.Add(std::string(lambda::kTraceIdHeader),
                                   "Root=1-5759e988-bd862e3fe1be46a99427279" + std::to_string(i));
        return event;
      },
      {}, Connections::kConcurrent);
  Rendezvous all_inside(kM);
  std::mutex seen_mutex;
  std::vector<std::optional<std::string>> environment_seen;
  std::set<std::string> trace_ids;
  RunOptions options;
  options.environment = ManagedEnvironment(server, std::to_string(kM));
  const int code = zerostart::Run(
      [&](const Invocation& invocation) {
        EXPECT_TRUE(all_inside.ArriveAndWait());
        const char* value = std::getenv("_X_AMZN_TRACE_ID");
        std::lock_guard lock(seen_mutex);
        environment_seen.push_back(value ? std::optional<std::string>(value) : std::nullopt);
        trace_ids.insert(invocation.trace_id);
        return Response::Success("{}");
      },
      options);
  EXPECT_EQ(code, kExitLambdaGone);
  EXPECT_EQ(environment_seen, (std::vector<std::optional<std::string>>(kM, std::nullopt)));
  EXPECT_EQ(trace_ids, (std::set<std::string>{"Root=1-5759e988-bd862e3fe1be46a994272790",
                                              "Root=1-5759e988-bd862e3fe1be46a994272791"}));
  EXPECT_EQ(std::getenv("_X_AMZN_TRACE_ID"), nullptr);
}

TEST(WorkersTest, EveryWorkerSeesTheOneFunctionContext) {
  constexpr size_t kM = 3;
  FakeRuntimeApi server(EventsThenFail(kM), {}, Connections::kConcurrent);
  Rendezvous all_inside(kM);
  std::mutex mutex;
  std::set<const FunctionContext*> contexts;
  std::multiset<std::string> names;
  RunOptions options;
  options.environment = ManagedEnvironment(server, std::to_string(kM));
  options.environment["AWS_LAMBDA_FUNCTION_NAME"] = "managed";
  options.environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "lambda-managed-instances";
  const int code = zerostart::Run(
      [&](const Invocation& invocation) {
        EXPECT_TRUE(all_inside.ArriveAndWait());
        std::lock_guard lock(mutex);
        contexts.insert(invocation.function);
        names.insert(invocation.function->function_name + "/" +
                     invocation.function->initialization_type);
        return Response::Success("{}");
      },
      options);
  EXPECT_EQ(code, kExitLambdaGone);
  EXPECT_EQ(contexts.size(), 1u);
  EXPECT_EQ(names.count("managed/lambda-managed-instances"), kM);
  EXPECT_EQ(names.size(), kM);
}

TEST(WorkersTest, EachWorkersLogRecordsCarryItsOwnRequestId) {
  constexpr size_t kM = 4;
  FakeRuntimeApi server(EventsThenFail(kM), {}, Connections::kConcurrent);
  Rendezvous all_inside(kM);
  RunOptions options;
  options.environment = ManagedEnvironment(server, std::to_string(kM));
  options.environment["AWS_LAMBDA_LOG_FORMAT"] = "JSON";
  options.environment["AWS_LAMBDA_LOG_LEVEL"] = "INFO";
  ::testing::internal::CaptureStdout();
  const int code = zerostart::Run(
      [&](const Invocation& invocation) {
        LogInfo("before", {{"payload", invocation.payload}});
        EXPECT_TRUE(all_inside.ArriveAndWait());  // the others log while this invoke is open
        LogDebug("filtered out");
        LogWarn("after", {{"payload", invocation.payload}});
        return Response::Success("{}");
      },
      options);
  const std::string out = ::testing::internal::GetCapturedStdout();
  runtime::ConfigureFunctionLog(runtime::FunctionLogConfig{});  // back to the default
  EXPECT_EQ(code, kExitLambdaGone);
  std::istringstream lines(out);
  size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    nlohmann::json record = nlohmann::json::parse(line);
    // Event "r<i>" carries payload "p<i>": the record's requestId must be its own invoke's.
    const std::string payload = record["payload"];
    EXPECT_EQ(record["requestId"], "r" + payload.substr(1)) << line;
    EXPECT_NE(record["level"], "DEBUG");
  }
  EXPECT_EQ(count, 2 * kM) << out;
}

TEST(WorkersTest, StreamingHandlersStreamConcurrently) {
  constexpr size_t kM = 3;
  FakeRuntimeApi server(EventsThenFail(kM), {}, Connections::kConcurrent);
  Rendezvous all_streaming(kM);
  std::mutex mutex;
  size_t met = 0;
  RunOptions options;
  options.environment = ManagedEnvironment(server, std::to_string(kM));
  const int code = zerostart::RunStreaming(
      [&](const Invocation& invocation, ResponseStream& out) {
        // Each response is under way (its first chunk sent) while the others are.
        EXPECT_TRUE(out.Write(invocation.payload).ok());
        const bool overlapped = all_streaming.ArriveAndWait();
        EXPECT_TRUE(out.Write("|end").ok());
        std::lock_guard lock(mutex);
        if (overlapped) ++met;
      },
      options);
  EXPECT_EQ(code, kExitLambdaGone);
  EXPECT_EQ(met, kM) << "the streamed responses did not overlap";
  std::multiset<std::string> bodies;
  for (const http::Request& post : PostsOf(server)) {
    EXPECT_EQ(post.headers.Get(lambda::kResponseModeHeader), lambda::kResponseModeStreaming);
    bodies.insert(post.body);
  }
  EXPECT_EQ(bodies, (std::multiset<std::string>{"p0|end", "p1|end", "p2|end"}));
}

TEST(WorkersTest, InitRunsOnceBeforeAnyWorkerAndItsFailureIsReportedOnce) {
  FakeRuntimeApi server(EventsThenFail(0), {}, Connections::kConcurrent);
  RunOptions options;
  options.environment = ManagedEnvironment(server, "8");
  int inits = 0;
  options.init = [&] {
    ++inits;
    return FailedPreconditionError("no model");
  };
  const int code = zerostart::Run([](const Invocation&) { return Response::Success(""); }, options);
  EXPECT_EQ(code, kExitInitFailed);
  EXPECT_EQ(inits, 1);
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);  // no /next after a failed init
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/init/error");
}

TEST(WorkersTest, MaxConcurrencyOneIsTheClassicLoopOnTheCallingThread) {
  Reply traced = EventReply("one", "{}");
  traced.response.headers.Add(std::string(lambda::kTraceIdHeader),
                              "Root=1-00000000-000000000000000000000001");
  FakeRuntimeApi server(testing::ServeEvents({traced, EventReply("two", "{}")}));
  std::vector<std::thread::id> threads;
  std::vector<std::optional<std::string>> environment_seen;
  RunOptions options;
  options.environment = ManagedEnvironment(server, "1");
  const int code = zerostart::Run(
      [&](const Invocation&) {
        threads.push_back(std::this_thread::get_id());
        const char* value = std::getenv("_X_AMZN_TRACE_ID");
        environment_seen.push_back(value ? std::optional<std::string>(value) : std::nullopt);
        return Response::Success("{}");
      },
      options);
  EXPECT_EQ(code, kExitLambdaGone);
  EXPECT_EQ(threads, (std::vector<std::thread::id>(2, std::this_thread::get_id())));
  EXPECT_EQ(environment_seen, (std::vector<std::optional<std::string>>{
                                  "Root=1-00000000-000000000000000000000001", std::nullopt}));
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(WorkersTest, AnInvalidMaxConcurrencyIsAConfigurationError) {
  for (const char* bad : {"0", "-2", "four", "4 ", "+4", "1601", "99999999999"}) {
    SCOPED_TRACE(bad);
    FakeRuntimeApi server(EventsThenFail(1), {}, Connections::kConcurrent);
    RunOptions options;
    options.environment = ManagedEnvironment(server, bad);
    ::testing::internal::CaptureStderr();
    const int code =
        zerostart::Run([](const Invocation&) { return Response::Success(""); }, options);
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, kExitBadEnvironment);
    EXPECT_EQ(CountOf(err, "\n"), 1u) << err;
    EXPECT_NE(err.find("AWS_LAMBDA_MAX_CONCURRENCY='" + std::string(bad) + "'"), std::string::npos)
        << err;
    EXPECT_TRUE(server.requests().empty());
  }
}

}  // namespace
}  // namespace zerostart::runtime
