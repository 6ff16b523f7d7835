// zerostart::Run against a hostile Runtime API (FakeRuntimeApi's write_bytes, drop and reset
// replies): one that trickles its replies, sends a maximal event one byte per chunk, refuses an
// oversized response, vanishes mid-exchange, or floods the runtime with headers. Each run must
// serve correctly, or end with a non-zero exit and one clear error line; never hang on a
// closed socket, never crash.
//
// Every run goes on a thread of its own and is given kRunBound to return. The runs here take
// well under a second: ZEROSTART_RUNTIME_RETRY_MS spreads 20 ms over the bounded retries of
// GET /next (RetryPolicy) and nothing waits on a timer otherwise, so the bound only tells a
// hang from a slow machine (2 shared cores, ASan).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "src/runtime/runtime_api_client.h"
#include "src/runtime/testing/fake_runtime_api.h"
#include "zerostart/runtime.h"

namespace zerostart {
namespace {

using runtime::testing::AcceptedReply;
using runtime::testing::EventReply;
using runtime::testing::FakeRuntimeApi;
using runtime::testing::Reply;
using runtime::testing::StopReply;

constexpr std::chrono::seconds kRunBound{30};
constexpr std::string_view kInvocationPath = "/2018-06-01/runtime/invocation/";

// Run(handler) against `server` on a thread of its own. Returns its exit code, or nothing when
// it had not returned within kRunBound: the server is stopped then (its connections shut down,
// new ones refused), which ends the run before this returns.
std::optional<int> RunBounded(FakeRuntimeApi& server, const Handler& handler) {
  RunOptions options;
  options.environment = {{"AWS_LAMBDA_RUNTIME_API", server.address()},
                         {"ZEROSTART_RUNTIME_RETRY_MS", "20"}};
  std::future<int> run =
      std::async(std::launch::async, [&] { return Run(handler, options); });
  if (run.wait_for(kRunBound) == std::future_status::ready) return run.get();
  server.Stop();
  run.wait();
  return std::nullopt;
}

Response Exclaim(const Invocation& inv) { return Response::Success(inv.payload + "!"); }

std::vector<http::Request> PostsTo(const FakeRuntimeApi& server, std::string_view id,
                                   std::string_view suffix = "/response") {
  std::string target = std::string(kInvocationPath) + std::string(id) + std::string(suffix);
  std::vector<http::Request> posts;
  for (http::Request& r : server.requests()) {
    if (r.method == "POST" && r.target == target) posts.push_back(std::move(r));
  }
  return posts;
}

size_t NextCount(const FakeRuntimeApi& server) {
  size_t count = 0;
  for (const http::Request& r : server.requests()) count += r.method == "GET" ? 1 : 0;
  return count;
}

// The one line of `log` that contains `needle` ("" when none does).
std::string LineWith(const std::string& log, std::string_view needle) {
  size_t at = log.find(needle);
  if (at == std::string::npos) return "";
  size_t begin = log.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return log.substr(begin, log.find('\n', at) - begin);
}

// Replies to GET /next with `events` in order, then StopReply(); POSTs get `post(request)`.
// For the default one-connection-at-a-time server (the script runs on one thread).
template <typename Post>
runtime::testing::Script Events(std::vector<Reply> events, Post post) {
  auto next = std::make_shared<size_t>(0);
  return [events = std::move(events), post, next](const http::Request& request, size_t) {
    if (request.method == "POST") return post(request);
    if (*next >= events.size()) return StopReply();
    return events[(*next)++];
  };
}

Reply Trickled(Reply reply) {
  reply.write_bytes = 1;
  return reply;
}

TEST(HostileServerTest, EventTrickledOneBytePerWriteIsServed) {
  Reply chunked;
  chunked.raw =
      "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: chunked\r\n"
      "Lambda-Runtime-Deadline-Ms: 4102444800000\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  Reply event = EventReply("plain", R"({"k":"v"})");
  event.response.headers.Add(std::string(lambda::kTraceIdHeader), "Root=1-trickle");
  FakeRuntimeApi server(Events({Trickled(event), Trickled(chunked)},
                               [](const http::Request&) { return Trickled(AcceptedReply()); }));
  std::vector<Invocation> seen;
  std::optional<int> code = RunBounded(server, [&](const Invocation& inv) {
    seen.push_back(inv);
    return Exclaim(inv);
  });
  ASSERT_TRUE(code.has_value()) << "Run() hung";
  EXPECT_EQ(*code, 1);  // the server went away after the second event

  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].request_id, "plain");
  EXPECT_EQ(seen[0].payload, R"({"k":"v"})");
  EXPECT_EQ(seen[0].content_type, "application/json");
  EXPECT_EQ(seen[0].trace_id, "Root=1-trickle");
  EXPECT_EQ(seen[0].deadline.time_since_epoch(), std::chrono::milliseconds(4102444800000));
  EXPECT_EQ(seen[1].request_id, "chunked");
  EXPECT_EQ(seen[1].payload, "abcde");
  std::vector<http::Request> plain = PostsTo(server, "plain");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].body, R"({"k":"v"}!)");
  std::vector<http::Request> chunked_posts = PostsTo(server, "chunked");
  ASSERT_EQ(chunked_posts.size(), 1u);
  EXPECT_EQ(chunked_posts[0].body, "abcde!");
  // Both answers went out on the kept-alive connection: a trickled reply is read to its end.
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(HostileServerTest, MaximalEventInOneByteChunksIsServed) {
  // lambda::kMaxPayloadBytes of body, each byte a chunk of its own ("1\r\nX\r\n": 6 bytes of
  // wire per byte of payload, 38 MB in all). Six million single-byte write(2)s are too slow
  // under ASan, so the server writes the chunks in batches of 64 KiB; the parser still decodes
  // six million chunks, split at arbitrary points across reads.
  std::string payload(lambda::kMaxPayloadBytes, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  Reply event;
  event.raw =
      "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: big\r\n"
      "Lambda-Runtime-Deadline-Ms: 4102444800000\r\nContent-Type: application/octet-stream\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  event.raw.reserve(event.raw.size() + payload.size() * 6 + 5);
  for (char c : payload) {
    event.raw += "1\r\n";
    event.raw += c;
    event.raw += "\r\n";
  }
  event.raw += "0\r\n\r\n";
  event.write_bytes = 64 * 1024;
  FakeRuntimeApi server(
      Events({std::move(event)}, [](const http::Request&) { return AcceptedReply(); }));
  std::optional<int> code = RunBounded(server, [&](const Invocation& inv) {
    return Response::Success(inv.payload == payload ? "same" : "different", "text/plain");
  });
  ASSERT_TRUE(code.has_value()) << "Run() hung";
  EXPECT_EQ(*code, 1);
  std::vector<http::Request> posts = PostsTo(server, "big");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].body, "same");
}

