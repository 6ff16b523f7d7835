#include "src/http/connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "src/common/net.h"
#include "src/common/testing/thread_probe.h"

namespace zerostart::http {
namespace {

using thread_probe::BlockedReading;
using thread_probe::PollUntil;
using thread_probe::UnreadBytes;

// A connected pair of stream sockets: [0] for the code under test, [1] for the test's raw peer.
std::pair<UniqueFd, UniqueFd> SocketPair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// A connected pair over 127.0.0.1 (what the runtime and emulator really use).
std::pair<UniqueFd, UniqueFd> LoopbackPair() {
  auto listener = net::Listen({"127.0.0.1", 0});
  EXPECT_TRUE(listener.ok());
  auto port = net::LocalPort(listener->get());
  EXPECT_TRUE(port.ok());
  auto client = net::Connect({"127.0.0.1", *port});
  EXPECT_TRUE(client.ok());
  auto server = net::Accept(listener->get());
  EXPECT_TRUE(server.ok());
  return {std::move(*server), std::move(*client)};
}

// Reads exactly n bytes from a raw socket.
std::string ReadExactly(int fd, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    auto r = net::ReadSome(fd, out.data() + got, n - got);
    if (!r.ok() || *r == 0) break;
    got += *r;
  }
  out.resize(got);
  return out;
}

std::string ReadToEof(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    auto r = net::ReadSome(fd, buf, sizeof(buf));
    if (!r.ok() || *r == 0) return out;
    out.append(buf, *r);
  }
}

TEST(ConnectionTest, RequestResponseRoundTripOverLoopback) {
  auto [server_fd, client_fd] = LoopbackPair();
  Connection server(std::move(server_fd));
  Connection client(std::move(client_fd));
  for (int i = 0; i < 3; ++i) {  // keep-alive: several exchanges on one connection
    Request request{"POST",
                    "/2018-06-01/runtime/invocation/id-" + std::to_string(i) + "/response",
                    {},
                    std::string(100 + i, 'p')};
    request.headers.Add("Host", "127.0.0.1");
    ASSERT_TRUE(client.Write(request).ok());
    auto got = server.ReadRequest();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->target, request.target);
    EXPECT_EQ(got->body, request.body);
    EXPECT_EQ(got->headers.Get("host"), "127.0.0.1");

    Response response{202, "", {}, "{\"status\":\"OK\"}"};
    ASSERT_TRUE(server.Write(response).ok());
    auto reply = client.ReadResponse();
    ASSERT_TRUE(reply.ok()) << reply.status().ToString();
    EXPECT_EQ(reply->status, 202);
    EXPECT_EQ(reply->reason, "Accepted");
    EXPECT_EQ(reply->body, response.body);
  }
}

TEST(ConnectionTest, WriteSendsExactBytes) {
  auto [fd, peer] = SocketPair();
  {
    Connection conn(std::move(fd));
    Response response{200, "", {}, "body"};
    response.headers.Add("Content-Type", "text/plain");
    ASSERT_TRUE(conn.Write(response).ok());
    ASSERT_TRUE(conn.Write(Response{204, "", {}, "dropped"}).ok());  // 204 never has a body
  }                                                                  // closes
  EXPECT_EQ(ReadToEof(peer.get()),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nbody"
            "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(ConnectionTest, PipelinedRequestsInOneWrite) {
  auto [fd, peer] = SocketPair();
  Connection conn(std::move(fd));
  ASSERT_TRUE(
      net::WriteAll(peer.get(),
                    "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                    "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
                    "GET /c HTTP/1.1\r\n\r\n")
          .ok());
  peer.Reset();  // then close: the last request is still read, then a clean close
  auto a = conn.ReadRequest();
  auto b = conn.ReadRequest();
  auto c = conn.ReadRequest();
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->body, "abc");
  EXPECT_EQ(b->body, "de");
  EXPECT_EQ(c->target, "/c");
  EXPECT_EQ(conn.ReadRequest().status().code(), StatusCode::kUnavailable);
}

