#include "src/http/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/http/chars.h"

namespace zerostart::http {
namespace {

using Kind = Parser::Kind;

// Everything a parse produced: the messages, as "method target|status reason" + headers +
// body strings (easy to compare), and how it ended.
struct Outcome {
  std::vector<std::string> messages;
  std::vector<Request> requests;
  std::vector<Response> responses;
  Status status;  // OK = a clean end of stream between messages
};

std::string Describe(const Headers& headers, const std::string& body) {
  std::string out;
  for (const Header& h : headers.entries()) out += "[" + h.name + "=" + h.value + "]";
  return out + "{" + body + "}";
}

// Feeds `input` in pieces of `step` bytes (0 = all at once), taking each message as it
// completes, then signals end of stream.
Outcome RunSplit(Kind kind, std::string_view input, size_t step, Limits limits = {},
                 bool no_body = false) {
  Outcome out;
  Parser parser(kind, limits);
  if (no_body) parser.ExpectNoBody();
  auto take = [&] {
    if (kind == Kind::kRequest) {
      Request r = parser.TakeRequest();
      out.messages.push_back(r.method + " " + r.target + Describe(r.headers, r.body));
      out.requests.push_back(std::move(r));
    } else {
      Response r = parser.TakeResponse();
      out.messages.push_back(std::to_string(r.status) + " " + r.reason +
                             Describe(r.headers, r.body));
      out.responses.push_back(std::move(r));
    }
    if (no_body) parser.ExpectNoBody();
  };
  size_t pos = 0;
  while (pos < input.size()) {
    size_t n = step == 0 ? input.size() - pos : std::min(step, input.size() - pos);
    std::string_view piece = input.substr(pos, n);
    while (!piece.empty()) {
      Result<size_t> used = parser.Feed(piece);
      if (!used.ok()) {
        out.status = used.status();
        return out;
      }
      EXPECT_LE(*used, piece.size());
      if (*used < piece.size()) {
        EXPECT_TRUE(parser.done()) << "stopped early without a message";
      }
      piece.remove_prefix(*used);
      if (parser.done()) take();
    }
    pos += n;
  }
  Status eof = parser.FinishAtEof();
  if (eof.ok()) {
    take();
    eof = parser.FinishAtEof();
  }
  if (eof.code() != StatusCode::kUnavailable) out.status = eof;
  return out;
}

// RunSplit() over many splits, which must all agree; returns the one-piece outcome.
Outcome Parse(Kind kind, std::string_view input, Limits limits = {}, bool no_body = false) {
  Outcome whole = RunSplit(kind, input, 0, limits, no_body);
  for (size_t step : {1, 2, 3, 5, 7, 13, 64}) {
    Outcome split = RunSplit(kind, input, step, limits, no_body);
    EXPECT_EQ(split.messages, whole.messages) << "step " << step;
    EXPECT_EQ(split.status, whole.status) << "step " << step;
  }
  return whole;
}

TEST(CharsTest, WordAtATimeFieldCheckMatchesTheTable) {
  for (int b = 0; b < 256; ++b) {
    for (size_t length : {1, 7, 8, 9, 16, 23}) {
      for (size_t at = 0; at < length; ++at) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(b);
        if (at + 1 < length) text[at + 1] = '\t';  // a legal byte that needs the slow path
        bool expected = chars::kField[static_cast<unsigned>(b)];
        ASSERT_EQ(chars::AllFieldChars(text), expected)
            << "byte " << b << " at " << at << "/" << length;
      }
    }
  }
  EXPECT_TRUE(chars::AllFieldChars(""));
  EXPECT_TRUE(chars::AllFieldChars("\x80\xff obs-text\tand tabs ~"));
}

TEST(ParserTest, SimpleRequest) {
  Outcome out = Parse(Kind::kRequest,
                      "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n"
                      "Host: 127.0.0.1:9001\r\n"
                      "User-Agent:   zerostart \t\r\n\r\n");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.requests.size(), 1u);
  const Request& r = out.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(r.headers.Get("host"), "127.0.0.1:9001");
  EXPECT_EQ(r.headers.Get("USER-AGENT"), "zerostart");  // OWS trimmed
  EXPECT_EQ(r.body, "");
}

