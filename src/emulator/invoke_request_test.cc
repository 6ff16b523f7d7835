#include "src/emulator/invoke_request.h"

#include <gtest/gtest.h>

#include <regex>

#include "src/common/base64.h"

namespace zerostart::emulator {
namespace {

http::Request Post(std::string body) {
  http::Request request;
  request.method = "POST";
  request.target = "/2015-03-31/functions/function/invocations";
  request.body = std::move(body);
  return request;
}

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));

TEST(InvokeRequestTest, TargetFunction) {
  EXPECT_EQ(InvokeTargetFunction("/2015-03-31/functions/function/invocations"), "function");
  EXPECT_EQ(InvokeTargetFunction("/2015-03-31/functions/my-fn/invocations?Qualifier=%24LATEST"), "my-fn");
  EXPECT_EQ(InvokeTargetFunction("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations"),
            "arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_FALSE(InvokeTargetFunction("/2015-03-31/functions//invocations"));
  EXPECT_FALSE(InvokeTargetFunction("/2015-03-31/functions/a/b/invocations"));
  EXPECT_FALSE(InvokeTargetFunction("/"));
  EXPECT_FALSE(InvokeTargetFunction("/2015-03-31/functions/f/invoke"));
}

TEST(InvokeRequestTest, NamesFunction) {
  EXPECT_TRUE(NamesFunction("function", "echo"));
  EXPECT_TRUE(NamesFunction("echo", "echo"));
  EXPECT_TRUE(NamesFunction("echo:$LATEST", "echo"));
  EXPECT_TRUE(NamesFunction("arn:aws:lambda:us-east-1:012345678912:function:echo", "echo"));
  EXPECT_TRUE(NamesFunction("arn:aws:lambda:us-east-1:012345678912:function:echo:prod", "echo"));
  EXPECT_FALSE(NamesFunction("other", "echo"));
  EXPECT_FALSE(NamesFunction("arn:aws:lambda:us-east-1:1:function:other", "echo"));
}

TEST(InvokeRequestTest, ValidPayloadWithGeneratedTrace) {
  http::Request request = Post(R"({"a":1})");
  auto parsed = ParseInvoke(request, kNow);
  ASSERT_TRUE(std::holds_alternative<ParsedInvoke>(parsed));
  const ParsedInvoke& invoke = std::get<ParsedInvoke>(parsed);
  EXPECT_EQ(invoke.type, InvocationType::kRequestResponse);
  EXPECT_EQ(invoke.request.payload, R"({"a":1})");
  EXPECT_TRUE(std::regex_match(invoke.request.trace_id, std::regex("Root=1-66322ec0-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0")))
      << invoke.request.trace_id;
}

TEST(InvokeRequestTest, EmptyPayloadBecomesEmptyObject) {
  http::Request request = Post("");
  auto parsed = ParseInvoke(request, kNow);
  ASSERT_TRUE(std::holds_alternative<ParsedInvoke>(parsed));
  EXPECT_EQ(std::get<ParsedInvoke>(parsed).request.payload, "{}");
}

TEST(InvokeRequestTest, InvalidJsonIs400InvalidRequestContent) {
  http::Request request = Post("{not json");
  auto parsed = ParseInvoke(request, kNow);
  ASSERT_TRUE(std::holds_alternative<InvokeResult>(parsed));
  const InvokeResult& result = std::get<InvokeResult>(parsed);
  EXPECT_EQ(result.http_status, 400);
  EXPECT_EQ(result.exception, "InvalidRequestContentException");
  EXPECT_NE(result.body.find(R"("Type":"User","message":"Could not parse request body into json: )"), std::string::npos)
      << result.body;
}

TEST(InvokeRequestTest, OversizedIs413) {
  http::Request request = Post(std::string(6 * 1024 * 1024 + 101, ' '));
  auto parsed = ParseInvoke(request, kNow);
  ASSERT_TRUE(std::holds_alternative<InvokeResult>(parsed));
  EXPECT_EQ(std::get<InvokeResult>(parsed).http_status, 413);
  EXPECT_EQ(std::get<InvokeResult>(parsed).exception, "RequestTooLargeException");
}

TEST(InvokeRequestTest, InvocationTypesAndHeaders) {
  http::Request request = Post("{}");
  request.headers.Add("X-Amz-Invocation-Type", "Event");
  request.headers.Add("X-Amzn-Trace-Id", "Root=1-1-2;Parent=3;Sampled=1");
  request.headers.Add("X-Amz-Client-Context", Base64Encode(R"({"custom":{"k":"v"}})"));
  request.headers.Add("X-Amz-Tenant-Id", "tenant-7");
  auto parsed = ParseInvoke(request, kNow);
  ASSERT_TRUE(std::holds_alternative<ParsedInvoke>(parsed));
  const ParsedInvoke& invoke = std::get<ParsedInvoke>(parsed);
  EXPECT_EQ(invoke.type, InvocationType::kEvent);
  EXPECT_EQ(invoke.request.trace_id, "Root=1-1-2;Parent=3;Sampled=1");
  EXPECT_EQ(invoke.request.client_context, R"({"custom":{"k":"v"}})");
  EXPECT_EQ(invoke.request.tenant_id, "tenant-7");

  http::Request dry = Post("{}");
  dry.headers.Add("X-Amz-Invocation-Type", "DryRun");
  auto dry_parsed = ParseInvoke(dry, kNow);
  ASSERT_TRUE(std::holds_alternative<ParsedInvoke>(dry_parsed));
  EXPECT_EQ(std::get<ParsedInvoke>(dry_parsed).type, InvocationType::kDryRun);

  http::Request bad = Post("{}");
  bad.headers.Add("X-Amz-Invocation-Type", "Sometimes");
  auto bad_parsed = ParseInvoke(bad, kNow);
  ASSERT_TRUE(std::holds_alternative<InvokeResult>(bad_parsed));
  EXPECT_EQ(std::get<InvokeResult>(bad_parsed).exception, "InvalidParameterValueException");
}

TEST(InvokeRequestTest, BadClientContextIs400) {
  http::Request request = Post("{}");
  request.headers.Add("X-Amz-Client-Context", "%%%");
  auto parsed = ParseInvoke(request, kNow);
  ASSERT_TRUE(std::holds_alternative<InvokeResult>(parsed));
  EXPECT_EQ(std::get<InvokeResult>(parsed).http_status, 400);
}

}  // namespace
}  // namespace zerostart::emulator
