#include "src/http/chunked.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "src/common/net.h"
#include "src/http/connection.h"
#include "src/http/parser.h"

namespace zerostart::http {
namespace {

// A chunked request as a runtime streams it: head, chunks, last chunk with trailers.
std::string ChunkedRequest(const std::vector<std::string>& chunks, const Headers& trailers) {
  std::string wire =
      "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: A, B\r\n\r\n";
  for (const std::string& chunk : chunks) AppendChunk(chunk, &wire);
  AppendLastChunk(trailers, &wire);
  return wire;
}

TEST(ChunkedTest, EncodesChunksAndTrailers) {
  std::string out;
  AppendChunk("Wiki", &out);
  AppendChunk("", &out);  // nothing: an empty chunk would end the body
  AppendChunk(std::string(300, 'x'), &out);
  EXPECT_EQ(out.substr(0, 9), "4\r\nWiki\r\n");
  EXPECT_EQ(out.substr(9, 5), "12c\r\n");
  Headers trailers;
  trailers.Add("Lambda-Runtime-Function-Error-Type", "Bad\r\nInjected: yes");
  std::string last;
  AppendLastChunk(trailers, &last);
  EXPECT_EQ(last, "0\r\nLambda-Runtime-Function-Error-Type: Bad  Injected: yes\r\n\r\n");
}

// Every split of the wire into two Feed calls, and one byte at a time, decodes the same body
// and trailers.
TEST(ChunkedTest, RoundTripsThroughTheParserUnderEverySplit) {
  Headers trailers;
  trailers.Add("A", "1");
  trailers.Add("B", "eyJlcnJvciI6dHJ1ZX0=");
  std::vector<std::string> chunks = {"data: 1\n\n", std::string(1, '\0'), "\r\n0\r\n\r\n",
                                     std::string(17, 'z')};
  std::string wire = ChunkedRequest(chunks, trailers);
  std::string expected_body;
  for (const std::string& chunk : chunks) expected_body += chunk;
  auto check = [&](const std::vector<std::string_view>& pieces, const std::string& what) {
    Parser parser(Parser::Kind::kRequest);
    std::string streamed;
    for (std::string_view piece : pieces) {
      while (!piece.empty()) {
        Result<size_t> used = parser.Feed(piece);
        ASSERT_TRUE(used.ok()) << what << ": " << used.status().ToString();
        parser.TakeBodyBytes(&streamed);
        piece.remove_prefix(*used);
        if (parser.done()) {
          ASSERT_TRUE(piece.empty()) << what;
        }
      }
    }
    ASSERT_TRUE(parser.done()) << what;
    EXPECT_EQ(parser.body_bytes(), expected_body.size()) << what;
    Request request = parser.TakeRequest();
    EXPECT_EQ(streamed + request.body, expected_body) << what;
    EXPECT_EQ(request.trailers.Get("A"), "1") << what;
    EXPECT_EQ(request.trailers.Get("b"), "eyJlcnJvciI6dHJ1ZX0=") << what;
  };
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    std::string_view w(wire);
    check({w.substr(0, cut), w.substr(cut)}, "split at " + std::to_string(cut));
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < wire.size(); ++i) bytes.push_back(std::string_view(wire).substr(i, 1));
  check(bytes, "byte at a time");
}

TEST(ChunkedTest, TakenBytesStillCountTowardsTheBodyLimit) {
  Limits limits;
  limits.max_body_bytes = 10;
  Parser parser(Parser::Kind::kRequest, limits);
  std::string wire = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  AppendChunk("123456", &wire);
  ASSERT_TRUE(parser.Feed(wire).ok());
  std::string taken;
  parser.TakeBodyBytes(&taken);
  EXPECT_EQ(taken, "123456");
  std::string more;
  AppendChunk("7890a", &more);
  Result<size_t> over = parser.Feed(more);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);

  // A per-message limit raised once the head is known lets a long stream through.
  Parser raised(Parser::Kind::kRequest, limits);
  ASSERT_TRUE(raised.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").ok());
  raised.SetBodyLimit(1000);
  std::string big;
  AppendChunk(std::string(500, 'b'), &big);
  AppendLastChunk({}, &big);
  ASSERT_TRUE(raised.Feed(big).ok());
  EXPECT_TRUE(raised.done());
  EXPECT_EQ(raised.TakeRequest().body.size(), 500u);
}

// The writer's chunks reach a streaming reader one by one: the reader sees chunk 1 before
// chunk 2 was written.
TEST(ChunkedTest, WriterChunksArriveAsTheyAreWritten) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd writer_fd(fds[0]);
  Connection reader{UniqueFd(fds[1])};
  ASSERT_TRUE(net::WriteAll(writer_fd.get(),
                            "POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                  .ok());
  Result<const Request*> head = reader.ReadRequestHead();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ((*head)->target, "/r");
  ChunkedWriter writer(writer_fd.get());
  std::string got;
  for (std::string piece : {"first", "second", "third"}) {
    ASSERT_TRUE(writer.Write(piece).ok());
    got.clear();
    Result<bool> done = reader.ReadRequestBody(&got);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_FALSE(*done);
    EXPECT_EQ(got, piece);
  }
  EXPECT_EQ(writer.bytes_written(), 16u);
  Headers trailers;
  trailers.Add("Lambda-Runtime-Function-Error-Type", "Oops");
  ASSERT_TRUE(writer.Finish(trailers).ok());
  EXPECT_EQ(writer.Write("late").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(writer.Finish().code(), StatusCode::kFailedPrecondition);
  got.clear();
  Result<bool> done = reader.ReadRequestBody(&got);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  EXPECT_EQ(got, "");
  Request request = reader.TakeRequest();
  EXPECT_EQ(request.trailers.Get("lambda-runtime-function-error-type"), "Oops");

  // The connection goes on with the next (ordinary) request.
  ASSERT_TRUE(net::WriteAll(writer_fd.get(), "GET /next HTTP/1.1\r\n\r\n").ok());
  Result<Request> next = reader.ReadRequest();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->target, "/next");
}

TEST(ChunkedTest, ReadRequestRestReadsAWholeBodyAfterTheHead) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd peer(fds[0]);
  Connection connection{UniqueFd(fds[1])};
  ASSERT_TRUE(net::WriteAll(peer.get(), "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel").ok());
  Result<const Request*> head = connection.ReadRequestHead();
  ASSERT_TRUE(head.ok());
  ASSERT_TRUE(net::WriteAll(peer.get(), "lo").ok());
  Result<Request> whole = connection.ReadRequestRest();
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->body, "hello");
}

}  // namespace
}  // namespace zerostart::http