TEST(ParserTest, RequestAndResponseWithContentLength) {
  Outcome req = Parse(Kind::kRequest, "POST /r HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world");
  ASSERT_TRUE(req.status.ok()) << req.status.ToString();
  ASSERT_EQ(req.requests.size(), 1u);
  EXPECT_EQ(req.requests[0].body, "hello world");

  Outcome resp = Parse(Kind::kResponse, "HTTP/1.1 202 Accepted\r\nContent-Length: 4\r\n\r\nnull");
  ASSERT_TRUE(resp.status.ok()) << resp.status.ToString();
  ASSERT_EQ(resp.responses.size(), 1u);
  EXPECT_EQ(resp.responses[0].status, 202);
  EXPECT_EQ(resp.responses[0].reason, "Accepted");
  EXPECT_EQ(resp.responses[0].body, "null");
}

TEST(ParserTest, StatusLineVariants) {
  Outcome no_reason = Parse(Kind::kResponse,
                            "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"
                            "HTTP/1.0 404 \r\nContent-Length: 0\r\n\r\n"
                            "HTTP/1.1 500 Very  Bad\tThing\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(no_reason.status.ok()) << no_reason.status.ToString();
  ASSERT_EQ(no_reason.responses.size(), 3u);
  EXPECT_EQ(no_reason.responses[0].reason, "");
  EXPECT_EQ(no_reason.responses[1].status, 404);
  EXPECT_EQ(no_reason.responses[2].reason, "Very  Bad\tThing");
}

TEST(ParserTest, Http10AndVersionMinor) {
  Parser parser(Kind::kRequest);
  ASSERT_TRUE(parser.Feed("GET / HTTP/1.0\r\n\r\n").ok());
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.version_minor(), 0);
  parser.TakeRequest();
  ASSERT_TRUE(parser.Feed("GET / HTTP/1.1\r\n\r\n").ok());
  EXPECT_EQ(parser.version_minor(), 1);
}

TEST(ParserTest, BareLfLineEndingsAndLeadingBlankLines) {
  Outcome out = Parse(Kind::kRequest,
                      "\r\n\nPOST /lf HTTP/1.1\nContent-Length: 2\nX-A: b\n\nok"
                      "\r\nGET /mixed HTTP/1.1\r\nX: y\n\r\n");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.requests.size(), 2u);
  EXPECT_EQ(out.requests[0].body, "ok");
  EXPECT_EQ(out.requests[0].headers.Get("x-a"), "b");
  EXPECT_EQ(out.requests[1].target, "/mixed");
  EXPECT_EQ(out.requests[1].headers.Get("x"), "y");

  // Blank lines alone are no message: the close after them is clean.
  Parser parser(Kind::kRequest);
  ASSERT_TRUE(parser.Feed("\r\n\r\n").ok());
  EXPECT_FALSE(parser.started());
  EXPECT_EQ(parser.FinishAtEof().code(), StatusCode::kUnavailable);
}

TEST(ParserTest, PipelinedMessagesReturnConsumedBytes) {
  std::string first = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  std::string second = "GET /b HTTP/1.1\r\n\r\n";
  std::string wire = first + second;
  Parser parser(Kind::kRequest);
  auto used = parser.Feed(wire);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, first.size());
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.Feed(second).value(), 0u);  // done: nothing more until Take
  EXPECT_EQ(parser.TakeRequest().body, "abc");
  EXPECT_FALSE(parser.started());
  EXPECT_FALSE(parser.head_complete());
  used = parser.Feed(std::string_view(wire).substr(*used));
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, second.size());
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.TakeRequest().target, "/b");
  EXPECT_EQ(parser.FinishAtEof().code(), StatusCode::kUnavailable);
}

TEST(ParserTest, HeadCompleteBeforeBody) {
  Parser parser(Kind::kRequest);
  ASSERT_TRUE(
      parser.Feed("POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n").ok());
  EXPECT_TRUE(parser.started());
  EXPECT_FALSE(parser.head_complete());
  ASSERT_TRUE(parser.Feed("\r\n").ok());
  EXPECT_TRUE(parser.head_complete());
  EXPECT_FALSE(parser.done());
  EXPECT_EQ(parser.request().headers.Get("expect"), "100-continue");
  ASSERT_TRUE(parser.Feed("12345").ok());
  EXPECT_TRUE(parser.done());
}

