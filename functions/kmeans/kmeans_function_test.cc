#include "functions/kmeans/kmeans_function.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace zerostart::functions {
namespace {

const KmeansLimits kLimits{.memory_limit_bytes = 1024ull << 20};

std::string Json(double x) {
  std::string out;
  AppendJsonDouble(out, x);
  return out;
}

TEST(KmeansFunctionTest, DoublesAreShortestRoundTrip) {
  EXPECT_EQ(Json(41.46465311349745), "41.46465311349745");
  EXPECT_EQ(Json(0.1), "0.1");
  EXPECT_EQ(Json(1.0), "1.0");
  EXPECT_EQ(Json(-0.0), "-0.0");
  EXPECT_EQ(Json(1e20), "1e+20");
  EXPECT_EQ(Json(5e-324), "5e-324");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()), "\"Infinity\"");
  EXPECT_EQ(Json(-std::numeric_limits<double>::infinity()), "\"-Infinity\"");
  EXPECT_EQ(Json(std::numeric_limits<double>::quiet_NaN()), "\"NaN\"");
  std::mt19937_64 bits(1);
  for (int i = 0; i < 10000; ++i) {
    const double x = std::bit_cast<double>(bits());
    if (!std::isfinite(x)) continue;
    const std::string text = Json(x);
    ASSERT_EQ(std::bit_cast<uint64_t>(std::strtod(text.c_str(), nullptr)),
              std::bit_cast<uint64_t>(x))
        << text;
  }
}

TEST(KmeansFunctionTest, CheckedExampleResponse) {
  const Response r =
      HandleKmeans(R"({"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42})", kLimits);
  ASSERT_FALSE(r.is_error()) << r.error().type << ": " << r.error().message;
  EXPECT_EQ(r.content_type(), "application/json");
  const std::string& body = r.payload();
  EXPECT_NE(body.find(R"("centers":[[0.7509584063719078,0.2744345615683796],)"
                      R"([0.22036060140316627,0.7436680160665908],)"
                      R"([0.22701359357460477,0.23024931996091927],)"
                      R"([0.7453573903796181,0.7435688847315909]])"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"("sizes":[252,266,228,254],"sse":41.46465311349745,"iterations":10,)"),
            std::string::npos)
      << body;
  const auto json = nlohmann::json::parse(body);
  EXPECT_GE(json.at("generateMs").get<double>(), 0.0);
  EXPECT_GE(json.at("clusterMs").get<double>(), 0.0);
  EXPECT_EQ(json.at("sse").get<double>(), 41.46465311349745);
}

TEST(KmeansFunctionTest, EmptyRequestIsTheCheckedExample) {
  const Response a = HandleKmeans("{}", kLimits);
  const Response b =
      HandleKmeans(R"({"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42})", kLimits);
  ASSERT_FALSE(a.is_error());
  ASSERT_FALSE(b.is_error());
  const auto ja = nlohmann::json::parse(a.payload());
  const auto jb = nlohmann::json::parse(b.payload());
  EXPECT_EQ(ja.at("centers"), jb.at("centers"));
  EXPECT_EQ(ja.at("sizes"), jb.at("sizes"));
  EXPECT_EQ(ja.at("sse"), jb.at("sse"));
}

TEST(KmeansFunctionTest, ExplicitPoints) {
  const Response r = HandleKmeans(
      R"({"k":2,"points":[[0,0],[0,1],[10,10],[10,11]],"emptyClusterStrategy":"ERROR"})", kLimits);
  ASSERT_FALSE(r.is_error()) << r.error().message;
  const auto json = nlohmann::json::parse(r.payload());
  EXPECT_EQ(json.at("generateMs").get<double>(), 0.0);
  const auto sizes = json.at("sizes").get<std::vector<int>>();
  EXPECT_EQ(sizes, (std::vector<int>{2, 2}));
  const auto centers = json.at("centers").get<std::vector<std::vector<double>>>();
  ASSERT_EQ(centers.size(), 2u);
  EXPECT_TRUE((centers[0] == std::vector<double>{0.0, 0.5} &&
               centers[1] == std::vector<double>{10.0, 10.5}) ||
              (centers[1] == std::vector<double>{0.0, 0.5} &&
               centers[0] == std::vector<double>{10.0, 10.5}))
      << r.payload();
  EXPECT_EQ(json.at("sse").get<double>(), 1.0);
  EXPECT_NE(r.payload().find("\"sse\":1.0,"), std::string::npos) << r.payload();
}

TEST(KmeansFunctionTest, ErrorTypes) {
  Response r = HandleKmeans("[]", kLimits);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "InvalidRequest");
  EXPECT_FALSE(r.error().message.empty());

  r = HandleKmeans(R"({"n":100000000,"d":100})", kLimits);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "RequestTooLarge");

  // Two locations, three clusters: a seed repeats a location and its cluster is empty.
  r = HandleKmeans(R"({"k":3,"points":[[0],[0],[1],[1]],"emptyClusterStrategy":"ERROR"})", kLimits);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "ConvergenceException");
  EXPECT_EQ(r.error().message, "empty cluster in k-means");

  EXPECT_EQ(KmeansErrorType(StatusCode::kInternal), "InternalError");
}

TEST(KmeansFunctionTest, NonFiniteResultsAreStrings) {
  // Coordinates near DBL_MAX: centroid sums overflow; Java gives Infinity, Jackson writes
  // "Infinity".
  const Response r = HandleKmeans(R"({"k":1,"points":[[1e308],[1e308]]})", kLimits);
  ASSERT_FALSE(r.is_error());
  EXPECT_NE(r.payload().find(R"("centers":[["Infinity"]])"), std::string::npos) << r.payload();
  EXPECT_TRUE(nlohmann::json::accept(r.payload()));
}

TEST(KmeansFunctionTest, ZeroIterationsAndUnlimited) {
  Response r = HandleKmeans(R"({"n":200,"k":3,"maxIterations":0})", kLimits);
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(nlohmann::json::parse(r.payload()).at("iterations").get<int>(), 0);
  r = HandleKmeans(R"({"n":200,"k":3,"maxIterations":-1})", kLimits);
  ASSERT_FALSE(r.is_error());
  EXPECT_GT(nlohmann::json::parse(r.payload()).at("iterations").get<int>(), 0);
}

}  // namespace
}  // namespace zerostart::functions