TEST(HostileServerTest, ResponsesAtTheLimitAndOneByteOver) {
  // The runtime does not police the size itself: it sends both, and Lambda (here, as RIE does)
  // refuses the larger with 413 and its JSON. The refusal is one clear line, and the loop goes
  // on to the next event.
  const std::string too_large_json =
      R"({"errorMessage":"Exceeded maximum allowed payload size ()" +
      std::to_string(lambda::kMaxPayloadBytes) + R"( bytes).","errorType":"RequestEntityTooLarge"})";
  FakeRuntimeApi server(Events(
      {EventReply("at", "{}"), EventReply("over", "{}"), EventReply("after", "{}")},
      [&](const http::Request& request) {
        if (request.body.size() <= lambda::kMaxPayloadBytes) return AcceptedReply();
        Reply reply;
        reply.response.status = 413;
        reply.response.headers.Add(std::string(lambda::kContentTypeHeader),
                                   std::string(lambda::kJsonContentType));
        reply.response.body = too_large_json;
        return reply;
      }));
  ::testing::internal::CaptureStderr();
  std::optional<int> code = RunBounded(server, [](const Invocation& inv) {
    if (inv.request_id == "at") return Response::Success(std::string(lambda::kMaxPayloadBytes, 'a'));
    if (inv.request_id == "over") {
      return Response::Success(std::string(lambda::kMaxPayloadBytes + 1, 'o'));
    }
    return Response::Success("small");
  });
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(code.has_value()) << "Run() hung";
  EXPECT_EQ(*code, 1);

  std::vector<http::Request> at = PostsTo(server, "at");
  ASSERT_EQ(at.size(), 1u);
  EXPECT_EQ(at[0].body, std::string(lambda::kMaxPayloadBytes, 'a'));
  std::vector<http::Request> over = PostsTo(server, "over");
  ASSERT_EQ(over.size(), 1u);  // a 413 is an answer: not resent
  EXPECT_EQ(over[0].body, std::string(lambda::kMaxPayloadBytes + 1, 'o'));
  std::vector<http::Request> after = PostsTo(server, "after");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].body, "small");

  std::string refusal = LineWith(log, "invoke over");
  EXPECT_NE(refusal.find("result not accepted"), std::string::npos) << log;
  EXPECT_NE(refusal.find("HTTP 413"), std::string::npos) << log;
  EXPECT_NE(refusal.find("RequestEntityTooLarge"), std::string::npos) << log;
  EXPECT_EQ(LineWith(log, "invoke at"), "") << log;
}

// The server reads POST .../lost/response, then closes the connection unanswered, every time;
// the next event is served normally.
void ResponseConnectionDroppedUnanswered(bool reset) {
  FakeRuntimeApi server(Events({EventReply("lost", "1"), EventReply("found", "2")},
                               [reset](const http::Request& request) {
                                 if (request.target.find("/lost/") == std::string::npos) {
                                   return AcceptedReply();
                                 }
                                 Reply reply;
                                 reply.drop = true;
                                 reply.reset = reset;
                                 return reply;
                               }));
  ::testing::internal::CaptureStderr();
  std::optional<int> code = RunBounded(server, Exclaim);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(code.has_value()) << "Run() hung";
  EXPECT_EQ(*code, 1);
  // Sent on the kept-alive /next connection, then once more on a new one: nothing of an answer
  // had been read, so the resend is safe; the second loss is final.
  EXPECT_EQ(PostsTo(server, "lost").size(), 2u);
  std::vector<http::Request> found = PostsTo(server, "found");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].body, "2!");
  EXPECT_NE(LineWith(log, "invoke lost").find("result not accepted"), std::string::npos) << log;
}