TEST(ParserTest, ChunkedWithExtensionsAndTrailers) {
  std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Expires\r\n\r\n"
      "4;name=value;x=\"q\"\r\nWiki\r\n"
      "5 ; ext\r\npedia\r\n"
      "E\r\n in\r\n\r\nchunks.\r\n"
      "00\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\nLambda-Runtime-Function-Error-Type: "
      "X\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n";
  Outcome out = Parse(Kind::kResponse, wire);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.responses.size(), 2u);
  EXPECT_EQ(out.responses[0].body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_FALSE(out.responses[0].headers.Has("Expires"));  // trailers stay apart from headers
  EXPECT_EQ(out.responses[0].trailers.Get("expires"), "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(out.responses[0].trailers.Get("Lambda-Runtime-Function-Error-Type"), "X");
  EXPECT_TRUE(out.responses[1].trailers.empty());
  EXPECT_EQ(out.responses[0].headers.Get("transfer-encoding"), "chunked");
  EXPECT_EQ(out.responses[1].status, 204);
}

TEST(ParserTest, ChunkedLenientForms) {
  // Bare LF line ends, upper-case hex, "chunked" in any case, a list with empty elements.
  Outcome out = Parse(Kind::kRequest,
                      "POST / HTTP/1.1\nTransfer-Encoding: , CHUNKED\n\nA\n0123456789\n0\n\n");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_EQ(out.requests[0].body, "0123456789");
}

TEST(ParserTest, ResponseBodyUntilEof) {
  Parser parser(Kind::kResponse);
  ASSERT_TRUE(parser.Feed("HTTP/1.0 200 OK\r\n\r\nsome").ok());
  ASSERT_TRUE(parser.Feed(" bytes").ok());
  EXPECT_TRUE(parser.head_complete());
  EXPECT_FALSE(parser.done());
  ASSERT_TRUE(parser.FinishAtEof().ok());
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.TakeResponse().body, "some bytes");

  Outcome out = Parse(Kind::kResponse, "HTTP/1.1 200 OK\r\nX: 1\r\n\r\nall\r\nof it");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.responses.size(), 1u);
  EXPECT_EQ(out.responses[0].body, "all\r\nof it");
}

TEST(ParserTest, NoBodyStatusesAndHead) {
  Outcome out = Parse(Kind::kResponse,
                      "HTTP/1.1 100 Continue\r\n\r\n"
                      "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                      "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
                      "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.responses.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out.responses[i].body, "") << i;
  EXPECT_EQ(out.responses[4].body, "ok");

  // A response to HEAD announces a length it does not send; the next response follows.
  Outcome head = Parse(Kind::kResponse,
                       "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                       {}, /*no_body=*/true);
  ASSERT_TRUE(head.status.ok()) << head.status.ToString();
  EXPECT_EQ(head.responses.size(), 2u);
}

TEST(ParserTest, RequestWithoutLengthHasNoBody) {
  Outcome out = Parse(Kind::kRequest, "POST /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.requests.size(), 2u);
  EXPECT_EQ(out.requests[0].body, "");
}

TEST(ParserTest, ContentLengthRepeatsThatAgree) {
  Outcome out = Parse(Kind::kRequest,
                      "POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc");
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.requests.at(0).body, "abc");
}

TEST(ParserTest, ByteAtATimeMixedPipeline) {
  std::string wire =
      "PUT /one HTTP/1.1\r\nContent-Length: 5\r\n\r\nfirst"
      "POST /two HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nsec\r\n3;e\r\nond\r\n0\r\nT: "
      "x\r\n\r\n"
      "GET /three HTTP/1.1\nA: b\n\n";
  Parser parser(Kind::kRequest);
  std::vector<Request> got;
  for (char c : wire) {
    auto used = parser.Feed(std::string_view(&c, 1));
    ASSERT_TRUE(used.ok()) << used.status().ToString();
    ASSERT_EQ(*used, 1u);
    if (parser.done()) got.push_back(parser.TakeRequest());
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].body, "first");
  EXPECT_EQ(got[1].body, "second");
  EXPECT_EQ(got[2].target, "/three");
  EXPECT_EQ(got[2].headers.Get("a"), "b");
}

TEST(ParserTest, EndOfStreamInsideMessage) {
  struct Case {
    Kind kind;
    const char* input;
    const char* message;
  };
  for (const Case& c :
       {Case{Kind::kRequest, "GET / HTTP/1.1\r\nHost:", "inside a message head"},
        Case{Kind::kRequest, "G", "inside a message head"},
        Case{Kind::kRequest, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
             "after 3 of 10 body bytes"},
        Case{Kind::kResponse, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
             "inside a chunked body"},
        Case{Kind::kResponse, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
             "inside a chunked body"}}) {
    Outcome out = Parse(c.kind, c.input);
    EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument) << c.input;
    EXPECT_NE(out.status.message().find(c.message), std::string::npos) << out.status.ToString();
  }
  Parser parser(Kind::kRequest);
  EXPECT_EQ(parser.FinishAtEof().code(), StatusCode::kUnavailable);
}

