#include "functions/kmeans/kmeans_function.h"

#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "functions/kmeans/engine/points.h"

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
  const auto before = std::chrono::steady_clock::now();
  const Response r =
      HandleKmeans(R"({"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42})", kLimits);
  const double wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - before).count();
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
  // The timings are numbers, not zero (2,000 doubles drawn, 10 passes over 1,000 points), and
  // together within the wall time of the whole call around them.
  ASSERT_TRUE(json.at("generateMs").is_number_float()) << body;
  ASSERT_TRUE(json.at("clusterMs").is_number_float()) << body;
  const double generate_ms = json.at("generateMs").get<double>();
  const double cluster_ms = json.at("clusterMs").get<double>();
  EXPECT_GT(generate_ms, 0.0) << body;
  EXPECT_GT(cluster_ms, 0.0) << body;
  EXPECT_LE(generate_ms + cluster_ms, wall_ms) << body;
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

TEST(KmeansFunctionTest, ModeIsReportedOnlyWhenAsked) {
  const Response plain = HandleKmeans(R"({"n":2000,"d":4,"k":6})", kLimits);
  ASSERT_FALSE(plain.is_error());
  EXPECT_EQ(plain.payload().find("\"mode\""), std::string::npos) << plain.payload();
  const Response exact = HandleKmeans(R"({"n":2000,"d":4,"k":6,"mode":"exact"})", kLimits);
  ASSERT_FALSE(exact.is_error());
  EXPECT_NE(exact.payload().find(R"(,"mode":"exact"})"), std::string::npos) << exact.payload();
  const Response fast = HandleKmeans(R"({"n":2000,"d":4,"k":6,"mode":"fast"})", kLimits);
  ASSERT_FALSE(fast.is_error());
  EXPECT_NE(fast.payload().find(R"(,"mode":"fast"})"), std::string::npos) << fast.payload();
  // Data too spread for float32: the exact arithmetic runs, and the response says so.
  const Response spread =
      HandleKmeans(R"({"k":2,"mode":"fast","points":[[0],[1],[1e300],[2e300]]})", kLimits);
  ASSERT_FALSE(spread.is_error());
  EXPECT_NE(spread.payload().find(R"(,"mode":"exact"})"), std::string::npos) << spread.payload();
  const Response bad = HandleKmeans(R"({"mode":"quick"})", kLimits);
  ASSERT_TRUE(bad.is_error());
  EXPECT_EQ(bad.error().type, "InvalidRequest");
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


// --- Threads (the CPU budget from main) ---

TEST(KmeansFunctionTest, ThreadsAreReportedAndChangeNothingElse) {
  const std::string payload = R"({"n":5000,"d":3,"k":8,"seed":7})";
  std::optional<nlohmann::json> first;
  for (const int threads : {1, 2, 3, 8}) {
    KmeansLimits limits = kLimits;
    limits.threads = threads;
    const Response r = HandleKmeans(payload, limits);
    ASSERT_FALSE(r.is_error()) << r.error().message;
    auto json = nlohmann::json::parse(r.payload());
    EXPECT_EQ(json.at("threads").get<int>(), threads);
    for (const char* timing : {"generateMs", "clusterMs", "threads"}) json.erase(timing);
    if (!first) first = json;
    EXPECT_EQ(json, *first) << "threads " << threads;  // every center bit, size, sse
  }
  KmeansLimits limits = kLimits;
  limits.threads = 0;  // nonsense counts as 1
  const Response r = HandleKmeans(payload, limits);
  ASSERT_FALSE(r.is_error());
  EXPECT_NE(r.payload().find(R"("threads":1})"), std::string::npos) << r.payload();
}

// --- Bad input, against what Commons Math 3.6.1 returned for the same requests (KMeansOracle
// on the real jar; tests/oracle checks the engine on these shapes bit for bit) ---

// 6 points at 3 locations, k = 4: the fourth seed repeats (0,0) and one cluster is empty after
// every pass.
constexpr const char* kThreeLocations = R"("points":[[0,0],[0,0],[1,1],[1,1],[1,1],[2,5]])";

nlohmann::json Succeed(const std::string& payload) {
  const Response r = HandleKmeans(payload, kLimits);
  EXPECT_FALSE(r.is_error()) << payload << ": " << r.error().type << " " << r.error().message;
  return r.is_error() ? nlohmann::json() : nlohmann::json::parse(r.payload());
}

std::string WithStrategy(int max_iterations, const char* strategy) {
  return std::string(R"({"k":4,"seed":3,"maxIterations":)") + std::to_string(max_iterations) +
         R"(,"emptyClusterStrategy":")" + strategy + "\"," + kThreeLocations + "}";
}

