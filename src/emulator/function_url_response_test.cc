#include "src/emulator/function_url_response.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace zerostart::emulator {
namespace {

using UrlHeaderList = std::vector<std::pair<std::string, std::string>>;

UrlHeaderList UrlHeadersOf(const http::Response& response) {
  UrlHeaderList list;
  for (const http::Header& header : response.headers.entries()) list.emplace_back(header.name, header.value);
  return list;
}

// --- Buffered responses ---

TEST(FunctionUrlResponseTest, StructuredResponseWithCookies) {
  // The documented "response returning cookies" example.
  http::Response response = UrlResponseFromResult(R"({
     "statusCode": 201,
      "headers": {"Content-Type": "application/json", "My-Custom-Header": "Custom Value"},
      "body": "{\"message\":\"Hello, world!\"}",
      "cookies": ["Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT", "Cookie_2=Value2; Max-Age=78000"],
      "isBase64Encoded": false
  })", "application/json");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(UrlHeadersOf(response), (UrlHeaderList{
                                        {"Content-Type", "application/json"},
                                        {"My-Custom-Header", "Custom Value"},
                                        {"Set-Cookie", "Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT"},
                                        {"Set-Cookie", "Cookie_2=Value2; Max-Age=78000"},
                                    }));
  EXPECT_EQ(response.body, R"({"message":"Hello, world!"})");
}

TEST(FunctionUrlResponseTest, DecodesBase64Bodies) {
  http::Response response = UrlResponseFromResult(
      R"({"statusCode":200,"headers":{"content-type":"image/png"},"body":"AP8Q","isBase64Encoded":true})", "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, std::string("\x00\xff\x10", 3));
  EXPECT_EQ(response.headers.Get("Content-Type"), "image/png");
}

TEST(FunctionUrlResponseTest, StructuredResponseDefaults) {
  http::Response response = UrlResponseFromResult(R"({"statusCode":204})", "");
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.headers.empty());
  EXPECT_EQ(response.body, "");

  http::Response nulls = UrlResponseFromResult(
      R"({"statusCode":404,"headers":null,"cookies":null,"body":null,"isBase64Encoded":null})", "");
  EXPECT_EQ(nulls.status, 404);
  EXPECT_TRUE(nulls.headers.empty());
  EXPECT_EQ(nulls.body, "");
}

TEST(FunctionUrlResponseTest, HeaderValuesAndFraming) {
  http::Response response = UrlResponseFromResult(
      R"({"statusCode":200,"headers":{"X-Num":42,"X-Bool":true,"X-Null":null,"Content-Length":"999",
          "transfer-encoding":"chunked","Connection":"close","X-Multi":"a,b"},"body":"hi"})",
      "");
  EXPECT_EQ(UrlHeadersOf(response), (UrlHeaderList{{"X-Num", "42"}, {"X-Bool", "true"}, {"X-Multi", "a,b"}}));
  EXPECT_EQ(response.body, "hi");
}

TEST(FunctionUrlResponseTest, InfersResponsesWithoutStatusCode) {
  // A string, an object without statusCode, and other JSON values: 200, application/json, the
  // payload itself as the body ("Example output for a string response" / "for a JSON response").
  for (const std::string payload : {R"("Hello, world!")", R"({"message":"Hello, world!"})",
                                    "{\n  \"message\": \"Hello\"\n}", "42", "[1,2]", "null", "true",
                                    R"({"statuscode":500})", R"([{"statusCode":500}])"}) {
    http::Response response = UrlResponseFromResult(payload, "text/plain");
    EXPECT_EQ(response.status, 200) << payload;
    EXPECT_EQ(UrlHeadersOf(response), (UrlHeaderList{{"Content-Type", "application/json"}})) << payload;
    EXPECT_EQ(response.body, payload);
  }
}

TEST(FunctionUrlResponseTest, PassesNonJsonPayloadsThrough) {
  http::Response typed = UrlResponseFromResult("plain text", "text/plain");
  EXPECT_EQ(typed.status, 200);
  EXPECT_EQ(UrlHeadersOf(typed), (UrlHeaderList{{"Content-Type", "text/plain"}}));
  EXPECT_EQ(typed.body, "plain text");

  http::Response untyped = UrlResponseFromResult("{not json", "");
  EXPECT_EQ(untyped.status, 200);
  EXPECT_EQ(UrlHeadersOf(untyped), (UrlHeaderList{{"Content-Type", "application/json"}}));
  EXPECT_EQ(untyped.body, "{not json");

  http::Response empty = UrlResponseFromResult("", "");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "");
}

