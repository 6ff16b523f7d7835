// Streamed responses on the wire: zerostart::RunStreaming and RuntimeApiClient's streaming
// calls against FakeRuntimeApi, which reads a body piece by piece as it arrives. Handlers wait
// on what the server has received (never on the clock) to show that each Write reaches Lambda
// before it returns.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"
#include "src/runtime/runtime_api_client.h"
#include "src/runtime/testing/fake_runtime_api.h"
#include "zerostart/stream.h"

namespace zerostart::runtime {
namespace {

using testing::AcceptedReply;
using testing::EventReply;
using testing::FakeRuntimeApi;
using testing::Reply;
using testing::ServeEvents;
using namespace std::string_literals;

// Bounds only a failing test: a passing one is woken by the event it waits for.
constexpr std::chrono::seconds kStreamEventTimeout{20};

// Counts the body pieces of streamed requests that reached the server; handlers wait on it.
class StreamedPieceCounter {
 public:
  void Add() {
    {
      std::lock_guard lock(mutex_);
      ++pieces_;
    }
    changed_.notify_all();
  }
  // True once `count` pieces have arrived; false after kStreamEventTimeout.
  bool WaitFor(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kStreamEventTimeout, [&] { return pieces_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t pieces_ = 0;
};

bool IsStreamed(const http::Request& request) {
  return request.headers.Get(lambda::kResponseModeHeader) == lambda::kResponseModeStreaming;
}

int RunStreamingAgainst(const FakeRuntimeApi& server, const StreamingHandler& handler) {
  RunOptions options;
  options.environment = {{"AWS_LAMBDA_RUNTIME_API", server.address()},
                         {"ZEROSTART_RUNTIME_RETRY_MS", "20"}};
  return RunStreaming(handler, options);
}

// The POSTs received, in order, with their index among all requests.
std::vector<std::pair<size_t, http::Request>> IndexedPosts(const FakeRuntimeApi& server) {
  std::vector<std::pair<size_t, http::Request>> posts;
  std::vector<http::Request> requests = server.requests();
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].method == "POST") posts.emplace_back(i, std::move(requests[i]));
  }
  return posts;
}

std::string HeaderOrAbsent(const http::Headers& headers, std::string_view name) {
  return std::string(headers.Get(name).value_or("<absent>"));
}

// The error JSON carried by the Lambda-Runtime-Function-Error-Body trailer.
nlohmann::json ErrorBodyTrailer(const http::Request& request) {
  std::optional<std::string_view> encoded = request.trailers.Get(lambda::kFunctionErrorBodyTrailer);
  if (!encoded) {
    ADD_FAILURE() << "no error body trailer";
    return {};
  }
  Result<std::string> json = Base64Decode(*encoded);
  if (!json.ok()) {
    ADD_FAILURE() << json.status().ToString();
    return {};
  }
  return nlohmann::json::parse(*json);
}

RetryPolicy StreamingTestRetry() {
  RetryPolicy retry;
  retry.budget = std::chrono::milliseconds(20);
  retry.empty_poll_delay = std::chrono::milliseconds(1);
  return retry;
}

TEST(ResponseStreamingTest, EachWriteReachesLambdaAsAChunkBeforeItReturns) {
  StreamedPieceCounter arrived;
  FakeRuntimeApi server(ServeEvents({EventReply("s1", "{}")}),
                        [&](const http::Request& head, std::string_view, size_t) {
                          if (IsStreamed(head)) arrived.Add();
                          return true;
                        });
  std::vector<bool> seen_before_next_write;
  int code = RunStreamingAgainst(server, [&](const Invocation&, ResponseStream& out) {
    ASSERT_TRUE(out.SetContentType("text/plain; charset=utf-8").ok());
    ASSERT_TRUE(out.Write("one").ok());
    seen_before_next_write.push_back(arrived.WaitFor(1));
    ASSERT_TRUE(out.Write("two").ok());
    seen_before_next_write.push_back(arrived.WaitFor(2));
    ASSERT_TRUE(out.Write("three").ok());
    EXPECT_EQ(out.bytes_written(), 11u);
  });
  EXPECT_EQ(code, 1);
  EXPECT_EQ(seen_before_next_write, (std::vector<bool>{true, true}));

  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 1u);
  const http::Request& post = posts[0].second;
  EXPECT_EQ(post.target, "/2018-06-01/runtime/invocation/s1/response");
  EXPECT_EQ(HeaderOrAbsent(post.headers, "Lambda-Runtime-Function-Response-Mode"), "streaming");
  EXPECT_EQ(HeaderOrAbsent(post.headers, "Transfer-Encoding"), "chunked");
  EXPECT_EQ(HeaderOrAbsent(post.headers, "Trailer"),
            "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body");
  EXPECT_EQ(HeaderOrAbsent(post.headers, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(post.headers.Has("Content-Length"));
  EXPECT_EQ(HeaderOrAbsent(post.headers, "Host"), server.address());
  EXPECT_EQ(post.body, "onetwothree");
  EXPECT_EQ(server.body_pieces(posts[0].first), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(post.trailers.empty());
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(ResponseStreamingTest, AnErrorAfterBytesTravelsAsTrailers) {
  FakeRuntimeApi server(ServeEvents({EventReply("fail", "fail"), EventReply("throw", "throw"),
                                     EventReply("ok", "ok")}));
  int code = RunStreamingAgainst(server, [](const Invocation& inv, ResponseStream& out) {
    ASSERT_TRUE(out.Write("partial ").ok());
    if (inv.payload == "fail") {
      out.Fail(FunctionError{"MyError", "went wrong: ünïcödé \"q\"", {"frame 0", "frame 1"}});
      EXPECT_EQ(out.Write("more").code(), StatusCode::kFailedPrecondition);
    } else if (inv.payload == "throw") {
      throw std::runtime_error("thrown after bytes");
    }
  });
  EXPECT_EQ(code, 1);
  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 3u);
  for (const auto& [index, post] : posts) {
    SCOPED_TRACE(post.target);
    EXPECT_TRUE(IsStreamed(post));
    EXPECT_EQ(post.body, "partial ");
  }
  const http::Request& failed = posts[0].second;
  EXPECT_EQ(failed.target, "/2018-06-01/runtime/invocation/fail/response");
  EXPECT_EQ(HeaderOrAbsent(failed.trailers, "Lambda-Runtime-Function-Error-Type"), "MyError");
  nlohmann::json body = ErrorBodyTrailer(failed);
  EXPECT_EQ(body["errorType"], "MyError");
  EXPECT_EQ(body["errorMessage"], "went wrong: ünïcödé \"q\"");
  EXPECT_EQ(body["stackTrace"], nlohmann::json::array({"frame 0", "frame 1"}));

  const http::Request& thrown = posts[1].second;
  EXPECT_EQ(HeaderOrAbsent(thrown.trailers, "Lambda-Runtime-Function-Error-Type"),
            "std::runtime_error");
  EXPECT_EQ(ErrorBodyTrailer(thrown),
            nlohmann::json::parse(
                R"({"errorMessage":"thrown after bytes","errorType":"std::runtime_error","stackTrace":[]})"));

  EXPECT_TRUE(posts[2].second.trailers.empty());  // the loop went on
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(ResponseStreamingTest, AnErrorBeforeAnyByteIsPostedToErrorAsForABufferedHandler) {
  FakeRuntimeApi server(ServeEvents({EventReply("fail", "fail"), EventReply("throw", "throw"),
                                     EventReply("typed", "typed-then-throw"),
                                     EventReply("empty", "empty-write-then-throw")}));
  RunStreamingAgainst(server, [](const Invocation& inv, ResponseStream& out) {
    if (inv.payload == "fail") {
      out.Fail(FunctionError{"", "no type", {}});
      return;
    }
    if (inv.payload == "typed-then-throw") {
      ASSERT_TRUE(out.SetContentType("text/html").ok());
    }
    if (inv.payload == "empty-write-then-throw") {
      ASSERT_TRUE(out.Write("").ok());
    }
    throw std::invalid_argument("bad event");
  });
  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 4u);
  std::vector<std::string> ids = {"fail", "throw", "typed", "empty"};
  for (size_t i = 0; i < posts.size(); ++i) {
    const http::Request& post = posts[i].second;
    SCOPED_TRACE(ids[i]);
    EXPECT_EQ(post.target, "/2018-06-01/runtime/invocation/" + ids[i] + "/error");
    EXPECT_FALSE(IsStreamed(post));
    EXPECT_FALSE(post.headers.Has("Transfer-Encoding"));
    EXPECT_EQ(HeaderOrAbsent(post.headers, "Content-Type"), "application/json");
    EXPECT_EQ(HeaderOrAbsent(post.headers, "Content-Length"), std::to_string(post.body.size()));
  }
  EXPECT_EQ(posts[0].second.body, R"({"errorMessage":"no type","errorType":"Unhandled","stackTrace":[]})");
  EXPECT_EQ(HeaderOrAbsent(posts[0].second.headers, "Lambda-Runtime-Function-Error-Type"), "Unhandled");
  for (size_t i = 1; i < posts.size(); ++i) {
    EXPECT_EQ(HeaderOrAbsent(posts[i].second.headers, "Lambda-Runtime-Function-Error-Type"),
              "std::invalid_argument");
    EXPECT_EQ(posts[i].second.body,
              R"({"errorMessage":"bad event","errorType":"std::invalid_argument","stackTrace":[]})");
  }
}

TEST(ResponseStreamingTest, HttpPreludeBytesOnTheWire) {
  FakeRuntimeApi server(ServeEvents({EventReply("url", "{}")}));
  RunStreamingAgainst(server, [](const Invocation&, ResponseStream& out) {
    HttpResponseHead head;
    head.status_code = 202;
    head.headers = {{"content-type", "text/event-stream"}, {"cache-control", "no-cache"}};
    head.cookies = {"session=1; HttpOnly"};
    ASSERT_TRUE(StartHttpResponse(out, head).ok());
    ASSERT_TRUE(out.Write("data: 1\n\n").ok());
  });
  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 1u);
  const http::Request& post = posts[0].second;
  EXPECT_EQ(HeaderOrAbsent(post.headers, "Content-Type"),
            "application/vnd.awslambda.http-integration-response");
  EXPECT_EQ(post.body,
            R"({"statusCode":202,"headers":{"content-type":"text/event-stream","cache-control":"no-cache"},)"
            R"("cookies":["session=1; HttpOnly"]})"s +
                std::string(8, '\0') + "data: 1\n\n");
}

TEST(ResponseStreamingTest, LambdaRefusingTheStreamIsWhatFinishReturnsAndTheLoopGoesOn) {
  FakeRuntimeApi server([](const http::Request& request, size_t index) {
    if (request.method == "GET") {
      if (index > 4) return testing::StopReply();
      return EventReply("id" + std::to_string(index), "{}");
    }
    Reply reply;
    reply.response.status = index == 1 ? 413 : index == 3 ? 500 : 202;
    reply.response.body = R"({"errorType":"Refused"})";
    return reply;
  });
  std::vector<Status> finished;
  int code = RunStreamingAgainst(server, [&](const Invocation&, ResponseStream& out) {
    ASSERT_TRUE(out.Write(std::string(1000, 'x')).ok());
    finished.push_back(out.Finish());
  });
  EXPECT_EQ(code, 1);
  ASSERT_EQ(finished.size(), 3u);
  EXPECT_EQ(finished[0].code(), StatusCode::kResourceExhausted);
  EXPECT_NE(finished[0].message().find("413"), std::string::npos) << finished[0].ToString();
  EXPECT_EQ(finished[1].code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(finished[1].message().find("Refused"), std::string::npos) << finished[1].ToString();
  EXPECT_TRUE(finished[2].ok());
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(ResponseStreamingTest, AConnectionBrokenMidStreamLosesOnlyThatInvoke) {
  // The server drops the connection as soon as the first streamed piece of "lost" arrives.
  FakeRuntimeApi server(ServeEvents({EventReply("lost", "lost"), EventReply("after", "after")}),
                        [](const http::Request& head, std::string_view, size_t) {
                          return head.target.find("/lost/") == std::string::npos;
                        });
  Status broken;
  Status finish_after_break;
  bool closed_seen = false;
  int code = RunStreamingAgainst(server, [&](const Invocation& inv, ResponseStream& out) {
    ASSERT_TRUE(out.Write("first").ok());
    if (inv.payload != "lost") return;
    closed_seen = server.WaitForClosedConnections(1, kStreamEventTimeout);
    // The first write after the close may still be taken by the kernel; the peer's reset then
    // fails one of the next ones.
    for (int i = 0; i < 1000 && broken.ok(); ++i) broken = out.Write("more");
    EXPECT_EQ(out.Write("again").code(), StatusCode::kUnavailable);
    finish_after_break = out.Finish();
  });
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(closed_seen);
  EXPECT_EQ(broken.code(), StatusCode::kUnavailable) << broken.ToString();
  EXPECT_EQ(finish_after_break.code(), StatusCode::kUnavailable);
  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].second.target, "/2018-06-01/runtime/invocation/lost/response");
  EXPECT_EQ(posts[1].second.target, "/2018-06-01/runtime/invocation/after/response");
  EXPECT_EQ(posts[1].second.body, "first");
  EXPECT_EQ(server.connections_accepted(), 2u);  // reconnected for /next
}

TEST(ResponseStreamingTest, AKeptAliveConnectionClosedAfterNextIsReplacedBeforeTheStream) {
  // "quiet": the server closes after the /next reply without saying so; "announced": it sends
  // Connection: close. Either way nothing of the streamed response may be lost.
  FakeRuntimeApi server([](const http::Request& request, size_t index) {
    if (request.method == "POST") return AcceptedReply();
    if (index > 2) return testing::StopReply();
    Reply reply = EventReply(index == 0 ? "quiet" : "announced", "{}");
    reply.close_after = true;
    if (index != 0) reply.response.headers.Add("Connection", "close");
    return reply;
  });
  bool closed_seen = false;
  int code = RunStreamingAgainst(server, [&](const Invocation& inv, ResponseStream& out) {
    if (inv.request_id == "quiet") closed_seen = server.WaitForClosedConnections(1, kStreamEventTimeout);
    ASSERT_TRUE(out.Write("a").ok());
    ASSERT_TRUE(out.Write("b").ok());
    EXPECT_TRUE(out.Finish().ok());
  });
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(closed_seen);
  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].second.target, "/2018-06-01/runtime/invocation/quiet/response");
  EXPECT_EQ(posts[0].second.body, "ab");
  EXPECT_EQ(posts[1].second.target, "/2018-06-01/runtime/invocation/announced/response");
  EXPECT_EQ(posts[1].second.body, "ab");
}

