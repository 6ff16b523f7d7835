// Payload format 2.0 (zerostart/http_event.h): the request body out of a Function URL event,
// plain or base64, and response objects as Lambda reads them.
#include "zerostart/http_event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "src/common/base64.h"
#include "src/runtime/testing/http_events.h"

namespace zerostart {
namespace {

using runtime::testing::FunctionUrlPostEvent;

TEST(FunctionUrlBodyTest, OnlyFormat20HttpEventsAreUnwrapped) {
  EXPECT_FALSE(FunctionUrlBody(R"({"n":1000,"k":4})").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"({"requestContext":{"http":{}}})").has_value());  // no version
  EXPECT_FALSE(FunctionUrlBody(R"({"version":"1.0","requestContext":{"http":{}}})").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"({"version":2.0,"requestContext":{"http":{}}})").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"({"version":"2.0","requestContext":{}})").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"({"version":"2.0","requestContext":"http"})").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"({"requestContext": not json)").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"(["requestContext",{"http":{}}])").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"("requestContext")").has_value());
  EXPECT_FALSE(FunctionUrlBody("").has_value());
  EXPECT_FALSE(FunctionUrlBody("\xff\xfe\"requestContext\"").has_value());
}

TEST(FunctionUrlBodyTest, TheBodyComesOutAsSent) {
  for (const std::string& body :
       {std::string(R"({"k":3})"), std::string("not json"), std::string("caf\xc3\xa9")}) {
    auto plain = FunctionUrlBody(FunctionUrlPostEvent(body, false));
    ASSERT_TRUE(plain.has_value() && plain->ok()) << body;
    EXPECT_EQ(**plain, body);
  }
  // isBase64Encoded false or absent: the body is taken as it is, even when it looks like base64.
  auto absent =
      FunctionUrlBody(R"({"version":"2.0","requestContext":{"http":{}},"body":"eyJrIjozfQ=="})");
  ASSERT_TRUE(absent.has_value() && absent->ok());
  EXPECT_EQ(**absent, "eyJrIjozfQ==");
}

TEST(FunctionUrlBodyTest, Base64BodiesAreDecoded) {
  auto encoded = FunctionUrlBody(FunctionUrlPostEvent(R"({"k":3})", true));
  ASSERT_TRUE(encoded.has_value() && encoded->ok());
  EXPECT_EQ(**encoded, R"({"k":3})");
  std::string binary;
  for (int byte = 0; byte < 256; ++byte) binary.push_back(static_cast<char>(byte));
  auto bytes = FunctionUrlBody(FunctionUrlPostEvent(binary, true));
  ASSERT_TRUE(bytes.has_value() && bytes->ok());
  EXPECT_EQ(**bytes, binary);
  auto unpadded = FunctionUrlBody(
      R"({"version":"2.0","requestContext":{"http":{}},"body":"eyJrIjozfQ","isBase64Encoded":true})");
  ASSERT_TRUE(unpadded.has_value() && unpadded->ok());
  EXPECT_EQ(**unpadded, R"({"k":3})");
}

TEST(FunctionUrlBodyTest, AnAbsentOrNullBodyIsEmpty) {
  for (const char* event :
       {R"({"version":"2.0","requestContext":{"http":{"method":"GET"}}})",
        R"({"version":"2.0","requestContext":{"http":{}},"body":null})",
        R"({"version":"2.0","requestContext":{"http":{}},"body":null,"isBase64Encoded":true})",
        R"({"version":"2.0","requestContext":{"http":{}},"body":"","isBase64Encoded":true})"}) {
    auto body = FunctionUrlBody(event);
    ASSERT_TRUE(body.has_value()) << event;
    ASSERT_TRUE(body->ok()) << event << ": " << body->status().ToString();
    EXPECT_EQ(**body, "") << event;
  }
}

