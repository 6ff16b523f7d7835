#include "functions/kmeans/kmeans_request.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace zerostart::functions {
namespace {

using kmeans::EmptyClusterStrategy;

const KmeansLimits kRequestLimits{.memory_limit_bytes = 1024ull << 20};

Status ParseStatus(std::string_view payload, const KmeansLimits& limits = kRequestLimits) {
  return ParseKmeansRequest(payload, limits).status();
}

TEST(KmeansRequestTest, DefaultsFromWorkload) {
  for (const std::string_view payload : {"{}", "", "  \n", R"({"unknown":[1,{"x":2}]})"}) {
    Result<KmeansRequest> r = ParseKmeansRequest(payload, kRequestLimits);
    ASSERT_TRUE(r.ok()) << payload << ": " << r.status().ToString();
    EXPECT_EQ(r->n, 1000);
    EXPECT_EQ(r->d, 2);
    EXPECT_EQ(r->k, 4);
    EXPECT_EQ(r->max_iterations, 100);
    EXPECT_EQ(r->seed, 42);
    EXPECT_EQ(r->empty_cluster_strategy, EmptyClusterStrategy::kLargestVariance);
    EXPECT_FALSE(r->points.has_value());
  }
}

TEST(KmeansRequestTest, ReadsEveryField) {
  Result<KmeansRequest> r = ParseKmeansRequest(
      R"({"n":50,"d":3,"k":7,"maxIterations":-1,"seed":-5,"emptyClusterStrategy":"FARTHEST_POINT"})",
      kRequestLimits);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->n, 50);
  EXPECT_EQ(r->d, 3);
  EXPECT_EQ(r->k, 7);
  EXPECT_EQ(r->max_iterations, -1);
  EXPECT_EQ(r->seed, -5);
  EXPECT_EQ(r->empty_cluster_strategy, EmptyClusterStrategy::kFarthestPoint);
}

TEST(KmeansRequestTest, ModeIsExactUnlessFastIsAsked) {
  Result<KmeansRequest> r = ParseKmeansRequest("{}", kRequestLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mode, kmeans::ClusteringMode::kExact);
  EXPECT_FALSE(r->mode_given);
  r = ParseKmeansRequest(R"({"mode":"fast"})", kRequestLimits);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->mode, kmeans::ClusteringMode::kFast);
  EXPECT_TRUE(r->mode_given);
  r = ParseKmeansRequest(R"({"mode":"exact"})", kRequestLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mode, kmeans::ClusteringMode::kExact);
  EXPECT_TRUE(r->mode_given);
  for (const std::string_view bad : {R"({"mode":"FAST"})", R"({"mode":1})", R"({"mode":null})",
                                     R"({"mode":["fast"]})"}) {
    const Status status = ParseStatus(bad);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(status.message().find("mode must be \"exact\" or \"fast\""), std::string::npos)
        << status.message();
  }
}

TEST(KmeansRequestTest, IntegralFloatsAreIntegers) {
  Result<KmeansRequest> r = ParseKmeansRequest(R"({"k":3.0,"n":1e3})", kRequestLimits);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->k, 3);
  EXPECT_EQ(r->n, 1000);
}

TEST(KmeansRequestTest, SeedIsNarrowedLikeJavasIntCast) {
  Result<KmeansRequest> r = ParseKmeansRequest(R"({"seed":4294967338})", kRequestLimits);  // 2^32 + 42
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seed, 42);
  r = ParseKmeansRequest(R"({"seed":2147483648})", kRequestLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seed, std::numeric_limits<int32_t>::min());
  EXPECT_EQ(ParseStatus(R"({"seed":18446744073709551615})").code(), StatusCode::kInvalidArgument);
}

TEST(KmeansRequestTest, ExplicitPointsGiveNAndD) {
  Result<KmeansRequest> r =
      ParseKmeansRequest(R"({"k":2,"points":[[1,2.5,-3],[4e-3,5,6],[0,0,0]]})", kRequestLimits);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->n, 3);
  EXPECT_EQ(r->d, 3);
  ASSERT_TRUE(r->points.has_value());
  EXPECT_EQ(r->points->count, 3u);
  EXPECT_EQ(r->points->dims, 3u);
  EXPECT_EQ(r->points->coords,
            (std::vector<double>{1.0, 2.5, -3.0, 4e-3, 5.0, 6.0, 0.0, 0.0, 0.0}));
  // Agreeing n and d are fine.
  EXPECT_TRUE(ParseStatus(R"({"k":1,"n":2,"d":1,"points":[[1],[2]]})").ok());
}