TEST(FunctionUrlResponseTest, WrongShapesAreBadGateway) {
  for (const char* payload : {
           R"({"statusCode":"200"})",
           R"({"statusCode":200.5})",
           R"({"statusCode":null})",
           R"({"statusCode":99})",
           R"({"statusCode":600})",
           R"({"statusCode":-200})",
           R"({"statusCode":18446744073709551615})",
           R"({"statusCode":200,"headers":["a"]})",
           R"({"statusCode":200,"headers":{"a":{"b":1}}})",
           R"({"statusCode":200,"headers":{"a":["b"]}})",
           R"({"statusCode":200,"cookies":"a=1"})",
           R"({"statusCode":200,"cookies":[1]})",
           R"({"statusCode":200,"body":{"a":1}})",
           R"({"statusCode":200,"body":5})",
           R"({"statusCode":200,"isBase64Encoded":"true"})",
           R"({"statusCode":200,"body":"not base64!","isBase64Encoded":true})",
       }) {
    EXPECT_EQ(ParseUrlResult(payload, "").status().code(), StatusCode::kInvalidArgument) << payload;
    http::Response response = UrlResponseFromResult(payload, "");
    EXPECT_EQ(response.status, 502) << payload;
    EXPECT_EQ(response.body, "Internal Server Error") << payload;
  }
}

TEST(FunctionUrlResponseTest, FunctionErrorResponse) {
  http::Response response = UrlFunctionErrorResponse();
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(UrlHeadersOf(response), (UrlHeaderList{{"Content-Type", "text/plain"}}));
  EXPECT_EQ(response.body, "Internal Server Error");
}

TEST(FunctionUrlResponseTest, StreamHeadForContentType) {
  http::Response typed = UrlStreamHeadForContentType("text/event-stream");
  EXPECT_EQ(typed.status, 200);
  EXPECT_EQ(UrlHeadersOf(typed), (UrlHeaderList{{"Content-Type", "text/event-stream"}}));
  http::Response untyped = UrlStreamHeadForContentType("");
  EXPECT_EQ(UrlHeadersOf(untyped), (UrlHeaderList{{"Content-Type", "application/octet-stream"}}));
}

// --- Streaming prelude ---

std::string UrlStream(std::string_view prelude, std::string_view body) {
  return std::string(prelude) + std::string(kUrlStreamDelimiter) + std::string(body);
}

