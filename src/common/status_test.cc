#include "zerostart/status.h"

#include <gtest/gtest.h>

namespace zerostart {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ZS_ASSIGN_OR_RETURN(int h, Half(x));
  ZS_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = UnavailableError("connection refused");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.ToString(), "Unavailable: connection refused");
  EXPECT_EQ(s.WithContext("GET /next").message(), "GET /next: connection refused");
  EXPECT_TRUE(OkStatus().WithContext("x").ok());
}

TEST(ResultTest, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd: 3");
}

Status FailIfNegative(int x) {
  if (x < 0) return InvalidArgumentError("negative");
  return OkStatus();
}

Status Both(int a, int b) {
  ZS_RETURN_IF_ERROR(FailIfNegative(a));
  ZS_RETURN_IF_ERROR(FailIfNegative(b));
  return OkStatus();
}

TEST(StatusTest, ReturnIfError) {
  EXPECT_TRUE(Both(1, 2).ok());
  EXPECT_EQ(Both(1, -2).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zerostart