TEST(HostileServerTest, ResponseConnectionClosedBeforeTheAnswer) {
  ResponseConnectionDroppedUnanswered(/*reset=*/false);
}

TEST(HostileServerTest, ResponseConnectionResetBeforeTheAnswer) {
  ResponseConnectionDroppedUnanswered(/*reset=*/true);
}

// A /next reply that stops short, then closes (`reset`: with an RST).
Reply CutShort(std::string raw, bool reset) {
  Reply reply;
  reply.raw = std::move(raw);
  reply.close_after = true;
  reply.reset = reset;
  return reply;
}

constexpr std::string_view kHalfHead =
    "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: half\r\nLambda-Runtime-Dead";

TEST(HostileServerTest, NextCutShortIsRetriedAndServingGoesOn) {
  // Fewer failures in a row than RetryPolicy::attempts: each is retried, the event after them
  // is served.
  Reply half_body = CutShort(
      "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: cut\r\nContent-Length: 100\r\n\r\n{\"a\":",
      false);
  static_assert(3 < runtime::RetryPolicy{}.attempts);
  FakeRuntimeApi server(Events({CutShort(std::string(kHalfHead), false),
                                CutShort(std::string(kHalfHead), true), half_body,
                                EventReply("whole", "w")},
                               [](const http::Request&) { return AcceptedReply(); }));
  std::vector<std::string> served;
  std::optional<int> code = RunBounded(server, [&](const Invocation& inv) {
    served.push_back(inv.request_id);
    return Exclaim(inv);
  });
  ASSERT_TRUE(code.has_value()) << "Run() hung";
  EXPECT_EQ(*code, 1);
  EXPECT_EQ(served, std::vector<std::string>{"whole"});
  std::vector<http::Request> whole = PostsTo(server, "whole");
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].body, "w!");
}

// Every /next is answered with `reply`: Run() gives up after RetryPolicy::attempts tries, with
// one "stopping" line that names the cause. Returns that line.
std::string RunAgainstEveryNext(Reply reply) {
  FakeRuntimeApi server([reply](const http::Request&, size_t) { return reply; });
  ::testing::internal::CaptureStderr();
  bool handled = false;
  std::optional<int> code = RunBounded(server, [&](const Invocation& inv) {
    handled = true;
    return Exclaim(inv);
  });
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(code.has_value()) << "Run() hung";
  EXPECT_EQ(code.value_or(0), 1);
  EXPECT_FALSE(handled);
  EXPECT_EQ(NextCount(server), static_cast<size_t>(runtime::RetryPolicy{}.attempts));
  return LineWith(log, "runtime: stopping:");
}

TEST(HostileServerTest, NextAlwaysClosedMidHeadEndsTheRun) {
  std::string stopping = RunAgainstEveryNext(CutShort(std::string(kHalfHead), false));
  EXPECT_NE(stopping.find("attempts"), std::string::npos) << stopping;
  EXPECT_NE(stopping.find("connection closed inside a message head"), std::string::npos)
      << stopping;
}

TEST(HostileServerTest, NextAlwaysResetMidHeadEndsTheRun) {
  std::string stopping = RunAgainstEveryNext(CutShort(std::string(kHalfHead), true));
  EXPECT_NE(stopping.find("attempts"), std::string::npos) << stopping;
  EXPECT_NE(stopping.find("Connection reset by peer"), std::string::npos) << stopping;
}

TEST(HostileServerTest, TenThousandHeadersEndTheRunAtTheHeaderCountLimit) {
  // 50 KB of head: under the parser's head size limit, so the header count limit is the one hit.
  Reply flood;
  flood.raw = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: flood\r\n";
  for (int i = 0; i < 10'000; ++i) flood.raw += "a:b\r\n";
  flood.raw += "Content-Length: 2\r\n\r\n{}";
  std::string stopping = RunAgainstEveryNext(std::move(flood));
  EXPECT_NE(stopping.find("more than 100 header fields"), std::string::npos) << stopping;
}

TEST(HostileServerTest, OneMegabyteHeaderLineEndsTheRunAtTheHeadSizeLimit) {
  Reply flood = EventReply("flood", "{}");
  flood.response.headers.Add("X-Flood", std::string(1024 * 1024, 'v'));
  std::string stopping = RunAgainstEveryNext(std::move(flood));
  EXPECT_NE(stopping.find("message head exceeds the limit"), std::string::npos) << stopping;
}

}  // namespace
}  // namespace zerostart