TEST(FunctionUrlBodyTest, InvalidBase64IsInvalidArgument) {
  for (const char* body : {"%%%", "@@", "eyJrIjozfQ=x", "e"}) {
    const std::string event =
        std::string(R"({"version":"2.0","requestContext":{"http":{}},"body":")") + body +
        R"(","isBase64Encoded":true})";
    auto decoded = FunctionUrlBody(event);
    ASSERT_TRUE(decoded.has_value()) << event;
    EXPECT_EQ(decoded->status().code(), StatusCode::kInvalidArgument) << event;
    EXPECT_NE(decoded->status().message().find("base64"), std::string::npos)
        << decoded->status().message();
  }
}

TEST(FunctionUrlResponseTest, HoldsStatusHeadersCookiesAndBody) {
  HttpResponse created;
  created.status_code = 201;
  created.headers = {{"content-type", "text/plain"}, {"x-request", "a\"b"}};
  created.body = "hello\n";
  created.cookies = {"id=1; Secure", "theme=dark"};
  const std::string text = FunctionUrlResponse(created);
  EXPECT_EQ(text, R"({"statusCode":201,"headers":{"content-type":"text/plain","x-request":"a\"b"},)"
                  R"("cookies":["id=1; Secure","theme=dark"],"body":"hello\n"})");
  // Only what is set: no headers, cookies or isBase64Encoded keys for their defaults.
  EXPECT_EQ(FunctionUrlResponse({}), R"({"statusCode":200,"body":""})");
}

TEST(FunctionUrlResponseTest, BinaryBodiesAreSentBase64) {
  std::string bytes;
  for (int byte = 255; byte >= 0; --byte) bytes.push_back(static_cast<char>(byte));
  HttpResponse binary;
  binary.body = bytes;
  binary.binary = true;
  const nlohmann::json response = nlohmann::json::parse(FunctionUrlResponse(binary));
  EXPECT_EQ(response.at("isBase64Encoded"), true);
  Result<std::string> decoded = Base64Decode(response.at("body").get<std::string>());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, bytes);
}

TEST(FunctionUrlResponseTest, InvalidUtf8InTextStaysJson) {
  HttpResponse text_response;
  text_response.headers = {{"x-bytes", "\xff"}};
  text_response.body = "caf\xc3\xa9 \xc3";
  const std::string text = FunctionUrlResponse(text_response);
  const nlohmann::json response = nlohmann::json::parse(text);  // throws if not JSON
  EXPECT_EQ(response.at("headers").at("x-bytes"), "\xef\xbf\xbd");
  EXPECT_EQ(response.at("body"), "caf\xc3\xa9 \xef\xbf\xbd");
}

TEST(FunctionUrlResponseTest, ErrorsAreJsonBodiesWithTheirStatus) {
  EXPECT_EQ(FunctionUrlErrorResponse(400, "InvalidRequest", "k must be >= 1"),
            R"({"statusCode":400,"headers":{"content-type":"application/json"},)"
            R"("body":"{\"errorType\":\"InvalidRequest\",\"errorMessage\":\"k must be >= 1\"}"})");
  const nlohmann::json response =
      nlohmann::json::parse(FunctionUrlErrorResponse(500, "Oops", "bad \xff byte"));
  EXPECT_EQ(response.at("statusCode"), 500);
  const nlohmann::json body = nlohmann::json::parse(response.at("body").get<std::string>());
  EXPECT_EQ(body.at("errorType"), "Oops");
  EXPECT_EQ(body.at("errorMessage"), "bad \xef\xbf\xbd byte");
}

TEST(FunctionUrlResponseTest, AnEventsBodyRoundTripsThroughAResponse) {
  // What an echo behind a URL would do: the request body back, bytes intact.
  const std::string bytes("\x00\x01\x80\xff", 4);
  auto body = FunctionUrlBody(FunctionUrlPostEvent(bytes, true));
  ASSERT_TRUE(body.has_value() && body->ok());
  HttpResponse echo;
  echo.body = **body;
  echo.binary = true;
  const nlohmann::json response = nlohmann::json::parse(FunctionUrlResponse(echo));
  EXPECT_EQ(*Base64Decode(response.at("body").get<std::string>()), bytes);
}

}  // namespace
}  // namespace zerostart
