// RuntimeApiClient against FakeRuntimeApi: exact requests on the wire, and each server quirk.
#include "src/runtime/runtime_api_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>

#include "src/common/lambda_protocol.h"
#include "src/runtime/testing/fake_runtime_api.h"

namespace zerostart::runtime {
namespace {

using testing::AcceptedReply;
using testing::EventReply;
using testing::FakeRuntimeApi;
using testing::Reply;
using testing::ServeEvents;
using testing::StopReply;

constexpr std::string_view kNext = "/2018-06-01/runtime/invocation/next";

RetryPolicy FastRetry(int budget_ms = 20) {
  RetryPolicy retry;
  retry.budget = std::chrono::milliseconds(budget_ms);
  retry.empty_poll_delay = std::chrono::milliseconds(1);
  return retry;
}

RuntimeApiClient ClientFor(const FakeRuntimeApi& server, RetryPolicy retry = FastRetry()) {
  Result<RuntimeApiEndpoint> endpoint = ParseRuntimeApiEndpoint(server.address());
  EXPECT_TRUE(endpoint.ok());
  return RuntimeApiClient(*endpoint, retry);
}

std::string Header(const http::Request& r, std::string_view name) {
  return std::string(r.headers.Get(name).value_or("<absent>"));
}

TEST(RuntimeApiClientTest, NextIsAPlainGetWithHostAndUserAgent) {
  Reply event = EventReply("id-1", R"({"a":1})");
  event.response.headers.Add(std::string(lambda::kTraceIdHeader), "Root=1-x");
  FakeRuntimeApi server(ServeEvents({event}));
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  EXPECT_EQ(inv.request_id, "id-1");
  EXPECT_EQ(inv.payload, R"({"a":1})");
  EXPECT_EQ(inv.content_type, "application/json");
  EXPECT_EQ(inv.trace_id, "Root=1-x");
  EXPECT_EQ(inv.deadline.time_since_epoch(), std::chrono::milliseconds(4102444800000));

  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, kNext);
  EXPECT_EQ(Header(requests[0], "Host"), server.address());
  EXPECT_EQ(Header(requests[0], "User-Agent").rfind("zerostart/", 0), 0u);
  EXPECT_TRUE(requests[0].body.empty());
}

TEST(RuntimeApiClientTest, RespondPostsThePayloadWithItsContentType) {
  FakeRuntimeApi server(ServeEvents({EventReply("id-1", "in")}));
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  Response response = Response::Success("out \xC3\xBC\n", "text/plain; charset=utf-8");
  ASSERT_TRUE(client.Respond(inv, &response).ok());

  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, "/2018-06-01/runtime/invocation/id-1/response");
  EXPECT_EQ(Header(requests[1], "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Header(requests[1], "Content-Length"), "7");
  EXPECT_EQ(Header(requests[1], "Host"), server.address());
  EXPECT_FALSE(requests[1].headers.Has(lambda::kFunctionErrorTypeHeader));
  EXPECT_EQ(requests[1].body, "out \xC3\xBC\n");
  EXPECT_EQ(server.connections_accepted(), 1u);  // one kept-alive connection
}

TEST(RuntimeApiClientTest, ReportErrorPostsJsonWithTheErrorTypeHeader) {
  FakeRuntimeApi server(ServeEvents({EventReply("id-2", "{}")}));
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  ASSERT_TRUE(
      client.ReportError(inv, FunctionError{"MyError", "bad ünïcödé \"q\"\n", {"f1"}}).ok());

  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const http::Request& post = requests[1];
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.target, "/2018-06-01/runtime/invocation/id-2/error");
  EXPECT_EQ(Header(post, "Lambda-Runtime-Function-Error-Type"), "MyError");
  EXPECT_EQ(Header(post, "Content-Type"), "application/json");
  EXPECT_EQ(post.body,
            R"({"errorMessage":"bad ünïcödé \"q\"\n","errorType":"MyError","stackTrace":["f1"]})");
  nlohmann::json body = nlohmann::json::parse(post.body);
  EXPECT_EQ(body["errorMessage"], "bad ünïcödé \"q\"\n");
}

TEST(RuntimeApiClientTest, ReportInitError) {
  FakeRuntimeApi server([](const http::Request&, size_t) { return AcceptedReply(); });
  RuntimeApiClient client = ClientFor(server);
  ASSERT_TRUE(client.ReportInitError(FunctionError{"Runtime.InitError", "no db", {}}).ok());
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(Header(requests[0], "Lambda-Runtime-Function-Error-Type"), "Runtime.InitError");
  EXPECT_EQ(requests[0].body,
            R"({"errorMessage":"no db","errorType":"Runtime.InitError","stackTrace":[]})");
}

