#include "src/runtime/invocation_headers.h"

#include <gtest/gtest.h>

#include "src/common/lambda_protocol.h"

namespace zerostart::runtime {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

TEST(ParseDeadlineMsTest, Values) {
  EXPECT_EQ(ParseDeadlineMs("1700000000123")->time_since_epoch(), milliseconds(1700000000123));
  EXPECT_EQ(ParseDeadlineMs(" 600000 ")->time_since_epoch(), milliseconds(600000));
  EXPECT_EQ(ParseDeadlineMs("0")->time_since_epoch(), milliseconds(0));
  for (std::string_view bad : {"", " ", "-5", "+5", "12ab", "1.5", "soon",
                               "99999999999999999999999", "9223372036854775807"}) {
    EXPECT_FALSE(ParseDeadlineMs(bad).has_value()) << bad;
  }
}

http::Response NextResponse() {
  http::Response r;
  r.headers.Add(std::string(lambda::kRequestIdHeader), "id-1");
  r.headers.Add("lambda-runtime-deadline-ms", "1700000000000");  // case-insensitive lookup
  r.headers.Add(std::string(lambda::kFunctionArnHeader), "arn:aws:lambda:x:1:function:f:prod");
  r.headers.Add(std::string(lambda::kTraceIdHeader), "Root=1-a;Parent=b;Sampled=1");
  r.headers.Add(std::string(lambda::kClientContextHeader), R"({"c":1})");
  r.headers.Add(std::string(lambda::kCognitoIdentityHeader), R"({"i":2})");
  r.headers.Add(std::string(lambda::kTenantIdHeader), "tenant");
  r.headers.Add(std::string(lambda::kContentTypeHeader), "text/plain");
  r.body = "payload";
  return r;
}

TEST(FillInvocationTest, AllHeaders) {
  http::Response r = NextResponse();
  Invocation inv;
  ASSERT_TRUE(FillInvocation(&r, &inv));
  EXPECT_EQ(inv.request_id, "id-1");
  EXPECT_EQ(inv.deadline.time_since_epoch(), milliseconds(1700000000000));
  EXPECT_EQ(inv.function_arn, "arn:aws:lambda:x:1:function:f:prod");
  EXPECT_EQ(inv.trace_id, "Root=1-a;Parent=b;Sampled=1");
  EXPECT_EQ(inv.client_context, R"({"c":1})");
  EXPECT_EQ(inv.cognito_identity, R"({"i":2})");
  EXPECT_EQ(inv.tenant_id, "tenant");
  EXPECT_EQ(inv.content_type, "text/plain");
  EXPECT_EQ(inv.payload, "payload");
}

TEST(FillInvocationTest, AbsentHeadersClearEarlierValues) {
  http::Response first = NextResponse();
  Invocation inv;
  ASSERT_TRUE(FillInvocation(&first, &inv));
  http::Response bare;
  bare.headers.Add(std::string(lambda::kRequestIdHeader), "id-2");
  ASSERT_TRUE(FillInvocation(&bare, &inv));
  EXPECT_EQ(inv.request_id, "id-2");
  EXPECT_EQ(inv.deadline, system_clock::time_point{});  // missing -> epoch; handler still runs
  EXPECT_TRUE(inv.function_arn.empty());
  EXPECT_TRUE(inv.trace_id.empty());
  EXPECT_TRUE(inv.client_context.empty());
  EXPECT_TRUE(inv.cognito_identity.empty());
  EXPECT_TRUE(inv.tenant_id.empty());
  EXPECT_TRUE(inv.content_type.empty());
  EXPECT_TRUE(inv.payload.empty());
  EXPECT_LT(inv.RemainingTime().count(), 0);
}

TEST(FillInvocationTest, GarbageDeadlineIsEpoch) {
  http::Response r = NextResponse();
  r.headers.Set(std::string(lambda::kDeadlineMsHeader), "tomorrow");
  Invocation inv;
  inv.deadline = system_clock::now();
  ASSERT_TRUE(FillInvocation(&r, &inv));
  EXPECT_EQ(inv.deadline, system_clock::time_point{});
}

TEST(FillInvocationTest, MissingOrEmptyRequestIdIsReported) {
  http::Response r;
  r.body = "x";
  Invocation inv;
  EXPECT_FALSE(FillInvocation(&r, &inv));
  r.headers.Add(std::string(lambda::kRequestIdHeader), "");
  EXPECT_FALSE(FillInvocation(&r, &inv));
}

}  // namespace
}  // namespace zerostart::runtime