TEST(ParserTest, ErrorsAreStickyUntilReset) {
  Parser parser(Kind::kRequest);
  Result<size_t> bad = parser.Feed("BAD\r\n\r\n");
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parser.Feed("GET / HTTP/1.1\r\n\r\n").status(), bad.status());
  EXPECT_EQ(parser.FinishAtEof(), bad.status());
  parser.Reset();
  ASSERT_TRUE(parser.Feed("GET / HTTP/1.1\r\n\r\n").ok());
  EXPECT_TRUE(parser.done());
}

struct BadCase {
  Kind kind;
  std::string input;
  StatusCode code;
  std::string message;  // a substring of the error
};

std::vector<BadCase> MalformedCases() {
  const std::string req = "GET / HTTP/1.1\r\n";
  const std::string post = "POST / HTTP/1.1\r\n";
  const std::string te = post + "Transfer-Encoding: chunked\r\n\r\n";
  const auto kReq = Kind::kRequest;
  const auto kResp = Kind::kResponse;
  const auto kBad = StatusCode::kInvalidArgument;
  return {
      {kReq, "GET /\r\n\r\n", kBad, "malformed request line"},
      {kReq, "GET  / HTTP/1.1\r\n\r\n", kBad, "malformed request line"},
      {kReq, " GET / HTTP/1.1\r\n\r\n", kBad, "malformed request line"},
      {kReq, "GET / HTTP/1.1 \r\n\r\n", kBad, "unsupported HTTP version"},
      {kReq, "GET / HTTP/2.0\r\n\r\n", kBad, "unsupported HTTP version 'HTTP/2.0'"},
      {kReq, "GET / http/1.1\r\n\r\n", kBad, "unsupported HTTP version"},
      {kReq, "GET / HTTP/1.12\r\n\r\n", kBad, "unsupported HTTP version"},
      {kReq, "G(T / HTTP/1.1\r\n\r\n", kBad, "invalid method"},
      {kReq, "GET /a\x01 HTTP/1.1\r\n\r\n", kBad, "invalid character in request target"},
      {kReq, "GET /a\rb HTTP/1.1\r\n\r\n", kBad, "request target"},
      {kResp, "HTTP/1.1 20 OK\r\n\r\n", kBad, "malformed status code"},
      {kResp, "HTTP/1.1 2000 OK\r\n\r\n", kBad, "malformed status code"},
      {kResp, "HTTP/1.1 099 Low\r\n\r\n", kBad, "malformed status code"},
      {kResp, "HTTP/1.1200 OK\r\n\r\n", kBad, "unsupported HTTP version"},
      {kResp, "HTTP/3 200 OK\r\n\r\n", kBad, "unsupported HTTP version 'HTTP/3'"},
      {kResp, "ICY 200 OK\r\n\r\n", kBad, "malformed status line"},
      {kResp, "HTTP/1.1\r\n\r\n", kBad, "malformed status line"},
      {kResp, "HTTP/1.1 200 O\x01K\r\n\r\n", kBad, "control character in reason phrase"},
      {kReq, req + "NoColon\r\n\r\n", kBad, "header line without a colon: 'NoColon'"},
      {kReq, req + "Host : x\r\n\r\n", kBad, "whitespace between header name and colon"},
      {kReq, req + "Host\t: x\r\n\r\n", kBad, "whitespace between header name and colon"},
      {kReq, req + ": x\r\n\r\n", kBad, "empty header name"},
      {kReq, req + "X@Y: z\r\n\r\n", kBad, "invalid character in header name 'X@Y'"},
      {kReq, req + "A: b\r\n folded\r\n\r\n", kBad, "obsolete line folding"},
      {kReq,
       req + "A: b\x01"
             "c\r\n\r\n",
       kBad, "control character in value of header 'A': 'b\\x01c'"},
      {kReq, req + "A: b\rc\r\n\r\n", kBad, "control character in value"},
      {kReq, req + std::string("A: b\0c\r\n\r\n", 10), kBad, "control character in value"},
      {kReq, req + "A: b\x7f\r\n\r\n", kBad, "control character in value"},
      {kReq, post + "Content-Length: abc\r\n\r\n", kBad, "invalid Content-Length 'abc'"},
      {kReq, post + "Content-Length: -1\r\n\r\n", kBad, "invalid Content-Length '-1'"},
      {kReq, post + "Content-Length: +5\r\n\r\n", kBad, "invalid Content-Length"},
      {kReq, post + "Content-Length: 0x10\r\n\r\n", kBad, "invalid Content-Length"},
      {kReq, post + "Content-Length:\r\n\r\n", kBad, "invalid Content-Length ''"},
      {kReq, post + "Content-Length: 5,\r\n\r\n", kBad, "invalid Content-Length"},
      {kReq, post + "Content-Length: 18446744073709551616\r\n\r\n", kBad, "overflows 64 bits"},
      {kReq, post + "Content-Length: 99999999999999999999999\r\n\r\n", kBad, "overflows 64 bits"},
      {kReq, post + "Content-Length: 5, 6\r\n\r\n", kBad,
       "conflicting Content-Length values 5 and 6"},
      {kReq, post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", kBad,
       "conflicting Content-Length"},
      {kReq, post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", kBad,
       "both Content-Length and Transfer-Encoding"},
      {kResp, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", kBad,
       "both Content-Length and Transfer-Encoding"},
      {kReq, post + "Transfer-Encoding: gzip\r\n\r\n", kBad, "unsupported transfer-coding 'gzip'"},
      {kReq, post + "Transfer-Encoding: gzip, chunked\r\n\r\n", kBad,
       "unsupported transfer-coding"},
      {kReq, post + "Transfer-Encoding: chunked, identity\r\n\r\n", kBad,
       "unsupported transfer-coding"},
      {kReq, post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", kBad,
       "applied more than once"},
      {kReq, post + "Transfer-Encoding:  \r\n\r\n", kBad, "names no transfer-coding"},
      {kReq, te + "zz\r\n", kBad, "expected a hex chunk size, got 'z'"},
      {kReq, te + "\r\n", kBad, "expected a hex chunk size"},
      {kReq, te + "-1\r\n", kBad, "expected a hex chunk size"},
      {kReq, te + "5x\r\n", kBad, "invalid character 'x' after chunk size"},
      {kReq, te + "1ffffffffffffffff\r\n", kBad, "chunk size overflows 64 bits"},
      {kReq, te + "4\r\nWikiX\r\n0\r\n\r\n", kBad, "missing CRLF after chunk data (got 'X')"},
      {kReq, te + "4\r\nWiki\rX\n0\r\n\r\n", kBad, "missing CRLF after chunk data"},
      {kReq, te + "4\rX\nWiki\r\n0\r\n\r\n", kBad, "control character in chunk-size line"},
      {kReq, te + "4;a\x01\r\nWiki\r\n0\r\n\r\n", kBad, "control character in chunk-size line"},
      {kReq, te + "0\r\nNoColon\r\n\r\n", kBad, "trailer line without a colon"},
      {kReq, te + "0\r\nA : b\r\n\r\n", kBad, "whitespace between trailer name and colon"},
  };
}

