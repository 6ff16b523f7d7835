#include "functions/sin/sin_function.h"

#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace zerostart::functions {
namespace {

TEST(SinFunctionTest, TenMillionStepsFromOneGiveTheJavaBits) {
  // docs/WORKLOAD.md, "sin": Java's Math.sin and glibc's sin agree on this chain.
  const double x = SinChain(1.0, 10'000'000);
  EXPECT_EQ(std::bit_cast<uint64_t>(x), 0x3f41f2a08631548dull);
}

TEST(SinFunctionTest, DefaultsAndResponse) {
  const auto before = std::chrono::steady_clock::now();
  const Response r = HandleSin("{}");
  const double wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - before).count();
  ASSERT_FALSE(r.is_error()) << r.error().message;
  const auto json = nlohmann::json::parse(r.payload());
  EXPECT_EQ(json.at("xBits").get<std::string>(), "0x3f41f2a08631548d");
  EXPECT_EQ(std::bit_cast<uint64_t>(json.at("x").get<double>()), 0x3f41f2a08631548dull);
  // elapsedMs times the 10^7-call chain: a number, not zero (the chain takes tens of ms), and
  // within the wall time of the whole call around it.
  ASSERT_TRUE(json.at("elapsedMs").is_number_float()) << r.payload();
  const double elapsed_ms = json.at("elapsedMs").get<double>();
  EXPECT_GT(elapsed_ms, 0.0) << r.payload();
  EXPECT_LE(elapsed_ms, wall_ms) << r.payload();
}

TEST(SinFunctionTest, ReadsTheRequest) {
  Result<SinRequest> r = ParseSinRequest(R"({"start":0.5,"iterations":3})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->start, 0.5);
  EXPECT_EQ(r->iterations, 3);
  r = ParseSinRequest(R"({"start":2,"iterations":1e3})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->start, 2.0);
  EXPECT_EQ(r->iterations, 1000);
  r = ParseSinRequest("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->iterations, 10'000'000);

  const Response zero = HandleSin(R"({"start":0.25,"iterations":0})");
  ASSERT_FALSE(zero.is_error());
  EXPECT_NE(zero.payload().find(R"("x":0.25,"xBits":"0x3fd0000000000000")"), std::string::npos)
      << zero.payload();
}

TEST(SinFunctionTest, RejectsBadRequests) {
  for (const char* payload :
       {"nope", "[]", "1", R"({"start":"1"})", R"({"start":null})", R"({"iterations":-1})",
        R"({"iterations":1.5})", R"({"iterations":"10"})", R"({"iterations":1000000001})",
        R"({"iterations":18446744073709551615})", R"({"iterations":1e300})"}) {
    const Response r = HandleSin(payload);
    ASSERT_TRUE(r.is_error()) << payload;
    EXPECT_EQ(r.error().type, "InvalidRequest") << payload;
    EXPECT_FALSE(r.error().message.empty());
  }
}

}  // namespace
}  // namespace zerostart::functions