TEST(RuntimeApiClientTest, UrlEndpointPathPrefixGoesBeforeTheApiVersion) {
  FakeRuntimeApi server(ServeEvents({EventReply("id-1", "x")}));
  Result<RuntimeApiEndpoint> endpoint =
      ParseRuntimeApiEndpoint("http://127.0.0.1:" + std::to_string(server.port()) + "/.rt/fn/");
  ASSERT_TRUE(endpoint.ok());
  RuntimeApiClient client(*endpoint, FastRetry());
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  Response response = Response::Success("y");
  ASSERT_TRUE(client.Respond(inv, &response).ok());
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target, "/.rt/fn/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(requests[1].target, "/.rt/fn/2018-06-01/runtime/invocation/id-1/response");
}

TEST(RuntimeApiClientTest, AnyTwoHundredIsSuccessOtherStatusesAreErrorsButNotFatal) {
  std::atomic<int> post_status = 200;
  FakeRuntimeApi server([&](const http::Request& request, size_t) {
    if (request.method == "GET") return EventReply("id", "{}");
    Reply reply;
    reply.response.status = post_status.load();
    reply.response.body = R"({"errorType":"X"})";
    return reply;
  });
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  Response r = Response::Success("a");
  EXPECT_TRUE(client.Respond(inv, &r).ok());  // cargo-lambda answers 200, not 202

  post_status = 413;
  r = Response::Success("a");
  Status too_large = client.Respond(inv, &r);
  EXPECT_EQ(too_large.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_large.message().find("413"), std::string::npos);

  post_status = 403;
  Status forbidden = client.ReportError(inv, FunctionError{"E", "m", {}});
  EXPECT_EQ(forbidden.code(), StatusCode::kFailedPrecondition);
  post_status = 400;
  r = Response::Success("a");
  EXPECT_EQ(client.Respond(inv, &r).code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(client.Next(&inv).ok());  // still usable
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(RuntimeApiClientTest, NoContentOnNextMeansPollAgain) {
  FakeRuntimeApi server([](const http::Request&, size_t index) {
    if (index < 3) {
      Reply reply;
      reply.response.status = 204;
      return reply;
    }
    return EventReply("after-204", "{}");
  });
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  EXPECT_EQ(inv.request_id, "after-204");
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(RuntimeApiClientTest, ChunkedNextBodyWithoutContentType) {
  FakeRuntimeApi server([](const http::Request&, size_t) {
    Reply reply;
    reply.raw =
        "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: chunky\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    return reply;
  });
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  EXPECT_EQ(inv.request_id, "chunky");
  EXPECT_EQ(inv.payload, "hello world");
  EXPECT_TRUE(inv.content_type.empty());  // @vercel/fun sends none; aws-lambda-cpp crashes here
  EXPECT_EQ(inv.deadline.time_since_epoch().count(), 0);
  ASSERT_TRUE(client.Next(&inv).ok());  // the connection is still in sync
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(RuntimeApiClientTest, EventWithoutRequestIdIsSkipped) {
  FakeRuntimeApi server([](const http::Request&, size_t index) {
    return EventReply(index == 0 ? "" : "real", index == 0 ? "orphan" : "ok");
  });
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  EXPECT_EQ(inv.request_id, "real");
  EXPECT_EQ(inv.payload, "ok");
}

TEST(RuntimeApiClientTest, ErrorStatusOnNextIsFatalWithoutRetrying) {
  for (int status : {403, 500}) {
    FakeRuntimeApi server([status](const http::Request&, size_t) {
      Reply reply;
      reply.response.status = status;
      reply.response.body = R"({"errorType":"Runtime.Broken"})";
      return reply;
    });
    RuntimeApiClient client = ClientFor(server);
    Invocation inv;
    Status s = client.Next(&inv);
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find(std::to_string(status)), std::string::npos);
    EXPECT_NE(s.message().find("Runtime.Broken"), std::string::npos);
    EXPECT_EQ(server.requests().size(), 1u);
  }
}

// The server answers and then closes the connection, with or without announcing it: every
// following request must go out again on a new connection, transparently.
void ExpectTransparentReconnects(bool announce_close) {
  FakeRuntimeApi server([announce_close](const http::Request& request, size_t index) {
    Reply reply = request.method == "GET" ? EventReply("id-" + std::to_string(index), "e")
                                          : AcceptedReply();
    reply.close_after = true;
    if (announce_close) reply.response.headers.Add("Connection", "close");
    return reply;
  });
  RuntimeApiClient client = ClientFor(server, FastRetry(/*budget_ms=*/0));
  for (int i = 0; i < 3; ++i) {
    Invocation inv;
    ASSERT_TRUE(client.Next(&inv).ok()) << i;
    std::string payload = "r";
    payload += std::to_string(i);  // (not "r" + ...: GCC 12 -Wrestrict false positive)
    Response r = Response::Success(payload);
    ASSERT_TRUE(client.Respond(inv, &r).ok()) << i;
    ASSERT_TRUE(client.ReportError(inv, FunctionError{"E", "m", {}}).ok()) << i;
  }
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 9u);  // no request was lost or sent twice
  EXPECT_EQ(requests[4].body, "r1");
  EXPECT_EQ(server.connections_accepted(), 9u);
}

TEST(RuntimeApiClientTest, ReconnectsWhenServerSilentlyClosesKeepAlive) {
  ExpectTransparentReconnects(/*announce_close=*/false);
}

TEST(RuntimeApiClientTest, ReconnectsWhenServerSaysConnectionClose) {
  ExpectTransparentReconnects(/*announce_close=*/true);
}

TEST(RuntimeApiClientTest, PostIsNotResentOnceResponseBytesArrived) {
  FakeRuntimeApi server([](const http::Request& request, size_t) {
    if (request.method == "GET") return EventReply("id", "e");
    Reply reply;
    reply.raw = "HTTP/1.1 202 Acc";  // then the connection closes mid-response
    reply.close_after = true;
    return reply;
  });
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  Response r = Response::Success("once");
  EXPECT_FALSE(client.Respond(inv, &r).ok());
  ASSERT_TRUE(client.Next(&inv).ok());  // reconnects for the next call
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[2].method, "GET");
}

TEST(RuntimeApiClientTest, GivesUpAfterBoundedRetriesWhenTheServerIsGone) {
  FakeRuntimeApi server([](const http::Request&, size_t) { return StopReply(); });
  RuntimeApiClient client = ClientFor(server, FastRetry(/*budget_ms=*/150));
  Invocation inv;
  auto start = std::chrono::steady_clock::now();
  Status s = client.Next(&inv);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("after 5 attempts"), std::string::npos) << s.ToString();
  EXPECT_GE(elapsed, std::chrono::milliseconds(140));  // it did back off (load only delays)...
  // ...within its 150 ms budget, not the default: the default's sleeps alone take 1.5 s (~1.3 s
  // spare for a loaded machine).
  EXPECT_LT(elapsed, RetryPolicy{}.budget);
  EXPECT_EQ(server.requests().size(), 1u);  // the rest were refused connections
}