TEST(KmeansFunctionTest, MoreClustersThanDistinctPointsRunsEveryPassAsJava) {
  using Centers = std::vector<std::vector<double>>;
  // Java: "ok 7 ..." for each strategy: never converges, stops at maxIterations, sse 0.
  struct Expected {
    const char* strategy;
    Centers centers;
  };
  const Expected cases[] = {
      {"LARGEST_VARIANCE", {{2, 5}, {0, 0}, {1, 1}, {2, 5}}},
      {"LARGEST_POINTS_NUMBER", {{2, 5}, {0, 0}, {1, 1}, {1, 1}}},
      {"FARTHEST_POINT", {{2, 5}, {0, 0}, {1, 1}, {2, 5}}},
  };
  for (const Expected& e : cases) {
    SCOPED_TRACE(e.strategy);
    const nlohmann::json json = Succeed(WithStrategy(7, e.strategy));
    EXPECT_EQ(json.at("iterations").get<int>(), 7);
    EXPECT_EQ(json.at("sizes").get<std::vector<int>>(), (std::vector<int>{1, 2, 3, 0}));
    EXPECT_EQ(json.at("centers").get<Centers>(), e.centers);
    EXPECT_EQ(json.at("sse").get<double>(), 0.0);
  }
  // Java: one pass. The strategy has already moved a center.
  const nlohmann::json one = Succeed(WithStrategy(1, "LARGEST_VARIANCE"));
  EXPECT_EQ(one.at("iterations").get<int>(), 1);
  EXPECT_EQ(one.at("centers").get<Centers>(), (Centers{{2, 5}, {0, 0}, {1, 1}, {2, 5}}));
  // Java: ConvergenceException at the first pass.
  const Response error = HandleKmeans(WithStrategy(7, "ERROR"), kLimits);
  ASSERT_TRUE(error.is_error());
  EXPECT_EQ(error.error().type, "ConvergenceException");
}

TEST(KmeansFunctionTest, MaxIterationsZeroReturnsTheSeedsUnderEveryStrategy) {
  // Java: "ok 0", centers = the seeds (the fourth a duplicate of (0,0)), the initial
  // assignment; ERROR does not fail, as no pass looks at the empty cluster.
  for (const char* strategy :
       {"LARGEST_VARIANCE", "LARGEST_POINTS_NUMBER", "FARTHEST_POINT", "ERROR"}) {
    SCOPED_TRACE(strategy);
    const nlohmann::json json = Succeed(WithStrategy(0, strategy));
    EXPECT_EQ(json.at("iterations").get<int>(), 0);
    EXPECT_EQ(json.at("sizes").get<std::vector<int>>(), (std::vector<int>{1, 2, 3, 0}));
    EXPECT_EQ(json.at("centers").get<std::vector<std::vector<double>>>(),
              (std::vector<std::vector<double>>{{2, 5}, {0, 0}, {1, 1}, {0, 0}}));
  }
}

