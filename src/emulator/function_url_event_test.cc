#include "src/emulator/function_url_event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "src/common/base64.h"

namespace zerostart::emulator {
namespace {

// timeEpoch of the documented example (urls-invocation.html, "Request payload format").
const auto kUrlDocNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1583348638390));

http::Request UrlRequest(std::string method, std::string target) {
  http::Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

UrlEventContext UrlContext() {
  UrlEventContext context;
  context.request_id = "id";
  context.url_id = "abcdefg";
  context.now = kUrlDocNow;
  return context;
}

// The event for `request` routed by its own target, parsed.
nlohmann::json UrlEvent(const http::Request& request, const UrlEventContext& context = UrlContext()) {
  Result<UrlTarget> target = ParseUrlTarget(request.target);
  EXPECT_TRUE(target.ok()) << target.status().ToString();
  Result<std::string> event = BuildUrlEvent(request, *target, context);
  EXPECT_TRUE(event.ok()) << event.status().ToString();
  return event.ok() ? nlohmann::json::parse(*event) : nlohmann::json();
}

TEST(FunctionUrlEventTest, DocumentedExample) {
  http::Request request = UrlRequest(
      "POST", "/lambda-url/my-function/my/path?parameter1=value1&parameter1=value2&parameter2=value");
  request.headers.Add("header1", "value1");
  request.headers.Add("header2", "value1");
  request.headers.Add("Header2", "value2");
  request.headers.Add("Cookie", "cookie1; cookie2");
  request.headers.Add("User-Agent", "agent");
  request.headers.Add("Content-Type", "text/plain");
  request.body = "Hello from client!";
  UrlEventContext context = UrlContext();
  context.account_id = "123456789012";
  context.region = "us-west-2";
  context.source_ip = "123.123.123.123";

  // The documented event without its null members and IAM authorizer (auth type NONE). Its
  // "time" is not the time of its own timeEpoch (1583348638390 ms is 4 March 2020); the
  // event's time follows timeEpoch.
  nlohmann::json expected = nlohmann::json::parse(R"({
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/my/path",
    "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
    "cookies": ["cookie1", "cookie2"],
    "headers": {"header1": "value1", "header2": "value1,value2", "user-agent": "agent",
                "content-type": "text/plain"},
    "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
    "requestContext": {
      "accountId": "123456789012",
      "apiId": "abcdefg",
      "domainName": "abcdefg.lambda-url.us-west-2.on.aws",
      "domainPrefix": "abcdefg",
      "http": {"method": "POST", "path": "/my/path", "protocol": "HTTP/1.1",
               "sourceIp": "123.123.123.123", "userAgent": "agent"},
      "requestId": "id",
      "routeKey": "$default",
      "stage": "$default",
      "time": "04/Mar/2020:19:03:58 +0000",
      "timeEpoch": 1583348638390
    },
    "body": "Hello from client!",
    "isBase64Encoded": false
  })");
  EXPECT_EQ(UrlEvent(request, context), expected);
}

TEST(FunctionUrlEventTest, ParsesTargets) {
  Result<UrlTarget> bare = ParseUrlTarget("/lambda-url/fn");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->function_name, "fn");
  EXPECT_EQ(bare->raw_path, "/");
  EXPECT_EQ(bare->raw_query, "");

  Result<UrlTarget> slash = ParseUrlTarget("/lambda-url/fn/");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->raw_path, "/");

  Result<UrlTarget> full = ParseUrlTarget("/lambda-url/my%2Dfn/a%20b/c/?x=1&y=%2F");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->function_name, "my-fn");
  EXPECT_EQ(full->raw_path, "/a%20b/c/");
  EXPECT_EQ(full->raw_query, "x=1&y=%2F");

  Result<UrlTarget> query_only = ParseUrlTarget("/lambda-url/fn?a=b/c");
  ASSERT_TRUE(query_only.ok());
  EXPECT_EQ(query_only->function_name, "fn");
  EXPECT_EQ(query_only->raw_path, "/");
  EXPECT_EQ(query_only->raw_query, "a=b/c");
}

