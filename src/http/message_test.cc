#include "src/http/message.h"

#include <gtest/gtest.h>

#include "src/http/parser.h"

namespace zerostart::http {
namespace {

TEST(HeadersTest, CaseInsensitiveLookupKeepsOrderAndCase) {
  Headers headers;
  headers.Add("Content-Type", "text/plain");
  headers.Add("X-Dup", "one");
  headers.Add("x-dup", "two");
  EXPECT_EQ(headers.Get("content-type"), "text/plain");
  EXPECT_EQ(headers.Get("X-DUP"), "one");  // the first of several
  EXPECT_TRUE(headers.Has("x-Dup"));
  EXPECT_FALSE(headers.Has("X-Du"));
  EXPECT_EQ(headers.Get("missing"), std::nullopt);
  ASSERT_EQ(headers.entries().size(), 3u);
  EXPECT_EQ(headers.entries()[0].name, "Content-Type");  // case preserved

  headers.Set("X-DUP", "three");
  ASSERT_EQ(headers.entries().size(), 2u);
  EXPECT_EQ(headers.entries()[1].name, "X-DUP");
  EXPECT_EQ(headers.Get("x-dup"), "three");
  headers.Remove("CONTENT-TYPE");
  EXPECT_FALSE(headers.Has("Content-Type"));
  EXPECT_FALSE(headers.empty());
  headers.clear();
  EXPECT_TRUE(headers.empty());
}

TEST(HeadersTest, EqualsIgnoreCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Transfer-Encoding", "transfer-encoding"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("chunked", "chunke"));
  EXPECT_FALSE(EqualsIgnoreCase("a-b", "a_b"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));  // differ by 0x20 but are not letters
}

TEST(MessageTest, ReasonPhrase) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(202), "Accepted");
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(599), "Unknown");
  EXPECT_EQ(ReasonPhrase(-1), "Unknown");
}

TEST(MessageTest, SerializeRequestHeadAddsContentLength) {
  Request request{"POST", "/2018-06-01/runtime/invocation/abc/response", {}, "hello"};
  request.headers.Add("Host", "127.0.0.1:9001");
  EXPECT_EQ(SerializeRequestHead(request),
            "POST /2018-06-01/runtime/invocation/abc/response HTTP/1.1\r\n"
            "Host: 127.0.0.1:9001\r\n"
            "Content-Length: 5\r\n\r\n");

  Request get{"GET", "/next", {}, ""};
  EXPECT_EQ(SerializeRequestHead(get), "GET /next HTTP/1.1\r\nContent-Length: 0\r\n\r\n");

  Request chunked{"POST", "/x", {}, "ignored"};
  chunked.headers.Add("transfer-encoding", "chunked");
  EXPECT_EQ(SerializeRequestHead(chunked),
            "POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n");

  Request explicit_length{"POST", "/x", {}, "abc"};
  explicit_length.headers.Add("content-length", "3");
  EXPECT_EQ(SerializeRequestHead(explicit_length), "POST /x HTTP/1.1\r\ncontent-length: 3\r\n\r\n");
}

TEST(MessageTest, SerializeResponseHead) {
  Response ok;
  ok.body = "{}";
  ok.headers.Add("Content-Type", "application/json");
  EXPECT_EQ(SerializeResponseHead(ok),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n");

  Response custom{202, "Yes Indeed", {}, ""};
  EXPECT_EQ(SerializeResponseHead(custom), "HTTP/1.1 202 Yes Indeed\r\nContent-Length: 0\r\n\r\n");

  // No Content-Length on 1xx, 204 and 304 (RFC 9110 §8.6).
  EXPECT_EQ(SerializeResponseHead(Response{204, "", {}, ""}), "HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(SerializeResponseHead(Response{304, "", {}, ""}), "HTTP/1.1 304 Not Modified\r\n\r\n");
  EXPECT_EQ(SerializeResponseHead(Response{100, "", {}, ""}), "HTTP/1.1 100 Continue\r\n\r\n");

  // Unsendable status codes become 500 (with the standard reason, not the caller's).
  EXPECT_EQ(SerializeResponseHead(Response{42, "Odd", {}, "x"}),
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1\r\n\r\n");
  EXPECT_EQ(SerializeResponseHead(Response{1000, "", {}, ""}),
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
}

TEST(MessageTest, SerializeNeverInjectsHeaders) {
  Response response{200, "OK\r\nX-Evil: 1", {}, ""};
  response.headers.Add("X-Value", "a\r\nX-Injected: 1\r\n\r\nbody");
  response.headers.Add("X-Name\r\nX-Injected", "v");
  response.headers.Add("Bad Name:", "v");
  response.headers.Add("", "skipped");
  response.headers.Add("X-Tab",
                       "a\tb\x01"
                       "c\x7f");
  std::string head = SerializeResponseHead(response);
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK  X-Evil: 1\r\n"
            "X-Value: a  X-Injected: 1    body\r\n"
            "X-Name__X-Injected: v\r\n"
            "Bad_Name_: v\r\n"
            "X-Tab: a\tb c \r\n"
            "Content-Length: 0\r\n\r\n");

  // Whatever went in, the peer sees exactly the headers we meant and nothing else.
  Parser parser(Parser::Kind::kResponse);
  auto used = parser.Feed(head);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(*used, head.size());
  EXPECT_EQ(parser.response().headers.entries().size(), 5u);
  EXPECT_FALSE(parser.response().headers.Has("X-Injected"));
  EXPECT_FALSE(parser.response().headers.Has("X-Evil"));

  Request request{"GE T\r\n", "/a b\r\nHost: evil", {}, ""};
  EXPECT_EQ(SerializeRequestHead(request),
            "GE_T__ /a%20b%0D%0AHost:%20evil HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(SerializeRequestHead(Request{"", "", {}, ""}),
            "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
}

TEST(MessageTest, RoundTripThroughParser) {
  Request request{"PUT", "/path?q=1", {}, std::string(1000, 'z')};
  request.headers.Add("Lambda-Runtime-Aws-Request-Id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  request.headers.Add("Empty", "");
  std::string wire = SerializeRequestHead(request) + request.body;
  Parser parser(Parser::Kind::kRequest);
  auto used = parser.Feed(wire);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  ASSERT_TRUE(parser.done());
  Request parsed = parser.TakeRequest();
  EXPECT_EQ(parsed.method, "PUT");
  EXPECT_EQ(parsed.target, "/path?q=1");
  EXPECT_EQ(parsed.body, request.body);
  EXPECT_EQ(parsed.headers.Get("lambda-runtime-aws-request-id"),
            "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  EXPECT_EQ(parsed.headers.Get("Empty"), "");
  EXPECT_EQ(parsed.headers.Get("Content-Length"), "1000");
}

}  // namespace
}  // namespace zerostart::http