TEST(UrlStreamPreludeTest, EverySplitGivesTheSameHeadAndBody) {
  const std::string prelude =
      R"({"statusCode":404,"headers":{"Content-Type":"text/plain","X-A":"1"},"cookies":["a=1","b=2"]})";
  const std::string body("not\0found\0\0\0\0\0\0\0\0!", 18);
  const std::string stream = UrlStream(prelude, body);
  const UrlHeaderList expected_headers = {
      {"Content-Type", "text/plain"}, {"X-A", "1"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
  // Three pieces [0, i), [i, j), [j, n) for every i <= j: covers every single split too.
  for (size_t i = 0; i <= stream.size(); ++i) {
    for (size_t j = i; j <= stream.size(); ++j) {
      UrlStreamPrelude parser;
      std::string out;
      ASSERT_TRUE(parser.Feed(std::string_view(stream).substr(0, i), &out).ok()) << i << "," << j;
      ASSERT_TRUE(parser.Feed(std::string_view(stream).substr(i, j - i), &out).ok()) << i << "," << j;
      ASSERT_TRUE(parser.Feed(std::string_view(stream).substr(j), &out).ok()) << i << "," << j;
      ASSERT_TRUE(parser.complete()) << i << "," << j;
      EXPECT_TRUE(parser.FinishAtEnd().ok());
      EXPECT_EQ(parser.head().status, 404);
      EXPECT_EQ(UrlHeadersOf(parser.head()), expected_headers) << i << "," << j;
      ASSERT_EQ(out, body) << i << "," << j;
    }
  }
}

TEST(UrlStreamPreludeTest, ByteByByte) {
  const std::string stream = UrlStream(R"({"statusCode":201})", std::string("\0\0x", 3));
  UrlStreamPrelude parser;
  std::string out;
  size_t completed_at = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(parser.Feed(stream.substr(i, 1), &out).ok()) << i;
    if (parser.complete() && completed_at == 0) completed_at = i + 1;
  }
  EXPECT_EQ(completed_at, std::string(R"({"statusCode":201})").size() + kUrlStreamDelimiter.size());
  EXPECT_EQ(parser.head().status, 201);
  EXPECT_EQ(out, std::string("\0\0x", 3));
}

TEST(UrlStreamPreludeTest, Defaults) {
  UrlStreamPrelude parser;
  std::string out;
  ASSERT_TRUE(parser.Feed(UrlStream("{}", "data"), &out).ok());
  ASSERT_TRUE(parser.complete());
  EXPECT_EQ(parser.head().status, 200);
  EXPECT_EQ(UrlHeadersOf(parser.head()), (UrlHeaderList{{"Content-Type", "application/octet-stream"}}));
  EXPECT_EQ(out, "data");
  // Later bytes are all body, NULs included.
  ASSERT_TRUE(parser.Feed(std::string(kUrlStreamDelimiter) + "{}", &out).ok());
  EXPECT_EQ(out, "data" + std::string(kUrlStreamDelimiter) + "{}");
}

TEST(UrlStreamPreludeTest, IncompleteUntilTheDelimiter) {
  UrlStreamPrelude parser;
  std::string out;
  ASSERT_TRUE(parser.Feed(R"({"statusCode":200})", &out).ok());
  ASSERT_TRUE(parser.Feed(std::string(7, '\0'), &out).ok());
  EXPECT_FALSE(parser.complete());
  EXPECT_EQ(out, "");
  EXPECT_EQ(parser.FinishAtEnd().code(), StatusCode::kInvalidArgument);

  UrlStreamPrelude empty;
  EXPECT_EQ(empty.FinishAtEnd().code(), StatusCode::kInvalidArgument);
}

TEST(UrlStreamPreludeTest, PreludeLimit) {
  // Exactly at the limit: JSON padded with spaces so that it and the delimiter fill 16 KiB.
  std::string at_limit = "{}" + std::string(kUrlStreamPreludeLimit - 2 - kUrlStreamDelimiter.size(), ' ');
  UrlStreamPrelude fits;
  std::string out;
  ASSERT_TRUE(fits.Feed(UrlStream(at_limit, "tail"), &out).ok());
  EXPECT_TRUE(fits.complete());
  EXPECT_EQ(out, "tail");

  // One byte more: the delimiter ends past the limit.
  UrlStreamPrelude over;
  out.clear();
  Status status = over.Feed(UrlStream(at_limit + " ", "tail"), &out);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE(over.complete());
  EXPECT_EQ(out, "");
  EXPECT_EQ(over.Feed("more", &out).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(over.FinishAtEnd().code(), StatusCode::kResourceExhausted);

  // A header that does not fit, fed in small pieces.
  std::string big = R"({"headers":{"X-Big":")" + std::string(kUrlStreamPreludeLimit, 'x') + R"("}})";
  UrlStreamPrelude chunked;
  Status last;
  for (size_t i = 0; i < big.size() && last.ok(); i += 1000) last = chunked.Feed(big.substr(i, 1000), &out);
  EXPECT_EQ(last.code(), StatusCode::kResourceExhausted);
}

TEST(UrlStreamPreludeTest, MalformedPreludes) {
  for (const char* prelude : {"{bad", "", "[1]", "\"text\"", R"({"statusCode":"200"})",
                              R"({"headers":[1]})", R"({"cookies":[null]})", R"({"statusCode":1000})"}) {
    UrlStreamPrelude parser;
    std::string out;
    EXPECT_EQ(parser.Feed(UrlStream(prelude, "body"), &out).code(), StatusCode::kInvalidArgument) << prelude;
    EXPECT_FALSE(parser.complete());
    EXPECT_EQ(out, "");
    EXPECT_EQ(parser.Feed("more", &out).code(), StatusCode::kInvalidArgument) << prelude;
    EXPECT_EQ(parser.FinishAtEnd().code(), StatusCode::kInvalidArgument) << prelude;
  }
}

}  // namespace
}  // namespace zerostart::emulator
