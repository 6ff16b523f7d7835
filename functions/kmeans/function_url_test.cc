// The k-means function behind a Function URL: the event's body is the request (plain or
// base64), the answer is the function's JSON, and errors become HTTP responses, not 502s.
#include "functions/kmeans/function_url.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "functions/kmeans/kmeans_function.h"
#include "src/common/base64.h"

namespace zerostart::functions {
namespace {

const KmeansLimits kUrlLimits{.memory_limit_bytes = 1024ull << 20};

// A Function URL event as Lambda sends it (payload format 2.0), trimmed to the fields used.
std::string UrlEvent(const std::string& body, bool base64) {
  nlohmann::json event = {
      {"version", "2.0"},
      {"routeKey", "$default"},
      {"rawPath", "/"},
      {"headers", {{"content-type", "application/json"}}},
      {"requestContext", {{"http", {{"method", "POST"}, {"path", "/"}}}}},
      {"body", base64 ? Base64Encode(body) : body},
      {"isBase64Encoded", base64}};
  return event.dump();
}

TEST(FunctionUrlTest, OnlyFormat20HttpEventsAreUnwrapped) {
  EXPECT_FALSE(FunctionUrlBody(R"({"n":1000,"k":4})").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"({"requestContext":{"http":{}}})").has_value());  // no version
  EXPECT_FALSE(FunctionUrlBody(R"({"version":"1.0","requestContext":{"http":{}}})").has_value());
  EXPECT_FALSE(FunctionUrlBody(R"({"requestContext": not json)").has_value());
  auto get = FunctionUrlBody(R"({"version":"2.0","requestContext":{"http":{"method":"GET"}}})");
  ASSERT_TRUE(get.has_value());
  ASSERT_TRUE(get->ok());
  EXPECT_EQ(**get, "");
  auto plain = FunctionUrlBody(UrlEvent(R"({"k":3})", false));
  ASSERT_TRUE(plain.has_value() && plain->ok());
  EXPECT_EQ(**plain, R"({"k":3})");
  auto encoded = FunctionUrlBody(UrlEvent(R"({"k":3})", true));
  ASSERT_TRUE(encoded.has_value() && encoded->ok());
  EXPECT_EQ(**encoded, R"({"k":3})");
  auto bad = FunctionUrlBody(
      R"({"version":"2.0","requestContext":{"http":{}},"body":"%%%","isBase64Encoded":true})");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status().code(), StatusCode::kInvalidArgument);
}

TEST(FunctionUrlTest, TheBodyIsTheRequestAndTheAnswerIsTheSame) {
  const std::string request = R"({"n":2000,"d":3,"k":5,"seed":7})";
  const Response direct = HandleKmeans(request, kUrlLimits);
  ASSERT_FALSE(direct.is_error());
  for (const bool base64 : {false, true}) {
    const Response via_url = HandleKmeans(UrlEvent(request, base64), kUrlLimits);
    ASSERT_FALSE(via_url.is_error());
    nlohmann::json a = nlohmann::json::parse(direct.payload());
    nlohmann::json b = nlohmann::json::parse(via_url.payload());
    for (const char* timing : {"generateMs", "clusterMs"}) {
      a.erase(timing);
      b.erase(timing);
    }
    EXPECT_EQ(a, b) << (base64 ? "base64" : "plain");
    EXPECT_FALSE(b.contains("statusCode"));  // the URL answers 200 with the JSON as body
  }
}

TEST(FunctionUrlTest, ErrorsBecomeHttpResponses) {
  const struct {
    std::string event;
    int status;
    std::string type;
  } cases[] = {
      {UrlEvent(R"({"k":0})", false), 400, "InvalidRequest"},
      {UrlEvent("not json", false), 400, "InvalidRequest"},
      {R"({"version":"2.0","requestContext":{"http":{}},"body":"@@","isBase64Encoded":true})", 400,
       "InvalidRequest"},
      {UrlEvent(R"({"n":100000000,"d":100})", false), 413, "RequestTooLarge"},
      {UrlEvent(R"({"k":2,"points":[[0,0],[0,1],[10,10],[10,11]],"emptyClusterStrategy":"ERROR",)"
                R"("maxIterations":1})",
                false),
       0, ""},  // converges fine: not an error
  };
  for (const auto& c : cases) {
    const Response r = HandleKmeans(c.event, kUrlLimits);
    ASSERT_FALSE(r.is_error()) << c.event;
    const nlohmann::json response = nlohmann::json::parse(r.payload());
    if (c.status == 0) {
      EXPECT_FALSE(response.contains("statusCode")) << r.payload();
      continue;
    }
    EXPECT_EQ(response.at("statusCode"), c.status) << r.payload();
    EXPECT_EQ(response.at("headers").at("content-type"), "application/json");
    const nlohmann::json body = nlohmann::json::parse(response.at("body").get<std::string>());
    EXPECT_EQ(body.at("errorType"), c.type) << r.payload();
    EXPECT_FALSE(body.at("errorMessage").get<std::string>().empty());
  }
}

}  // namespace
}  // namespace zerostart::functions