TEST(FunctionUrlEventTest, RejectsTargets) {
  EXPECT_EQ(ParseUrlTarget("/").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseUrlTarget("/lambda-url").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseUrlTarget("/lambda-url/").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseUrlTarget("/lambda-url//path").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseUrlTarget("/lambda-url/?a=1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseUrlTarget("/2015-03-31/functions/fn/invocations").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ParseUrlTarget("/lambda-url/f%zz/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseUrlTarget("/lambda-url/f%4").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseUrlTarget("/lambda-url/f%").status().code(), StatusCode::kInvalidArgument);
}

TEST(FunctionUrlEventTest, KeepsThePathRaw) {
  nlohmann::json event = UrlEvent(UrlRequest("GET", "/lambda-url/fn/a%20b/%E2%82%AC"));
  EXPECT_EQ(event["rawPath"], "/a%20b/%E2%82%AC");
  EXPECT_EQ(event["requestContext"]["http"]["path"], "/a%20b/%E2%82%AC");
  EXPECT_EQ(event["requestContext"]["http"]["method"], "GET");
}

TEST(FunctionUrlEventTest, SplitsCookies) {
  http::Request request = UrlRequest("GET", "/lambda-url/fn");
  request.headers.Add("Cookie", "a=1;b=2;  ; c=3 ");
  request.headers.Add("cookie", "d=4");
  request.headers.Add("X-Other", "x");
  nlohmann::json event = UrlEvent(request);
  EXPECT_EQ(event["cookies"], nlohmann::json::parse(R"(["a=1","b=2","c=3","d=4"])"));
  EXPECT_EQ(event["headers"], nlohmann::json::parse(R"({"x-other":"x"})"));

  nlohmann::json without = UrlEvent(UrlRequest("GET", "/lambda-url/fn"));
  EXPECT_FALSE(without.contains("cookies"));
  EXPECT_EQ(without["headers"], nlohmann::json::object());

  http::Request empty_cookie = UrlRequest("GET", "/lambda-url/fn");
  empty_cookie.headers.Add("Cookie", "");
  EXPECT_FALSE(UrlEvent(empty_cookie).contains("cookies"));
}

TEST(FunctionUrlEventTest, JoinsRepeatedHeadersLowercased) {
  http::Request request = UrlRequest("GET", "/lambda-url/fn");
  request.headers.Add("X-Multi", "1");
  request.headers.Add("Accept", "text/html");
  request.headers.Add("x-MULTI", "2");
  request.headers.Add("X-Multi", "3");
  nlohmann::json event = UrlEvent(request);
  EXPECT_EQ(event["headers"], nlohmann::json::parse(R"({"x-multi":"1,2,3","accept":"text/html"})"));
  EXPECT_EQ(event["requestContext"]["http"]["userAgent"], "");
}

TEST(FunctionUrlEventTest, ReplacesInvalidUtf8InHeaders) {
  http::Request request = UrlRequest("GET", "/lambda-url/fn");
  request.headers.Add("X-Bytes", std::string("a\xff", 2));
  nlohmann::json event = UrlEvent(request);
  EXPECT_EQ(event["headers"]["x-bytes"], "a\xEF\xBF\xBD");
}

TEST(FunctionUrlEventTest, Base64EncodesBinaryBodies) {
  const std::string binary("\x00\xff\x10 bytes", 9);
  struct Case {
    std::string content_type;
    std::string body;
    bool base64;
  };
  const Case cases[] = {
      {"application/octet-stream", binary, true},
      {"image/png", "PNG", true},
      {"", "no type", true},
      {"application/json", R"({"a":1})", false},
      {"Application/JSON; charset=utf-8", R"({"a":1})", false},
      {"text/plain", "caf\xC3\xA9", false},
      {"text/plain", "caf\xE9", true},  // Latin-1, not UTF-8
      {"text/html", binary, true},
      {"application/x-www-form-urlencoded", "a=1&b=2", false},
      {"application/javascript", "let a;", false},
      {"application/xml", "<a/>", false},
      {"application/vnd.api+json", "{}", false},
      {"image/svg+xml", "<svg/>", false},
      {"application/pdf", "%PDF", true},
  };
  for (const Case& c : cases) {
    http::Request request = UrlRequest("POST", "/lambda-url/fn");
    if (!c.content_type.empty()) request.headers.Add("Content-Type", c.content_type);
    request.body = c.body;
    nlohmann::json event = UrlEvent(request);
    EXPECT_EQ(event["isBase64Encoded"], c.base64) << c.content_type;
    if (c.base64) {
      ASSERT_TRUE(event["body"].is_string());
      Result<std::string> decoded = Base64Decode(event["body"].get<std::string>());
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(*decoded, c.body) << c.content_type;
    } else {
      EXPECT_EQ(event["body"], c.body) << c.content_type;
    }
  }
}

TEST(FunctionUrlEventTest, OmitsAnEmptyBody) {
  http::Request request = UrlRequest("POST", "/lambda-url/fn");
  request.headers.Add("Content-Type", "application/octet-stream");
  nlohmann::json event = UrlEvent(request);
  EXPECT_FALSE(event.contains("body"));
  EXPECT_EQ(event["isBase64Encoded"], false);
}

TEST(FunctionUrlEventTest, DecodesQueryParameters) {
  nlohmann::json event =
      UrlEvent(UrlRequest("GET", "/lambda-url/fn/p?a=b%20c&a=d+e&flag&=x&&k=%E2%82%AC&p%2Bq=1%3D2"));
  EXPECT_EQ(event["rawQueryString"], "a=b%20c&a=d+e&flag&=x&&k=%E2%82%AC&p%2Bq=1%3D2");
  EXPECT_EQ(event["queryStringParameters"],
            nlohmann::json::parse(R"({"a":"b c,d e","flag":"","":"x","k":"€","p+q":"1=2"})"));

  nlohmann::json none = UrlEvent(UrlRequest("GET", "/lambda-url/fn/p"));
  EXPECT_EQ(none["rawQueryString"], "");
  EXPECT_FALSE(none.contains("queryStringParameters"));

  nlohmann::json empty = UrlEvent(UrlRequest("GET", "/lambda-url/fn/p?"));
  EXPECT_EQ(empty["rawQueryString"], "");
  EXPECT_FALSE(empty.contains("queryStringParameters"));

  nlohmann::json only_separators = UrlEvent(UrlRequest("GET", "/lambda-url/fn/p?&&"));
  EXPECT_EQ(only_separators["rawQueryString"], "&&");
  EXPECT_FALSE(only_separators.contains("queryStringParameters"));
}

TEST(FunctionUrlEventTest, RejectsMalformedQueryEncoding) {
  for (const char* target : {"/lambda-url/fn?a=%zz", "/lambda-url/fn?a=%4", "/lambda-url/fn?%=1",
                             "/lambda-url/fn?a=1&b=50%"}) {
    http::Request request = UrlRequest("GET", target);
    Result<UrlTarget> parsed = ParseUrlTarget(request.target);
    ASSERT_TRUE(parsed.ok()) << target;
    EXPECT_EQ(BuildUrlEvent(request, *parsed, UrlContext()).status().code(), StatusCode::kInvalidArgument)
        << target;
  }
}

TEST(FunctionUrlEventTest, RejectsEventsOverThePayloadLimit) {
  http::Request request = UrlRequest("POST", "/lambda-url/fn");
  request.headers.Add("Content-Type", "text/plain");
  request.body.assign(lambda::kMaxPayloadBytes, 'x');
  Result<UrlTarget> target = ParseUrlTarget(request.target);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(BuildUrlEvent(request, *target, UrlContext()).status().code(), StatusCode::kResourceExhausted);
}

TEST(FunctionUrlEventTest, DerivesUrlIds) {
  EXPECT_EQ(UrlIdForFunction("My-Function_2"), "myfunction2");
  EXPECT_EQ(UrlIdForFunction("---"), "function");
  EXPECT_EQ(UrlIdForFunction(std::string(40, 'A')), std::string(32, 'a'));
}

TEST(FunctionUrlEventTest, FormatsTimes) {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  EXPECT_EQ(UrlEventTime(system_clock::time_point(milliseconds(1631055022677))), "07/Sep/2021:22:50:22 +0000");
  EXPECT_EQ(UrlEventTime(system_clock::time_point(milliseconds(0))), "01/Jan/1970:00:00:00 +0000");
  EXPECT_EQ(UrlEventTime(system_clock::time_point(milliseconds(1703980799999))), "30/Dec/2023:23:59:59 +0000");
}

TEST(FunctionUrlEventTest, ClassifiesContentTypes) {
  EXPECT_TRUE(IsTextContentType("text/csv"));
  EXPECT_TRUE(IsTextContentType(" TEXT/PLAIN ; charset=utf-8"));
  EXPECT_TRUE(IsTextContentType("application/ld+json"));
  EXPECT_FALSE(IsTextContentType(""));
  EXPECT_FALSE(IsTextContentType("+json"));
  EXPECT_FALSE(IsTextContentType("application/jsonx"));
  EXPECT_FALSE(IsTextContentType("application/octet-stream"));
  EXPECT_FALSE(IsTextContentType("multipart/form-data; boundary=x"));
}

}  // namespace
}  // namespace zerostart::emulator
