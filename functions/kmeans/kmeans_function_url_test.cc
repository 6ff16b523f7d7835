// The k-means function behind a Function URL: the event's body is the request (plain or
// base64), the answer is the function's JSON, and errors become HTTP responses, not 502s.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "functions/kmeans/kmeans_function.h"
#include "src/runtime/testing/http_events.h"

namespace zerostart::functions {
namespace {

const KmeansLimits kUrlLimits{.memory_limit_bytes = 1024ull << 20};

using runtime::testing::FunctionUrlPostEvent;

TEST(KmeansFunctionUrlTest, TheBodyIsTheRequestAndTheAnswerIsTheSame) {
  const std::string request = R"({"n":2000,"d":3,"k":5,"seed":7})";
  const Response direct = HandleKmeans(request, kUrlLimits);
  ASSERT_FALSE(direct.is_error());
  for (const bool base64 : {false, true}) {
    const Response via_url = HandleKmeans(FunctionUrlPostEvent(request, base64), kUrlLimits);
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

TEST(KmeansFunctionUrlTest, ErrorsBecomeHttpResponses) {
  const struct {
    std::string event;
    int status;
    std::string type;
  } cases[] = {
      {FunctionUrlPostEvent(R"({"k":0})", false), 400, "InvalidRequest"},
      {FunctionUrlPostEvent("not json", false), 400, "InvalidRequest"},
      {R"({"version":"2.0","requestContext":{"http":{}},"body":"@@","isBase64Encoded":true})", 400,
       "InvalidRequest"},
      {FunctionUrlPostEvent(R"({"n":100000000,"d":100})", false), 413, "RequestTooLarge"},
      {FunctionUrlPostEvent(
           R"({"k":2,"points":[[0,0],[0,1],[10,10],[10,11]],"emptyClusterStrategy":"ERROR",)"
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