TEST(ConnectionTest, AnswersExpectContinueBeforeTheBody) {
  auto [server_fd, client_fd] = LoopbackPair();
  Connection server(std::move(server_fd));
  std::thread client([fd = std::move(client_fd)] {
    // Like curl: send the head, wait for 100 Continue, only then send the body.
    ASSERT_TRUE(net::WriteAll(fd.get(),
                              "POST /invoke HTTP/1.1\r\nContent-Length: 5\r\n"
                              "Expect: 100-Continue\r\n\r\n")
                    .ok());
    EXPECT_EQ(ReadExactly(fd.get(), 25), "HTTP/1.1 100 Continue\r\n\r\n");
    ASSERT_TRUE(net::WriteAll(fd.get(), "hello").ok());
    EXPECT_EQ(ReadToEof(fd.get()), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  auto request = server.ReadRequest();
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->body, "hello");
  ASSERT_TRUE(server.Write(Response{200, "", {}, "ok"}).ok());
  server.Shutdown();
  client.join();
}

TEST(ConnectionTest, NoContinueWhenBodyAlreadyArrivedOrHttp10) {
  auto [fd, peer] = SocketPair();
  Connection conn(std::move(fd));
  ASSERT_TRUE(net::WriteAll(peer.get(),
                            "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx"
                            "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
                  .ok());
  ASSERT_TRUE(conn.ReadRequest().ok());
  // The body comes only once the reader has taken in the second head and blocks for the body
  // (so nothing of it had arrived when the reader decided about 100 Continue).
  const pid_t reader_tid = thread_probe::CurrentTid();
  std::thread late([peer_fd = peer.get(), fd = conn.fd(), reader_tid] {
    EXPECT_TRUE(PollUntil([&] { return BlockedReading(reader_tid, fd) && UnreadBytes(fd) == 0; }));
    EXPECT_TRUE(net::WriteAll(peer_fd, "y").ok());
  });
  auto second = conn.ReadRequest();
  late.join();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->body, "y");
  ASSERT_TRUE(conn.Write(Response{200, "", {}, ""}).ok());
  conn.Shutdown();
  // Only the final response came back: no "100 Continue" for either request.
  EXPECT_EQ(ReadToEof(peer.get()), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(ConnectionTest, PeerCloseBeforeFirstByteIsUnavailable) {
  auto [fd, peer] = SocketPair();
  Connection conn(std::move(fd));
  peer.Reset();
  auto request = conn.ReadRequest();
  EXPECT_EQ(request.status().code(), StatusCode::kUnavailable) << request.status().ToString();
}

TEST(ConnectionTest, PeerCloseMidMessageIsInvalidArgument) {
  for (std::string partial :
       {"GET / HTTP/1.1\r\nHost: x\r\n", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"}) {
    auto [fd, peer] = SocketPair();
    Connection conn(std::move(fd));
    ASSERT_TRUE(net::WriteAll(peer.get(), partial).ok());
    peer.Reset();
    auto request = conn.ReadRequest();
    EXPECT_EQ(request.status().code(), StatusCode::kInvalidArgument) << partial;
    EXPECT_NE(request.status().message().find("connection closed"), std::string::npos)
        << request.status().ToString();
  }
}

TEST(ConnectionTest, ResetMidMessageIsInvalidArgumentAndBeforeIsUnavailable) {
  for (bool mid_message : {false, true}) {
    auto [fd, peer] = LoopbackPair();
    Connection conn(std::move(fd));
    Status status;
    std::atomic<pid_t> reader_tid{0};
    // The reader first takes in the partial head (if any) and blocks for more.
    std::thread reader([&] {
      reader_tid = thread_probe::CurrentTid();
      status = conn.ReadRequest().status();
    });
    if (mid_message) {
      ASSERT_TRUE(net::WriteAll(peer.get(), "GET / HTT").ok());
    }
    // Reset only once the peer's kernel acknowledged the partial head (none unacked), the reader
    // took all of it (none unread) and blocks in read(2) for more.
    EXPECT_TRUE(PollUntil([&] {
      return thread_probe::UnackedBytes(peer.get()) == 0 && UnreadBytes(conn.fd()) == 0 &&
             reader_tid != 0 && BlockedReading(reader_tid, conn.fd());
    }));
    linger hard{1, 0};  // SO_LINGER 0: close() sends RST instead of FIN
    ASSERT_EQ(::setsockopt(peer.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof(hard)), 0);
    peer.Reset();
    reader.join();
    if (mid_message) {
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
      EXPECT_NE(status.message().find("middle of a message"), std::string::npos)
          << status.ToString();
    } else {
      EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
    }
  }
}

TEST(ConnectionTest, MalformedAndOversizedRequests) {
  {
    auto [fd, peer] = SocketPair();
    Connection conn(std::move(fd));
    ASSERT_TRUE(net::WriteAll(peer.get(), "GET / HTTP/9.9\r\n\r\n").ok());
    EXPECT_EQ(conn.ReadRequest().status().code(), StatusCode::kInvalidArgument);
  }
  {
    auto [fd, peer] = SocketPair();
    Limits limits;
    limits.max_body_bytes = 1000;
    Connection conn(std::move(fd), limits);
    ASSERT_TRUE(net::WriteAll(peer.get(), "POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n").ok());
    EXPECT_EQ(conn.ReadRequest().status().code(), StatusCode::kResourceExhausted);
  }
}

TEST(ConnectionTest, ReadResponseSkipsInterimAndReadsToEof) {
  auto [fd, peer] = SocketPair();
  Connection conn(std::move(fd));
  ASSERT_TRUE(net::WriteAll(peer.get(),
                            "HTTP/1.1 100 Continue\r\n\r\n"
                            "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            "HTTP/1.0 500 Oops\r\n\r\nuntil the end")
                  .ok());
  peer.Reset();
  auto first = conn.ReadResponse();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "ok");
  auto second = conn.ReadResponse();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->status, 500);
  EXPECT_EQ(second->body, "until the end");
  EXPECT_EQ(conn.ReadResponse().status().code(), StatusCode::kUnavailable);
}

TEST(ConnectionTest, ResponseToHeadHasNoBody) {
  auto [fd, peer] = SocketPair();
  Connection conn(std::move(fd));
  ASSERT_TRUE(net::WriteAll(peer.get(),
                            "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
                            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
                  .ok());
  auto head = conn.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->headers.Get("content-length"), "1234");
  EXPECT_EQ(head->body, "");
  auto get = conn.ReadResponse();
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(get->body, "abc");
}

TEST(ConnectionTest, LargeBodiesBothFramings) {
  auto [server_fd, client_fd] = LoopbackPair();
  Connection server(std::move(server_fd));
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 65536);
  std::thread client([&, fd = std::move(client_fd)]() mutable {
    Connection conn(std::move(fd));
    ASSERT_TRUE(conn.Write(Request{"POST", "/length", {}, big}).ok());
    // Chunked, in uneven chunks, as real Lambda may send a big /next body.
    std::string wire = "POST /chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (size_t pos = 0; pos < big.size();) {
      size_t n = std::min<size_t>(big.size() - pos, 100000 + pos % 777);
      char size[32];
      snprintf(size, sizeof(size), "%zx\r\n", n);
      wire += size;
      wire.append(big, pos, n);
      wire += "\r\n";
      pos += n;
    }
    wire += "0\r\n\r\n";
    ASSERT_TRUE(net::WriteAll(conn.fd(), wire).ok());
  });
  auto by_length = server.ReadRequest();
  ASSERT_TRUE(by_length.ok()) << by_length.status().ToString();
  EXPECT_TRUE(by_length->body == big);
  auto by_chunks = server.ReadRequest();
  ASSERT_TRUE(by_chunks.ok()) << by_chunks.status().ToString();
  EXPECT_TRUE(by_chunks->body == big);
  client.join();
}

TEST(ConnectionTest, ShutdownWakesABlockedReader) {
  auto [fd, peer] = SocketPair();
  Connection conn(std::move(fd));
  Status status;
  std::atomic<pid_t> reader_tid{0};
  std::thread reader([&] {
    reader_tid = thread_probe::CurrentTid();
    status = conn.ReadRequest().status();
  });
  // Shut down only once the reader is blocked in read(2).
  EXPECT_TRUE(PollUntil([&] { return reader_tid != 0 && BlockedReading(reader_tid, conn.fd()); }));
  conn.Shutdown();
  reader.join();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(conn.Write(Response{}).code(), StatusCode::kUnavailable);
}

TEST(ConnectionTest, WriteToClosedPeerIsUnavailable) {
  auto [fd, peer] = SocketPair();
  Connection conn(std::move(fd));
  peer.Reset();
  EXPECT_EQ(conn.Write(Request{"GET", "/", {}, ""}).code(), StatusCode::kUnavailable);
}

TEST(ConnectionTest, MovedConnectionKeepsBufferedBytes) {
  auto [fd, peer] = SocketPair();
  Connection first(std::move(fd));
  ASSERT_TRUE(net::WriteAll(peer.get(), "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n").ok());
  ASSERT_EQ(first.ReadRequest()->target, "/1");
  Connection second = std::move(first);
  peer.Reset();
  ASSERT_EQ(second.ReadRequest()->target, "/2");
  EXPECT_EQ(second.ReadRequest().status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace zerostart::http
