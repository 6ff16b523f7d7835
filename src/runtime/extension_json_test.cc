// The Extensions API's JSON and requests as the extension client reads and builds them.
#include "src/runtime/extension_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "src/runtime/extension_api.h"

namespace zerostart::runtime {
namespace {

using ::testing::HasSubstr;

// The INVOKE event of AWS docs "Lambda Extensions API" (Next event).
constexpr std::string_view kInvokeEvent = R"({
  "eventType": "INVOKE",
  "deadlineMs": 676051,
  "requestId": "3da1f2dc-3222-475e-9205-e2e6c6318895",
  "invokedFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:ExtensionTest",
  "tracing": {"type": "X-Amzn-Trace-Id",
              "value": "Root=1-5f35ae12-0c0fec141ab77a00bc047aa2;Parent=2be948a625588e32;Sampled=1"}
})";

TEST(ExtensionJsonTest, ParsesAnInvokeEvent) {
  Result<ExtensionEvent> event = ParseExtensionEvent(kInvokeEvent);
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->type, ExtensionEventType::kInvoke);
  EXPECT_EQ(event->deadline_ms, 676051);
  EXPECT_EQ(event->request_id, "3da1f2dc-3222-475e-9205-e2e6c6318895");
  EXPECT_EQ(event->invoked_function_arn,
            "arn:aws:lambda:us-east-1:123456789012:function:ExtensionTest");
  EXPECT_EQ(event->trace_id,
            "Root=1-5f35ae12-0c0fec141ab77a00bc047aa2;Parent=2be948a625588e32;Sampled=1");
  EXPECT_EQ(event->shutdown_reason, "");
  EXPECT_EQ(event->raw_json, kInvokeEvent);
}

TEST(ExtensionJsonTest, ParsesAShutdownEventForEachReason) {
  for (std::string reason : {"spindown", "timeout", "failure"}) {
    std::string json = R"({"eventType":"SHUTDOWN","deadlineMs":1700000002000,"shutdownReason":")" +
                       reason + "\"}";
    Result<ExtensionEvent> event = ParseExtensionEvent(json);
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    EXPECT_EQ(event->type, ExtensionEventType::kShutdown);
    EXPECT_EQ(event->deadline_ms, 1700000002000);
    EXPECT_EQ(event->shutdown_reason, reason);
    EXPECT_EQ(event->request_id, "");
  }
}

TEST(ExtensionJsonTest, OptionalFieldsMayBeAbsentOrNullAndUnknownKeysAreIgnored) {
  // RIE leaves "tracing" out when the invoke has no trace id (model.NewXRayTracing).
  Result<ExtensionEvent> event = ParseExtensionEvent(
      R"({"eventType":"INVOKE","deadlineMs":5,"requestId":"r","tracing":null,"future":[1]})");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->trace_id, "");
  EXPECT_EQ(event->invoked_function_arn, "");
  event = ParseExtensionEvent(R"({"eventType":"SHUTDOWN","deadlineMs":5})");
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->shutdown_reason, "");
}

TEST(ExtensionJsonTest, MalformedEventsAreInvalidArgumentNamingTheProblem) {
  struct Case {
    std::string json;
    std::string message;
  };
  std::vector<Case> cases = {
      {"", "not JSON"},
      {"{\"eventType\":", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"deadlineMs":1})", "no \"eventType\""},
      {R"({"eventType":7,"deadlineMs":1})", "\"eventType\" is not a string"},
      {R"({"eventType":"RESTORE","deadlineMs":1})", "unknown eventType \"RESTORE\""},
      {R"({"eventType":"SHUTDOWN"})", "no \"deadlineMs\""},
      {R"({"eventType":"SHUTDOWN","deadlineMs":"1"})", "\"deadlineMs\" is not an integer"},
      {R"({"eventType":"SHUTDOWN","deadlineMs":1.5})", "\"deadlineMs\" is not an integer"},
      {R"({"eventType":"SHUTDOWN","deadlineMs":18446744073709551615})",
       "\"deadlineMs\" is not an integer"},
      {R"({"eventType":"SHUTDOWN","deadlineMs":1,"shutdownReason":false})",
       "\"shutdownReason\" is not a string"},
      {R"({"eventType":"INVOKE","deadlineMs":1})", "no \"requestId\""},
      {R"({"eventType":"INVOKE","deadlineMs":1,"requestId":""})", "empty \"requestId\""},
      {R"({"eventType":"INVOKE","deadlineMs":1,"requestId":12})", "\"requestId\" is not a string"},
      {R"({"eventType":"INVOKE","deadlineMs":1,"requestId":"r","tracing":"x"})",
       "\"tracing\" is not an object"},
      {R"({"eventType":"INVOKE","deadlineMs":1,"requestId":"r","tracing":{"value":1}})",
       "tracing: \"value\" is not a string"},
  };
  for (const Case& c : cases) {
    Result<ExtensionEvent> event = ParseExtensionEvent(c.json);
    ASSERT_FALSE(event.ok()) << c.json;
    EXPECT_EQ(event.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(event.status().message(), HasSubstr("extension event: " + c.message)) << c.json;
  }
}

