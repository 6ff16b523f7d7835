#include "src/benchmark/invoke_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <thread>

#include "src/common/net.h"

namespace zerostart::benchmark {
namespace {

constexpr std::string_view kAnswer200 =
    "HTTP/1.1 200 OK\r\nX-Amzn-RequestId: id-1\r\nContent-Length: 2\r\n\r\n{}";

// Reads from `fd` until a whole request head and its body of `body_bytes` arrived (or EOF).
std::string ReadRequest(int fd, size_t body_bytes) {
  std::string bytes;
  char buffer[4096];
  for (;;) {
    const size_t end = bytes.find("\r\n\r\n");
    if (end != std::string::npos && bytes.size() >= end + 4 + body_bytes) return bytes;
    Result<size_t> got = net::ReadSome(fd, buffer, sizeof(buffer));
    if (!got.ok() || *got == 0) return bytes;
    bytes.append(buffer, *got);
  }
}

TEST(InvokeClientTest, BuildsTheInvokeAndStreamingRequestsOfAFunction) {
  EXPECT_EQ(RequestBytes(InvokeRequest("fn", "{}")),
            "POST /2015-03-31/functions/fn/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  const http::Request stream = StreamInvokeRequest("fn", "{}", "10.0.0.1:9000");
  EXPECT_EQ(stream.target, "/2021-11-15/functions/fn/response-streaming-invocations");
  EXPECT_EQ(stream.headers.Get("Host"), "10.0.0.1:9000");
  EXPECT_EQ(InvokeBytes("{}"), RequestBytes(InvokeRequest(kServeFunction, "{}")));
  EXPECT_EQ(StreamInvokeBytes("{}"), RequestBytes(StreamInvokeRequest(kServeFunction, "{}")));
}

TEST(InvokeClientTest, TakesTheHeadersAndNamesTheError) {
  http::Response response;
  response.status = 200;
  response.headers.Add("X-Amzn-RequestId", "id-1");
  response.headers.Add("X-Amz-Function-Error", "Unhandled");
  response.headers.Add("X-Amz-Log-Result", "bG9n");
  response.body = R"({"errorType":"MyError","errorMessage":"boom"})";
  Answer answer = AnswerFrom(response);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.request_id, "id-1");
  EXPECT_EQ(answer.function_error, "Unhandled");
  EXPECT_EQ(answer.log_result, "bG9n");
  EXPECT_EQ(ErrorOf(answer), "MyError: boom");
  answer.body = "not json";
  EXPECT_EQ(ErrorOf(answer), "function error: not json");

  Answer throttled;
  throttled.status = 429;
  throttled.error_type = "TooManyRequestsException";
  throttled.body = "slow down";
  EXPECT_EQ(ErrorOf(throttled), "HTTP 429 TooManyRequestsException: slow down");
  Answer none;
  none.failure = "UNAVAILABLE: gone";
  EXPECT_EQ(ErrorOf(none), "connection: UNAVAILABLE: gone");
  Answer fine;
  fine.status = 200;
  EXPECT_EQ(ErrorOf(fine), "");
}

TEST(InvokeClientTest, OneRequestOneAnswerAndNothingAfterIt) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd server(fds[1]);
  RawConnection connection{UniqueFd(fds[0])};
  ASSERT_TRUE(net::WriteAll(server.get(), kAnswer200).ok());
  Result<Answer> answer = InvokeOnce(connection, InvokeBytes("{}"));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->request_id, "id-1");
  EXPECT_EQ(answer->body, "{}");
  EXPECT_GE(answer->answered_ns, answer->sent_ns);
  EXPECT_NE(ReadRequest(server.get(), 2).find("/functions/function/invocations"), std::string::npos);

  // Bytes beyond the one answer in flight are an error.
  ASSERT_TRUE(net::WriteAll(server.get(), std::string(kAnswer200) + "HTTP").ok());
  EXPECT_EQ(InvokeOnce(connection, InvokeBytes("{}")).status().code(), StatusCode::kInternal);
}

TEST(InvokeClientTest, AConnectionClosedBeforeTheAnswerIsUnavailable) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  RawConnection connection{UniqueFd(fds[0])};
  {
    UniqueFd server(fds[1]);
    ASSERT_TRUE(net::WriteAll(server.get(), "HTTP/1.1 200 OK\r\n").ok());
  }
  EXPECT_EQ(InvokeOnce(connection, "").status().code(), StatusCode::kUnavailable);
}

TEST(InvokeClientTest, ReconnectsAfterAConnectionError) {
  Result<UniqueFd> listener = net::Listen({"127.0.0.1", 0});
  ASSERT_TRUE(listener.ok());
  Result<uint16_t> port = net::LocalPort(listener->get());
  ASSERT_TRUE(port.ok());
  // The first connection answers one invoke, then closes mid-answer; the second answers.
  std::thread server([&] {
    UniqueFd first(::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
    ReadRequest(first.get(), 2);
    (void)net::WriteAll(first.get(), kAnswer200);
    ReadRequest(first.get(), 2);
    (void)net::WriteAll(first.get(), "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}");
    first.Reset();
    UniqueFd second(::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
    ReadRequest(second.get(), 2);
    (void)net::WriteAll(second.get(), kAnswer200);
  });
  Result<std::unique_ptr<InvokeClient>> client = InvokeClient::Connect({"127.0.0.1", *port}, 10);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ((*client)->Invoke("fn", "{}").request_id, "id-1");
  const Answer cut = (*client)->Invoke("fn", "{}");
  EXPECT_EQ(cut.status, 0);
  EXPECT_NE(cut.failure, "");
  EXPECT_EQ((*client)->Invoke("fn", "{}").request_id, "id-1");
  server.join();
}

}  // namespace
}  // namespace zerostart::benchmark