TEST(KmeansFunctionTest, UnlimitedPassesWithMoreClustersThanDistinctPointsAreRefused) {
  // Java would run 2^31 - 1 passes; we say why instead.
  for (const char* strategy : {"LARGEST_VARIANCE", "LARGEST_POINTS_NUMBER", "FARTHEST_POINT"}) {
    const Response r = HandleKmeans(WithStrategy(-1, strategy), kLimits);
    ASSERT_TRUE(r.is_error()) << strategy;
    EXPECT_EQ(r.error().type, "InvalidRequest");
    EXPECT_NE(r.error().message.find("k = 4 exceeds the 3 distinct point(s)"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("maxIterations"), std::string::npos);
  }
  // ERROR with no limit fails at the first pass, as Java does.
  Response r = HandleKmeans(WithStrategy(-1, "ERROR"), kLimits);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "ConvergenceException");
  // Exactly k distinct points (duplicates besides) are fine: it can converge.
  const nlohmann::json json = Succeed(
      R"({"k":3,"seed":3,"maxIterations":-1,"points":[[0,0],[0,0],[1,1],[1,1],[1,1],[2,5]]})");
  EXPECT_EQ(json.at("sizes").get<std::vector<int>>(), (std::vector<int>{1, 2, 3}));
  // -0.0 and 0.0 are one location (the same distance to every center).
  r = HandleKmeans(R"({"k":2,"maxIterations":-1,"points":[[0.0],[-0.0],[0]]})", kLimits);
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("exceeds the 1 distinct"), std::string::npos)
      << r.error().message;
}

TEST(KmeansFunctionTest, AllPointsIdentical) {
  const std::string points = R"("points":[[2.5,-1],[2.5,-1],[2.5,-1],[2.5,-1]])";
  // Java: "ok 5", sizes [4,0,0], every center the point.
  nlohmann::json json = Succeed(R"({"k":3,"maxIterations":5,)" + points + "}");
  EXPECT_EQ(json.at("iterations").get<int>(), 5);
  EXPECT_EQ(json.at("sizes").get<std::vector<int>>(), (std::vector<int>{4, 0, 0}));
  EXPECT_EQ(json.at("centers").get<std::vector<std::vector<double>>>(),
            (std::vector<std::vector<double>>(3, {2.5, -1.0})));
  EXPECT_EQ(json.at("sse").get<double>(), 0.0);
  // Java: k = 1 converges after one pass.
  json = Succeed(R"({"k":1,"maxIterations":-1,)" + points + "}");
  EXPECT_EQ(json.at("iterations").get<int>(), 1);
  EXPECT_EQ(json.at("sizes").get<std::vector<int>>(), (std::vector<int>{4}));
}

TEST(KmeansFunctionTest, NonFinitePointsAreRefusedWithTheReason) {
  // JSON has no NaN literal; numbers beyond the double range parse as infinities.
  for (const char* payload : {R"({"k":1,"points":[[1],[1e400]]})",
                              R"({"k":1,"points":[[1,-1e999]]})", R"({"k":1,"points":[[NaN]]})",
                              R"({"k":1,"points":[["NaN"]]})", R"({"k":1,"points":[[Infinity]]})"}) {
    const Response r = HandleKmeans(payload, kLimits);
    ASSERT_TRUE(r.is_error()) << payload;
    EXPECT_EQ(r.error().type, "InvalidRequest") << payload;
  }
  for (const auto& [payload, where] : std::vector<std::pair<std::string, std::string>>{
           {R"({"k":1,"points":[[1],[1e400]]})", "points[1][0]"},
           {R"({"k":1,"points":[[1,2],[3,-1e999]]})", "points[1][1]"},
           {R"({"k":1,"points":[[NaN]]})", "points[0][0]"},
           {R"({"k":1,"points":[[1],[-Infinity]]})", "points[1][0]"}}) {
    const Response r = HandleKmeans(payload, kLimits);
    ASSERT_TRUE(r.is_error()) << payload;
    EXPECT_NE(r.error().message.find(where + " is not a finite number"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("NaN and infinite coordinates"), std::string::npos)
        << r.error().message;
  }
  // Other malformed JSON inside points keeps the parser's message.
  const Response r = HandleKmeans(R"({"k":1,"points":[[1,]]})", kLimits);
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("not valid JSON"), std::string::npos) << r.error().message;
}

TEST(KmeansFunctionTest, CountDistinctPoints) {
  auto points = kmeans::MakePoints(2, {0, 0, -0.0, 0, 1, 2, 1, 2, 2, 1, 0, -0.0});
  ASSERT_TRUE(points.ok());
  EXPECT_EQ(CountDistinctPoints(*points, 100), 3u);
  EXPECT_EQ(CountDistinctPoints(*points, 2), 2u);  // stops early
  EXPECT_EQ(CountDistinctPoints(*points, 0), 0u);
}

}  // namespace
}  // namespace zerostart::functions