TEST(ParserTest, RejectsMalformedInput) {
  for (const BadCase& c : MalformedCases()) {
    Outcome out = Parse(c.kind, c.input);
    EXPECT_EQ(out.status.code(), c.code)
        << "input: " << c.input << "\ngot: " << out.status.ToString();
    EXPECT_NE(out.status.message().find(c.message), std::string::npos)
        << "input: " << c.input << "\nwant: " << c.message << "\ngot: " << out.status.ToString();
    EXPECT_TRUE(out.messages.empty()) << c.input;
  }
}

TEST(ParserTest, HeadLimit) {
  Limits limits;
  limits.max_head_bytes = 100;
  auto head_of = [](size_t value_size) {
    return "GET / HTTP/1.1\r\nX: " + std::string(value_size, 'a') + "\r\n\r\n";  // 23 + value
  };
  EXPECT_TRUE(Parse(Kind::kRequest, head_of(60), limits).status.ok());
  std::string head = head_of(77);
  ASSERT_EQ(head.size(), 100u);
  EXPECT_TRUE(Parse(Kind::kRequest, head, limits).status.ok());
  head = head_of(78);  // 101 bytes
  Outcome over = Parse(Kind::kRequest, head, limits);
  EXPECT_EQ(over.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status.message().find("message head"), std::string::npos)
      << over.status.ToString();
  EXPECT_NE(over.status.message().find("limit of 100 bytes"), std::string::npos);

  // A head that never ends fails as soon as it passes the limit, without waiting for its end.
  Parser parser(Kind::kRequest, limits);
  EXPECT_TRUE(parser.Feed("GET / HTTP/1.1\r\nX: " + std::string(50, 'a')).ok());
  EXPECT_EQ(parser.Feed(std::string(50, 'a')).status().code(), StatusCode::kResourceExhausted);
}

