// zerostart::Run end to end, in-process, against FakeRuntimeApi. The fake ends each run by
// closing and refusing connections; the bounded retry (ZEROSTART_RUNTIME_RETRY_MS, small here)
// then makes Run() return.
#include "zerostart/runtime.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/go1x/messages.h"
#include "src/go1x/stream_reader.h"
#include "src/gob/encoder.h"
#include "src/runtime/runtime_api_client.h"
#include "src/runtime/testing/fake_runtime_api.h"
#include "zerostart/stream.h"

namespace zerostart {
namespace {

using runtime::testing::AcceptedReply;
using runtime::testing::EventReply;
using runtime::testing::FakeRuntimeApi;
using runtime::testing::Reply;
using runtime::testing::ServeEvents;

struct MyDomainError : std::logic_error {
  using std::logic_error::logic_error;
};

int RunAgainst(const FakeRuntimeApi& server, const Handler& handler, InitFunction init = {},
               std::string endpoint = "") {
  RunOptions options;
  options.init = std::move(init);
  options.environment = {
      {"AWS_LAMBDA_RUNTIME_API", endpoint.empty() ? server.address() : endpoint},
      {"ZEROSTART_RUNTIME_RETRY_MS", "20"}};
  return Run(handler, options);
}

Response Echo(const Invocation& inv) { return Response::Success(inv.payload, inv.content_type); }

// The POSTs the server received, in order.
std::vector<http::Request> Posts(const FakeRuntimeApi& server) {
  std::vector<http::Request> posts;
  for (http::Request& r : server.requests()) {
    if (r.method == "POST") posts.push_back(std::move(r));
  }
  return posts;
}

TEST(RunTest, ServesEventsThenReturnsNonZeroQuicklyWhenTheServerGoes) {
  FakeRuntimeApi server(ServeEvents({EventReply("a", "1"), EventReply("b", R"({"x":2})"),
                                     EventReply("c", "three", "text/plain")}));
  auto start = std::chrono::steady_clock::now();
  int code = RunAgainst(server, Echo);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(code, 1);
  // Three events and a 20 ms retry budget take a few tens of ms: 2 s leaves the rest to load.
  EXPECT_LT(elapsed, std::chrono::seconds(2));

  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 7u);  // (next, response) x 3, then the refused next
  std::vector<http::Request> posts = Posts(server);
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].target, "/2018-06-01/runtime/invocation/a/response");
  EXPECT_EQ(posts[0].body, "1");
  EXPECT_EQ(posts[1].body, R"({"x":2})");
  EXPECT_EQ(posts[2].target, "/2018-06-01/runtime/invocation/c/response");
  EXPECT_EQ(posts[2].body, "three");
  EXPECT_EQ(posts[2].headers.Get("Content-Type"), "text/plain");
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(RunTest, HandlerFailuresArePostedAndTheLoopGoesOn) {
  FakeRuntimeApi server(ServeEvents({EventReply("std", "std"), EventReply("custom", "custom"),
                                     EventReply("int", "int"), EventReply("failure", "failure"),
                                     EventReply("unhandled", "unhandled"),
                                     EventReply("ok", "ok")}));
  int code = RunAgainst(server, [](const Invocation& inv) -> Response {
    if (inv.payload == "std") throw std::runtime_error("ünïcödé broke\n\"here\"");
    if (inv.payload == "custom") throw MyDomainError("domain");
    if (inv.payload == "int") throw 42;
    if (inv.payload == "failure") return Response::Failure("MyError", "returned");
    if (inv.payload == "unhandled") return Response::Failure("", "no type");
    return Response::Success("fine");
  });
  EXPECT_EQ(code, 1);
  std::vector<http::Request> posts = Posts(server);
  ASSERT_EQ(posts.size(), 6u);
  struct Expected {
    std::string target_id, type, message;
  };
  std::vector<Expected> expected = {
      {"std", "std::runtime_error", "ünïcödé broke\n\"here\""},
      {"custom", "zerostart::(anonymous namespace)::MyDomainError", "domain"},
      {"int", "UnknownException", "int thrown"},
      {"failure", "MyError", "returned"},
      {"unhandled", "Unhandled", "no type"},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].target_id);
    EXPECT_EQ(posts[i].target, "/2018-06-01/runtime/invocation/" + expected[i].target_id + "/error");
    EXPECT_EQ(posts[i].headers.Get("Lambda-Runtime-Function-Error-Type"), expected[i].type);
    nlohmann::json body = nlohmann::json::parse(posts[i].body);
    EXPECT_EQ(body["errorType"], expected[i].type);
    EXPECT_EQ(body["errorMessage"], expected[i].message);
    EXPECT_TRUE(body["stackTrace"].is_array());
  }
  // The raw bytes carry the UTF-8 unchanged (not \u escapes, not \uffff).
  EXPECT_NE(posts[0].body.find("ünïcödé"), std::string::npos);
  EXPECT_EQ(posts[5].target, "/2018-06-01/runtime/invocation/ok/response");
  EXPECT_EQ(posts[5].body, "fine");
}