// Holds every GET /next until Release() (or a minute: a failing test's bound only).
class NextHold {
 public:
  Reply Hold() {
    std::unique_lock lock(mutex_);
    released_changed_.wait_for(lock, std::chrono::minutes(1), [&] { return released_; });
    return EventReply("late", "{}");
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_changed_;
  bool released_ = false;
};

TEST(RuntimeApiClientTest, CancelNextWakesANextBlockedInTheLongPoll) {
  NextHold hold;
  FakeRuntimeApi server([&](const http::Request&, size_t) { return hold.Hold(); });
  RuntimeApiClient client = ClientFor(server);
  Status next;
  std::thread poller([&] {
    Invocation inv;
    next = client.Next(&inv);
  });
  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::seconds(30)));
  client.CancelNext();
  poller.join();  // returns while the server still holds the request
  hold.Release();
  EXPECT_EQ(next.code(), StatusCode::kUnavailable);
  EXPECT_NE(next.message().find("cancelled"), std::string::npos) << next.ToString();
  Invocation inv;
  EXPECT_EQ(client.Next(&inv).code(), StatusCode::kUnavailable);  // at once, without a request
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(RuntimeApiClientTest, CancelNextLeavesTheInvocationInHandAnswerable) {
  FakeRuntimeApi server(ServeEvents({EventReply("kept", "{}"), EventReply("never", "{}")}));
  RuntimeApiClient client = ClientFor(server);
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  client.CancelNext();
  client.CancelNext();  // idempotent
  Response response = Response::Success("answered");
  EXPECT_TRUE(client.Respond(inv, &response).ok());
  EXPECT_EQ(client.Next(&inv).code(), StatusCode::kUnavailable);
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/2018-06-01/runtime/invocation/kept/response");
  EXPECT_EQ(requests[1].body, "answered");
}

TEST(RuntimeApiClientTest, CancelNextCutsTheRetryBackoffShort) {
  // The first /next is dropped and connections are refused from then on: the client backs off
  // before its second attempt, 4 s with a minute's budget (1/15 of it).
  FakeRuntimeApi server([](const http::Request&, size_t) { return StopReply(); });
  RetryPolicy slow;
  slow.budget = std::chrono::minutes(1);
  RuntimeApiClient client = ClientFor(server, slow);
  Status next;
  std::thread poller([&] {
    Invocation inv;
    next = client.Next(&inv);
  });
  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::seconds(30)));
  const auto cancelled_at = std::chrono::steady_clock::now();
  client.CancelNext();
  poller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - cancelled_at, slow.DelayBeforeRetry(1));
  EXPECT_EQ(next.code(), StatusCode::kUnavailable);
  EXPECT_NE(next.message().find("cancelled"), std::string::npos) << next.ToString();
}

}  // namespace
}  // namespace zerostart::runtime