TEST(ParserTest, HeaderAndTrailerCountLimits) {
  Limits limits;
  limits.max_header_count = 3;
  EXPECT_TRUE(
      Parse(Kind::kRequest, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).status.ok());
  Outcome over =
      Parse(Kind::kRequest, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits);
  EXPECT_EQ(over.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status.message().find("more than 3 header fields"), std::string::npos);

  std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  EXPECT_TRUE(Parse(Kind::kRequest, chunked + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).status.ok());
  over = Parse(Kind::kRequest, chunked + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits);
  EXPECT_EQ(over.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status.message().find("trailer fields"), std::string::npos);
}

TEST(ParserTest, BodyLimits) {
  Limits limits;
  limits.max_body_bytes = 10;
  const std::string post = "POST / HTTP/1.1\r\n";
  EXPECT_TRUE(
      Parse(Kind::kRequest, post + "Content-Length: 10\r\n\r\n0123456789", limits).status.ok());
  Outcome over = Parse(Kind::kRequest, post + "Content-Length: 11\r\n\r\n0123456789a", limits);
  EXPECT_EQ(over.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status.message().find("Content-Length of 11 bytes exceeds the limit of 10 bytes"),
            std::string::npos)
      << over.status.ToString();

  const std::string te = post + "Transfer-Encoding: chunked\r\n\r\n";
  EXPECT_TRUE(
      Parse(Kind::kRequest, te + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n", limits).status.ok());
  over = Parse(Kind::kRequest, te + "5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n", limits);
  EXPECT_EQ(over.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status.message().find("chunked body of 11 bytes"), std::string::npos);
  // The biggest chunk size that fits in 64 bits is a limit error, not an overflow.
  over = Parse(Kind::kRequest, te + "ffffffffffffffff\r\n", limits);
  EXPECT_EQ(over.status.code(), StatusCode::kResourceExhausted);

  const std::string eof = "HTTP/1.1 200 OK\r\n\r\n";
  EXPECT_TRUE(Parse(Kind::kResponse, eof + "0123456789", limits).status.ok());
  over = Parse(Kind::kResponse, eof + "0123456789a", limits);
  EXPECT_EQ(over.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status.message().find("response body"), std::string::npos);
}

TEST(ParserTest, HugeContentLengthIsRejectedBeforeAllocating) {
  Parser parser(Kind::kRequest);  // default limit: 16 MiB
  auto used = parser.Feed("POST / HTTP/1.1\r\nContent-Length: 4611686018427387904\r\n\r\n");
  ASSERT_EQ(used.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(used.status().message().find("4611686018427387904"), std::string::npos);
  EXPECT_LT(parser.request().body.capacity(), 1024u);

  Parser chunked(Kind::kRequest);
  used = chunked.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4000000000000000\r\n");
  ASSERT_EQ(used.status().code(), StatusCode::kResourceExhausted);
  EXPECT_LT(chunked.request().body.capacity(), 1024u);
}

TEST(ParserTest, LargeBodyInPieces) {
  std::string body(1 << 20, 'x');
  for (size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>('a' + i % 26);
  std::string wire =
      "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  Outcome out = RunSplit(Kind::kRequest, wire, 65536);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  ASSERT_EQ(out.requests.size(), 1u);
  EXPECT_TRUE(out.requests[0].body == body);
}

}  // namespace
}  // namespace zerostart::http