TEST(ExtensionJsonTest, ParsesTheRegisterAnswer) {
  Result<ExtensionRegistration> registration = ParseExtensionRegistration(
      "id-1", R"({"functionName":"fn","functionVersion":"$LATEST","handler":"main.handler",
                  "accountId":"123456789012"})");
  ASSERT_TRUE(registration.ok()) << registration.status().ToString();
  EXPECT_EQ(registration->identifier, "id-1");
  EXPECT_EQ(registration->function_name, "fn");
  EXPECT_EQ(registration->function_version, "$LATEST");
  EXPECT_EQ(registration->handler, "main.handler");

  registration = ParseExtensionRegistration("id-2", "{}");
  ASSERT_TRUE(registration.ok()) << registration.status().ToString();
  EXPECT_EQ(registration->function_name, "");

  for (std::string body : {"", "null", "[]", R"({"functionName":3})"}) {
    registration = ParseExtensionRegistration("id", body);
    ASSERT_FALSE(registration.ok()) << body;
    EXPECT_EQ(registration.status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(ExtensionJsonTest, HttpErrorsCarryLambdasErrorType) {
  http::Response forbidden;
  forbidden.status = 403;
  forbidden.body =
      R"({"errorMessage":"SHUTDOWN: ShutdownEventNotSupportedForInternalExtension","errorType":"Extension.InvalidEventType"})";
  Status error = ExtensionApiError("POST extension/register", forbidden);
  EXPECT_EQ(error.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(error.message(),
            "POST extension/register: HTTP 403 Forbidden: Extension.InvalidEventType: SHUTDOWN: "
            "ShutdownEventNotSupportedForInternalExtension");

  http::Response plain;
  plain.status = 500;
  plain.body = "Internal Server Error";
  error = ExtensionApiError("GET extension/event/next", plain);
  EXPECT_EQ(error.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(error.message(),
            "GET extension/event/next: HTTP 500 Internal Server Error: Internal Server Error");
}

TEST(ExtensionApiTest, RequestsHaveLambdasPathsHeadersAndBodies) {
  Result<RuntimeApiEndpoint> endpoint = ParseRuntimeApiEndpoint("http://127.0.0.1:9001/.rt/fn");
  ASSERT_TRUE(endpoint.ok());
  std::vector<std::string_view> events = {"INVOKE", "SHUTDOWN"};
  http::Request reg = ExtensionRegisterRequest(*endpoint, "invoke-log", events);
  EXPECT_EQ(reg.method, "POST");
  EXPECT_EQ(reg.target, "/.rt/fn/2020-01-01/extension/register");
  EXPECT_EQ(reg.headers.Get("Lambda-Extension-Name"), "invoke-log");
  EXPECT_EQ(reg.headers.Get("Host"), "127.0.0.1:9001");
  EXPECT_EQ(nlohmann::json::parse(reg.body), nlohmann::json::parse(R"({"events":["INVOKE","SHUTDOWN"]})"));
  EXPECT_EQ(ExtensionRegisterRequest(*endpoint, "x", {}).body, R"({"events":[]})");

  http::Request next = ExtensionNextRequest(*endpoint, "id-9");
  EXPECT_EQ(next.method, "GET");
  EXPECT_EQ(next.target, "/.rt/fn/2020-01-01/extension/event/next");
  EXPECT_EQ(next.headers.Get("Lambda-Extension-Identifier"), "id-9");
  EXPECT_EQ(next.body, "");

  http::Request exit = ExtensionErrorRequest(*endpoint, "/2020-01-01/extension/exit/error", "id-9",
                                             "Extension.Crashed", "it \"broke\"");
  EXPECT_EQ(exit.method, "POST");
  EXPECT_EQ(exit.target, "/.rt/fn/2020-01-01/extension/exit/error");
  EXPECT_EQ(exit.headers.Get("Lambda-Extension-Identifier"), "id-9");
  EXPECT_EQ(exit.headers.Get("Lambda-Extension-Function-Error-Type"), "Extension.Crashed");
  nlohmann::json body = nlohmann::json::parse(exit.body);
  EXPECT_EQ(body["errorType"], "Extension.Crashed");
  EXPECT_EQ(body["errorMessage"], "it \"broke\"");
}

}  // namespace
}  // namespace zerostart::runtime