TEST(RunTest, HandlersSeeTheFunctionContextReadOnceAtStart) {
  FakeRuntimeApi server(ServeEvents({EventReply("a", "{}"), EventReply("b", "{}")}));
  RunOptions options;
  options.environment = {{"AWS_LAMBDA_RUNTIME_API", server.address()},
                         {"ZEROSTART_RUNTIME_RETRY_MS", "20"},
                         {"AWS_LAMBDA_FUNCTION_NAME", "fn"},
                         {"AWS_LAMBDA_FUNCTION_VERSION", "3"},
                         {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"},
                         {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/fn"},
                         {"AWS_LAMBDA_LOG_STREAM_NAME", "s"},
                         {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"}};
  std::vector<const FunctionContext*> seen;
  std::vector<FunctionContext> copies;
  zerostart::Run(
      [&](const Invocation& inv) {
        seen.push_back(inv.function);
        copies.push_back(*inv.function);
        return Response::Success("{}");
      },
      options);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], seen[1]) << "one context for the life of Run(), not one per invoke";
  EXPECT_NE(seen[0], &FunctionContext::None());
  for (const FunctionContext& fn : copies) {
    EXPECT_EQ(fn.function_name, "fn");
    EXPECT_EQ(fn.function_version, "3");
    EXPECT_EQ(fn.memory_size_mb, 256);
    EXPECT_EQ(fn.log_group_name, "/aws/lambda/fn");
    EXPECT_EQ(fn.log_stream_name, "s");
    EXPECT_EQ(fn.initialization_type, "on-demand");
  }
}

TEST(RunTest, StreamingHandlersSeeTheFunctionContextToo) {
  FakeRuntimeApi server(ServeEvents({EventReply("a", "{}")}));
  RunOptions options;
  options.environment = {{"AWS_LAMBDA_RUNTIME_API", server.address()},
                         {"ZEROSTART_RUNTIME_RETRY_MS", "20"},
                         {"AWS_LAMBDA_FUNCTION_NAME", "streamer"}};
  std::string name = "unset";
  zerostart::RunStreaming(
      [&](const Invocation& inv, ResponseStream&) { name = inv.function->function_name; },
      options);
  EXPECT_EQ(name, "streamer");
}

TEST(RunTest, AnInvocationBuiltOutsideRunHasTheEmptyContext) {
  Invocation invocation;
  ASSERT_NE(invocation.function, nullptr);
  EXPECT_EQ(invocation.function->function_name, "");
  EXPECT_EQ(invocation.function, &FunctionContext::None());
}

TEST(RunTest, TraceIdIsExportedDuringTheHandlerOnly) {
  Reply traced = EventReply("t1", "{}");
  traced.response.headers.Add(std::string(lambda::kTraceIdHeader),
                              "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  FakeRuntimeApi server(ServeEvents({traced, EventReply("t2", "{}")}));
  std::vector<std::optional<std::string>> seen;
  RunAgainst(server, [&](const Invocation&) {
    const char* value = std::getenv("_X_AMZN_TRACE_ID");
    seen.push_back(value ? std::optional<std::string>(value) : std::nullopt);
    return Response::Success("{}");
  });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  EXPECT_EQ(seen[1], std::nullopt);
  EXPECT_EQ(std::getenv("_X_AMZN_TRACE_ID"), nullptr);
}

TEST(RunTest, InitRunsFirstAndItsFailureIsReported) {
  FakeRuntimeApi server(ServeEvents({EventReply("never", "{}")}));
  bool handler_called = false;
  int code = RunAgainst(
      server,
      [&](const Invocation&) {
        handler_called = true;
        return Response::Success("");
      },
      [] { return FailedPreconditionError("missing MODEL_PATH ü"); });
  EXPECT_EQ(code, 2);
  EXPECT_FALSE(handler_called);
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);  // no /next after a failed init
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(requests[0].headers.Get("Lambda-Runtime-Function-Error-Type"), "Runtime.InitError");
  nlohmann::json body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body["errorMessage"], "missing MODEL_PATH ü");
}

TEST(RunTest, InitThatThrowsIsReportedToo) {
  FakeRuntimeApi server(ServeEvents({}));
  int code = RunAgainst(server, Echo, []() -> Status { throw std::invalid_argument("cfg"); });
  EXPECT_EQ(code, 2);
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.Get("Lambda-Runtime-Function-Error-Type"), "std::invalid_argument");
}