TEST(ResponseStreamingTest, BufferedAndStreamedAnswersShareTheKeptAliveConnection) {
  FakeRuntimeApi server(ServeEvents({EventReply("b1", "{}"), EventReply("s1", "{}"),
                                     EventReply("e1", "{}"), EventReply("s2", "{}"),
                                     EventReply("b2", "{}")}));
  Result<RuntimeApiEndpoint> endpoint = ParseRuntimeApiEndpoint(server.address());
  ASSERT_TRUE(endpoint.ok());
  RuntimeApiClient client(*endpoint, StreamingTestRetry());
  Invocation inv;

  ASSERT_TRUE(client.Next(&inv).ok());
  Response buffered = Response::Success("whole");
  ASSERT_TRUE(client.Respond(inv, &buffered).ok());

  ASSERT_TRUE(client.Next(&inv).ok());
  ASSERT_TRUE(client.BeginStream(inv, "").ok());
  ASSERT_TRUE(client.WriteChunk("st").ok());
  ASSERT_TRUE(client.WriteChunk("ream").ok());
  ASSERT_TRUE(client.EndStream(nullptr).ok());

  ASSERT_TRUE(client.Next(&inv).ok());
  ASSERT_TRUE(client.ReportError(inv, FunctionError{"E", "before bytes", {}}).ok());

  ASSERT_TRUE(client.Next(&inv).ok());
  ASSERT_TRUE(client.BeginStream(inv, "text/plain").ok());
  ASSERT_TRUE(client.WriteChunk("half").ok());
  FunctionError error{"Midway", "after bytes", {}};
  ASSERT_TRUE(client.EndStream(&error).ok());

  ASSERT_TRUE(client.Next(&inv).ok());
  buffered = Response::Success("whole again");
  ASSERT_TRUE(client.Respond(inv, &buffered).ok());
  EXPECT_EQ(client.Next(&inv).code(), StatusCode::kUnavailable);

  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 5u);
  EXPECT_EQ(posts[0].second.body, "whole");
  EXPECT_EQ(HeaderOrAbsent(posts[0].second.headers, "Content-Length"), "5");
  EXPECT_EQ(posts[1].second.body, "stream");
  EXPECT_TRUE(IsStreamed(posts[1].second));
  EXPECT_FALSE(posts[1].second.headers.Has("Content-Type"));  // none given: none sent
  EXPECT_EQ(posts[2].second.target, "/2018-06-01/runtime/invocation/e1/error");
  EXPECT_EQ(posts[3].second.body, "half");
  EXPECT_EQ(HeaderOrAbsent(posts[3].second.trailers, "Lambda-Runtime-Function-Error-Type"), "Midway");
  EXPECT_EQ(ErrorBodyTrailer(posts[3].second)["errorMessage"], "after bytes");
  EXPECT_EQ(posts[4].second.body, "whole again");
  EXPECT_FALSE(IsStreamed(posts[4].second));
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(ResponseStreamingTest, StreamingCallsOutOfOrderAreRefused) {
  FakeRuntimeApi server(ServeEvents({EventReply("x", "{}")}));
  Result<RuntimeApiEndpoint> endpoint = ParseRuntimeApiEndpoint(server.address());
  ASSERT_TRUE(endpoint.ok());
  RuntimeApiClient client(*endpoint, StreamingTestRetry());
  Invocation inv;
  ASSERT_TRUE(client.Next(&inv).ok());
  EXPECT_EQ(client.WriteChunk("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(client.EndStream(nullptr).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(client.BeginStream(inv, "").ok());
  EXPECT_EQ(client.BeginStream(inv, "").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(client.EndStream(nullptr).ok());
  auto posts = IndexedPosts(server);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].second.body, "");
}

}  // namespace
}  // namespace zerostart::runtime
