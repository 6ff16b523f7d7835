// ExtensionClient's error paths against a scripted server (FakeRuntimeApi): what Lambda's
// refusals, a broken protocol and an unreachable endpoint become. The exchanges that succeed
// are covered against the emulator's Extensions API (tests/integration/extensions_test.cc).
#include "zerostart/extension.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/runtime/testing/fake_runtime_api.h"

namespace zerostart {
namespace {

using ::testing::HasSubstr;
using runtime::testing::FakeRuntimeApi;
using runtime::testing::Reply;

Reply ExtensionAnswer(int status, std::string body, std::string identifier = "") {
  Reply reply;
  reply.response.status = status;
  reply.response.headers.Add("Content-Type", "application/json");
  if (!identifier.empty()) reply.response.headers.Add("Lambda-Extension-Identifier", identifier);
  reply.response.body = std::move(body);
  return reply;
}

// Registers, then answers every other request with `then`.
runtime::testing::Script RegisterThen(Reply then) {
  return [then](const http::Request& request, size_t) {
    if (request.target == "/2020-01-01/extension/register") {
      return ExtensionAnswer(200, R"({"functionName":"fn","functionVersion":"$LATEST","handler":"h"})",
                             "ext-id-1");
    }
    return then;
  };
}

TEST(ExtensionClientTest, ARefusedRegistrationCarriesLambdasErrorType) {
  FakeRuntimeApi server([](const http::Request&, size_t) {
    return ExtensionAnswer(
        403, R"({"errorMessage":"SHUTDOWN: ShutdownEventNotSupportedForInternalExtension","errorType":"Extension.InvalidEventType"})");
  });
  Result<ExtensionClient> client = ExtensionClient::Register(
      "my-ext", {ExtensionEventType::kInvoke, ExtensionEventType::kShutdown}, server.address());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(client.status().message(),
            "POST extension/register: HTTP 403 Forbidden: Extension.InvalidEventType: SHUTDOWN: "
            "ShutdownEventNotSupportedForInternalExtension");
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/2020-01-01/extension/register");
  EXPECT_EQ(requests[0].headers.Get("Lambda-Extension-Name"), "my-ext");
  EXPECT_EQ(requests[0].body, R"({"events":["INVOKE","SHUTDOWN"]})");
}

TEST(ExtensionClientTest, ARegisterAnswerWithoutIdentifierOrJsonIsInvalidArgument) {
  FakeRuntimeApi no_id([](const http::Request&, size_t) { return ExtensionAnswer(200, "{}"); });
  Result<ExtensionClient> client =
      ExtensionClient::Register("e", {ExtensionEventType::kInvoke}, no_id.address());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(client.status().message(), HasSubstr("no Lambda-Extension-Identifier"));

  FakeRuntimeApi not_json(
      [](const http::Request&, size_t) { return ExtensionAnswer(200, "<html>", "id"); });
  client = ExtensionClient::Register("e", {ExtensionEventType::kInvoke}, not_json.address());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(client.status().message(), HasSubstr("not a JSON object"));
}

TEST(ExtensionClientTest, BadArgumentsAreRefusedBeforeAnyRequest) {
  Result<ExtensionClient> client = ExtensionClient::Register("", {}, "127.0.0.1:9001");
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  for (std::string api : {"", "ftp://127.0.0.1:1", "127.0.0.1"}) {
    client = ExtensionClient::Register("e", {}, api);
    ASSERT_FALSE(client.ok()) << api;
    EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << api;
    EXPECT_THAT(client.status().message(), HasSubstr("AWS_LAMBDA_RUNTIME_API")) << api;
  }
}

TEST(ExtensionClientTest, AnUnreachableEndpointIsUnavailable) {
  std::string address;
  {
    FakeRuntimeApi gone([](const http::Request&, size_t) { return Reply{}; });
    address = gone.address();
  }  // stopped: connections to its port are refused
  Result<ExtensionClient> client =
      ExtensionClient::Register("e", {ExtensionEventType::kInvoke}, address);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(client.status().message(), HasSubstr("POST extension/register"));
}

TEST(ExtensionClientTest, AMalformedEventIsInvalidArgument) {
  FakeRuntimeApi server(RegisterThen(ExtensionAnswer(200, R"({"eventType":"INVOKE","deadlineMs":1})")));
  Result<ExtensionClient> client =
      ExtensionClient::Register("e", {ExtensionEventType::kInvoke}, server.address());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ(client->identifier(), "ext-id-1");
  Result<ExtensionEvent> event = client->Next();
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(event.status().message(), HasSubstr("no \"requestId\""));
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].target, "/2020-01-01/extension/event/next");
  EXPECT_EQ(requests[1].headers.Get("Lambda-Extension-Identifier"), "ext-id-1");
}

TEST(ExtensionClientTest, ARefusedNextOrErrorReportIsFailedPrecondition) {
  // Concurrent: ExitError comes on a connection of its own while Next()'s is kept alive.
  FakeRuntimeApi server(RegisterThen(ExtensionAnswer(
                            403, R"({"errorMessage":"State transition from Ready to Ready failed","errorType":"Extension.InvalidExtensionState"})")),
                        {}, FakeRuntimeApi::Connections::kConcurrent);
  Result<ExtensionClient> client =
      ExtensionClient::Register("e", {ExtensionEventType::kInvoke}, server.address());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  Result<ExtensionEvent> event = client->Next();
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(event.status().message(),
              HasSubstr("GET extension/event/next: HTTP 403 Forbidden: Extension.InvalidExtensionState"));

  Status reported = client->ExitError("Extension.Crashed", "lost my state");
  EXPECT_EQ(reported.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(reported.message(), HasSubstr("POST extension/exit/error: HTTP 403"));
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].target, "/2020-01-01/extension/exit/error");
  EXPECT_EQ(requests[2].headers.Get("Lambda-Extension-Function-Error-Type"), "Extension.Crashed");
  EXPECT_EQ(requests[2].headers.Get("Lambda-Extension-Identifier"), "ext-id-1");

  reported = client->InitError("", "no type");
  EXPECT_EQ(reported.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.requests().size(), 3u);  // nothing sent
}

}  // namespace
}  // namespace zerostart