TEST(RunTest, SuccessfulInitRunsBeforeTheFirstNext) {
  FakeRuntimeApi server(ServeEvents({EventReply("a", "{}")}));
  size_t requests_at_init = 99;
  std::string order;
  RunAgainst(
      server,
      [&](const Invocation&) {
        order += "handler ";
        return Response::Success("");
      },
      [&] {
        requests_at_init = server.requests().size();
        order += "init ";
        return OkStatus();
      });
  EXPECT_EQ(requests_at_init, 0u);
  EXPECT_EQ(order, "init handler ");
}

TEST(RunTest, QuirkyServerStillGetsAnswers) {
  // 204, then an event with no content type, no deadline; then one with a 1970 deadline and a
  // chunked body; POSTs answered 200 (cargo-lambda); the connection closed after each reply.
  std::vector<std::chrono::milliseconds> remaining;
  FakeRuntimeApi server([](const http::Request& request, size_t index) {
    Reply reply;
    if (request.method == "POST") {
      reply.response.status = 200;
    } else if (index == 0) {
      reply.response.status = 204;
    } else if (index == 1) {
      reply = EventReply("bare", "p1", /*content_type=*/"", /*deadline_ms=*/"");
    } else if (index == 3) {
      reply.raw =
          "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: old\r\n"
          "Lambda-Runtime-Deadline-Ms: 600000\r\nTransfer-Encoding: chunked\r\n\r\n"
          "2\r\np2\r\n0\r\n\r\n";
    } else {
      return runtime::testing::StopReply();
    }
    reply.close_after = true;
    return reply;
  });
  int code = RunAgainst(server, [&](const Invocation& inv) {
    remaining.push_back(inv.RemainingTime());
    return Response::Success(inv.payload + "!");
  });
  EXPECT_EQ(code, 1);
  std::vector<http::Request> posts = Posts(server);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].target, "/2018-06-01/runtime/invocation/bare/response");
  EXPECT_EQ(posts[0].body, "p1!");
  EXPECT_EQ(posts[1].target, "/2018-06-01/runtime/invocation/old/response");
  EXPECT_EQ(posts[1].body, "p2!");
  ASSERT_EQ(remaining.size(), 2u);
  EXPECT_LT(remaining[0].count(), 0);  // missing deadline: epoch
  EXPECT_LT(remaining[1].count(), 0);  // 1970 deadline: the handler ran anyway
}

TEST(RunTest, RejectedResponseIsLoggedAndServingContinues) {
  FakeRuntimeApi server([](const http::Request& request, size_t index) {
    if (request.method == "POST") {
      Reply reply;
      reply.response.status = index == 1 ? 413 : 202;
      return reply;
    }
    if (index < 4) return EventReply("id" + std::to_string(index), "{}");
    return runtime::testing::StopReply();
  });
  int code = RunAgainst(server, [](const Invocation& inv) {
    return Response::Success(inv.request_id == "id0" ? std::string(7'000'000, 'x') : "small");
  });
  EXPECT_EQ(code, 1);
  std::vector<http::Request> posts = Posts(server);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].body.size(), 7'000'000u);
  EXPECT_EQ(posts[1].target, "/2018-06-01/runtime/invocation/id2/response");
}

TEST(RunTest, ErrorStatusOnNextEndsTheLoop) {
  FakeRuntimeApi server([](const http::Request&, size_t) {
    Reply reply;
    reply.response.status = 500;
    return reply;
  });
  EXPECT_EQ(RunAgainst(server, Echo), 1);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(RunTest, UrlEndpointWithPath) {
  FakeRuntimeApi server(ServeEvents({EventReply("u", "url")}));
  int code = RunAgainst(server, Echo, {},
                        "http://127.0.0.1:" + std::to_string(server.port()) + "/.rt/echo");
  EXPECT_EQ(code, 1);
  std::vector<http::Request> posts = Posts(server);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].target, "/.rt/echo/2018-06-01/runtime/invocation/u/response");
  EXPECT_EQ(posts[0].body, "url");
}