TEST(KmeansRequestTest, RejectsMalformedRequests) {
  const char* const kBad[] = {
      "not json",
      "[1,2]",
      "\"text\"",
      "42",
      "{\"k\":4",
      R"({"k":"4"})",
      R"({"k":2.5})",
      R"({"k":true})",
      R"({"k":null})",
      R"({"k":[4]})",
      R"({"k":{"v":4}})",
      R"({"k":0})",
      R"({"k":-3})",
      R"({"k":2147483648})",
      R"({"d":0})",
      R"({"n":-1})",
      R"({"n":3,"k":4})",
      R"({"n":2147483648})",
      R"({"maxIterations":2147483648})",
      R"({"maxIterations":1.5})",
      R"({"emptyClusterStrategy":"largest_variance"})",
      R"({"emptyClusterStrategy":3})",
      R"({"points":[]})",
      R"({"points":null})",
      R"({"points":{"0":[1]}})",
      R"({"points":[1,2]})",
      R"({"points":[[]]})",
      R"({"points":[[1,2],[3]]})",
      R"({"points":[[1],[2,3]]})",
      R"({"points":[[1,"2"]]})",
      R"({"points":[[1,null]]})",
      R"({"points":[[1,[2]]]})",
      R"({"points":[[1,{"x":2}]]})",
      R"({"points":[[1e400]]})",
      R"({"k":1,"points":[[1]],"points":[[2]]})",
      R"({"k":1,"n":3,"points":[[1],[2]]})",
      R"({"k":1,"d":2,"points":[[1],[2]]})",
      R"({"k":3,"points":[[1],[2]]})",
  };
  for (const char* payload : kBad) {
    const Status status = ParseStatus(payload);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument)
        << payload << " -> " << status.ToString();
    EXPECT_FALSE(status.message().empty()) << payload;
  }
}

TEST(KmeansRequestTest, MessagesNameTheProblem) {
  EXPECT_NE(ParseStatus(R"({"points":[[1,2],[3]]})").message().find("ragged"), std::string::npos);
  EXPECT_NE(ParseStatus(R"({"k":0})").message().find("k must be"), std::string::npos);
  EXPECT_NE(ParseStatus("[1]").message().find("JSON object"), std::string::npos);
  EXPECT_NE(ParseStatus(R"({"n":3,"k":4})").message().find("at least k"), std::string::npos);
}

TEST(KmeansRequestTest, RefusesWhatExceedsTheMemoryBudget) {
  const KmeansLimits small{.memory_limit_bytes = 128ull << 20};
  // 10^7 points x 8 dimensions = 640 MB of coordinates alone.
  const Status status = ParseStatus(R"({"n":10000000,"d":8})", small);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("MiB"), std::string::npos);
  // Sizes whose product overflows 64 bits are refused, not wrapped.
  EXPECT_EQ(ParseStatus(R"({"n":2147483647,"d":2147483647,"k":2147483647})").code(),
            StatusCode::kResourceExhausted);
  // Within budget: fine.
  EXPECT_TRUE(ParseStatus(R"({"n":100000,"d":3,"k":8})", small).ok());
  // Given points count too, while they are read.
  const KmeansLimits tiny{.memory_limit_bytes = (32ull << 20) + 64};
  EXPECT_EQ(ParseStatus(R"({"k":1,"points":[[1,2,3,4,5,6,7,8,9]]})", tiny).code(),
            StatusCode::kResourceExhausted);
}

TEST(KmeansRequestTest, EstimateGrowsWithTheProblemAndSaturates) {
  EXPECT_GT(EstimateKmeansBytes(1000, 2, 4), 1000u * 2 * 8);
  EXPECT_GT(EstimateKmeansBytes(2000, 2, 4), EstimateKmeansBytes(1000, 2, 4));
  EXPECT_EQ(EstimateKmeansBytes(UINT64_MAX, 2, 1), UINT64_MAX);
  EXPECT_EQ(KmeansBudgetBytes(0), 0u);
  EXPECT_LT(KmeansBudgetBytes(128ull << 20), 128ull << 20);
}

TEST(KmeansRequestTest, MemoryLimitFromEnvironment) {
  EXPECT_EQ(MemoryLimitBytesFromEnv(std::nullopt), 128ull << 20);
  EXPECT_EQ(MemoryLimitBytesFromEnv("3008"), 3008ull << 20);
  EXPECT_EQ(MemoryLimitBytesFromEnv("abc"), 128ull << 20);
  EXPECT_EQ(MemoryLimitBytesFromEnv("0"), 128ull << 20);
  EXPECT_EQ(MemoryLimitBytesFromEnv("512MB"), 128ull << 20);
}

}  // namespace
}  // namespace zerostart::functions