TEST(RunTest, Go1xInitFailureIsLoggedAndExitsNonZero) {
  // go1.x has no init/error message; the port is never bound because init comes first.
  RunOptions options;
  options.environment = {{"_LAMBDA_SERVER_PORT", "8001"}, {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"}};
  options.init = [] { return FailedPreconditionError("no model"); };
  testing::internal::CaptureStderr();
  int code = zerostart::Run(Echo, options);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("no model"), std::string::npos) << err;
}

TEST(RunTest, Go1xOnABusyPortExitsNonZero) {
  Result<UniqueFd> busy = net::Listen({"127.0.0.1", 0});
  ASSERT_TRUE(busy.ok());
  uint16_t port = *net::LocalPort(busy->get());
  RunOptions options;
  options.environment = {{"_LAMBDA_SERVER_PORT", std::to_string(port)}};
  testing::internal::CaptureStderr();
  int code = zerostart::Run(Echo, options);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos) << err;
}

TEST(RunTest, Go1xServesNetRpcWhenTheServerPortIsSet) {
  // Run() never returns while serving go1.x, so it runs in a child process, killed at the end.
  // _LAMBDA_SERVER_PORT wins over AWS_LAMBDA_RUNTIME_API (which points nowhere here).
  uint16_t port;
  {
    Result<UniqueFd> probe = net::Listen({"127.0.0.1", 0});
    ASSERT_TRUE(probe.ok());
    port = *net::LocalPort(probe->get());
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RunOptions options;
    options.environment = {{"_LAMBDA_SERVER_PORT", std::to_string(port)},
                           {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1"}};
    ::_exit(zerostart::Run(Echo, options));
  }
  // Until the child listens (30 s bounds only a failing run).
  Result<UniqueFd> fd = UnavailableError("not yet");
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
       !fd.ok() && std::chrono::steady_clock::now() < until;) {
    fd = net::Connect({"127.0.0.1", port});
    if (!fd.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  timeval timeout{30, 0};
  ::setsockopt(fd->get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  gob::Encoder encoder;
  std::string out;
  go1x::InvokeRequest request;
  request.payload = R"({"hello":"go1.x"})";
  request.request_id = "r-1";
  ASSERT_TRUE(encoder.Encode(go1x::ToGob(go1x::RpcRequestHeader{"Function.Ping", 0}), &out).ok());
  ASSERT_TRUE(encoder.Encode(go1x::ToGob(go1x::PingRequest{}), &out).ok());
  ASSERT_TRUE(encoder.Encode(go1x::ToGob(go1x::RpcRequestHeader{"Function.Invoke", 1}), &out).ok());
  ASSERT_TRUE(encoder.Encode(go1x::ToGob(request), &out).ok());
  ASSERT_TRUE(net::WriteAll(fd->get(), out).ok());
  go1x::GobStreamReader reader(fd->get());
  std::vector<gob::Value> values;
  while (values.size() < 4) {
    Result<std::optional<gob::Value>> v = reader.Next();
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE(v->has_value()) << "end of stream after " << values.size() << " values";
    values.push_back(std::move(**v));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  go1x::RpcResponseHeader header;
  ASSERT_TRUE(go1x::FromGob(values[0], &header).ok());
  EXPECT_EQ(header.service_method, "Function.Ping");
  ASSERT_TRUE(go1x::FromGob(values[2], &header).ok());
  EXPECT_EQ(header.seq, 1u);
  EXPECT_EQ(header.error, "");
  go1x::InvokeResponse response;
  ASSERT_TRUE(go1x::FromGob(values[3], &response).ok());
  EXPECT_FALSE(response.has_error);
  EXPECT_EQ(response.payload, R"({"hello":"go1.x"})");
}

TEST(RunTest, NoProtocolInTheEnvironment) {
  RunOptions options;
  options.environment = {{"PATH", "/usr/bin"}};
  testing::internal::CaptureStderr();
  int code = zerostart::Run(Echo, options);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("AWS_LAMBDA_RUNTIME_API"), std::string::npos) << err;
}

TEST(RunTest, NothingListeningGivesUpQuickly) {
  uint16_t port;
  {
    FakeRuntimeApi gone(ServeEvents({}));
    port = gone.port();
  }
  RunOptions options;
  options.environment = {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + std::to_string(port)},
                         {"ZEROSTART_RUNTIME_RETRY_MS", "30"}};
  testing::internal::CaptureStderr();
  auto start = std::chrono::steady_clock::now();
  int code = zerostart::Run(Echo, options);
  auto elapsed = std::chrono::steady_clock::now() - start;
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  // The 30 ms budget, not the default: the default's sleeps alone take 1.5 s; ~1.4 s spare for load.
  EXPECT_LT(elapsed, runtime::RetryPolicy{}.budget);
  EXPECT_NE(err.find("unreachable after 5 attempts"), std::string::npos) << err;
}

}  // namespace
}  // namespace zerostart
