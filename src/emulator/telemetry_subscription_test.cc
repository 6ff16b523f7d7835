#include "src/emulator/telemetry_subscription.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace zerostart::emulator {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json ValidSubscriptionBody() {
  return {{"schemaVersion", "2022-12-13"},
          {"types", {"platform", "function"}},
          {"buffering", {{"maxItems", 1000}, {"maxBytes", 262144}, {"timeoutMs", 100}}},
          {"destination", {{"protocol", "HTTP"}, {"URI", "http://sandbox.localdomain:4243/lambda"}}}};
}

// The error message of parsing `body`, which must fail with InvalidArgument.
std::string SubscriptionError(const std::string& body) {
  Result<TelemetrySubscription> parsed = ParseTelemetrySubscription(body);
  EXPECT_FALSE(parsed.ok()) << body;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  return parsed.status().message();
}

std::string SubscriptionErrorWith(const json::json_pointer& pointer, const json& value) {
  json body = ValidSubscriptionBody();
  body[pointer] = value;
  return SubscriptionError(body.dump());
}

std::string SubscriptionErrorWithout(const json::json_pointer& pointer) {
  json body = ValidSubscriptionBody();
  body[pointer.parent_pointer()].erase(pointer.back());
  return SubscriptionError(body.dump());
}

TEST(TelemetrySubscriptionTest, ValidBody) {
  Result<TelemetrySubscription> parsed = ParseTelemetrySubscription(ValidSubscriptionBody().dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->schema_version, "2022-12-13");
  EXPECT_EQ(parsed->types, (std::vector<std::string>{"platform", "function"}));
  EXPECT_TRUE(Wants(*parsed, TelemetryCategory::kPlatform));
  EXPECT_TRUE(Wants(*parsed, TelemetryCategory::kFunction));
  EXPECT_FALSE(Wants(*parsed, TelemetryCategory::kExtension));
  EXPECT_EQ(parsed->max_items, 1000u);
  EXPECT_EQ(parsed->max_bytes, 262144u);
  EXPECT_EQ(parsed->timeout_ms, 100u);
  EXPECT_EQ(parsed->port, 4243);
  EXPECT_EQ(parsed->host_header, "sandbox.localdomain:4243");
  EXPECT_EQ(parsed->path, "/lambda");
  EXPECT_EQ(parsed->uri, "http://sandbox.localdomain:4243/lambda");
}

TEST(TelemetrySubscriptionTest, DefaultsAndEverySchemaVersion) {
  for (const char* version : {"2022-07-01", "2022-12-13", "2025-01-29"}) {
    json body = ValidSubscriptionBody();
    body["schemaVersion"] = version;
    body.erase("buffering");
    body["destination"]["URI"] = "http://localhost";
    body["unknownMember"] = {1, 2};
    Result<TelemetrySubscription> parsed = ParseTelemetrySubscription(body.dump());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->max_items, 10000u);
    EXPECT_EQ(parsed->max_bytes, 262144u);
    EXPECT_EQ(parsed->timeout_ms, 1000u);
    EXPECT_EQ(parsed->port, 80);
    EXPECT_EQ(parsed->path, "/");
  }
  json body = ValidSubscriptionBody();
  body["buffering"] = {{"maxItems", 10000.0}};  // a whole number is an integer
  Result<TelemetrySubscription> parsed = ParseTelemetrySubscription(body.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->max_items, 10000u);
  EXPECT_EQ(parsed->max_bytes, 262144u);
}

TEST(TelemetrySubscriptionTest, LoopbackHostsAndTargets) {
  struct Case {
    const char* uri;
    uint16_t port;
    const char* path;
  };
  for (const Case& c : {Case{"http://sandbox:9001/a/b?c=d#frag", 9001, "/a/b?c=d"},
                        Case{"HTTP://SANDBOX.LOCALDOMAIN:1/", 1, "/"},
                        Case{"http://127.0.0.1:65535?q", 65535, "/?q"},
                        Case{"http://localhost:8080", 8080, "/"}}) {
    json body = ValidSubscriptionBody();
    body["destination"]["URI"] = c.uri;
    Result<TelemetrySubscription> parsed = ParseTelemetrySubscription(body.dump());
    ASSERT_TRUE(parsed.ok()) << c.uri << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->port, c.port) << c.uri;
    EXPECT_EQ(parsed->path, c.path) << c.uri;
  }
}

TEST(TelemetrySubscriptionTest, MalformedBodies) {
  EXPECT_THAT(SubscriptionError(""), HasSubstr("not valid JSON"));
  EXPECT_THAT(SubscriptionError("{\"schemaVersion\":"), HasSubstr("not valid JSON"));
  EXPECT_THAT(SubscriptionError("[1,2]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(SubscriptionError("\"OK\""), HasSubstr("must be a JSON object"));
  EXPECT_THAT(SubscriptionError(std::string(kTelemetryMaxSubscriptionBytes + 1, ' ')),
              HasSubstr("over"));
  EXPECT_THAT(SubscriptionError(std::string(20000, '[') + std::string(20000, ']')),
              HasSubstr("must be a JSON object"));
  EXPECT_THAT(SubscriptionError("{\"schemaVersion\":\"\xff\"}"), HasSubstr("not valid JSON"));
}

TEST(TelemetrySubscriptionTest, SchemaVersionAndTypes) {
  EXPECT_THAT(SubscriptionErrorWithout(json::json_pointer("/schemaVersion")), HasSubstr("schemaVersion"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/schemaVersion"), "2020-08-15"),
              HasSubstr("schemaVersion must be one of"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/schemaVersion"), 20221213),
              HasSubstr("schemaVersion"));
  EXPECT_THAT(SubscriptionErrorWithout(json::json_pointer("/types")), HasSubstr("types is required"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/types"), json::array()),
              HasSubstr("non-empty array"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/types"), "platform"),
              HasSubstr("non-empty array"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/types"), {"platform", "logs"}),
              HasSubstr("\"logs\" is not one of"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/types"), {"platform", 1}),
              HasSubstr("1 is not one of"));
}

TEST(TelemetrySubscriptionTest, BufferingRanges) {
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/buffering"), "fast"),
              HasSubstr("buffering must be an object"));
  struct Case {
    const char* pointer;
    json value;
  };
  for (const Case& c : {Case{"/buffering/maxItems", 999}, Case{"/buffering/maxItems", 10001},
                        Case{"/buffering/maxItems", -5}, Case{"/buffering/maxItems", "1000"},
                        Case{"/buffering/maxItems", 1000.5}, Case{"/buffering/maxBytes", 262143},
                        Case{"/buffering/maxBytes", 1048577}, Case{"/buffering/maxBytes", nullptr},
                        Case{"/buffering/timeoutMs", 24}, Case{"/buffering/timeoutMs", 30001},
                        Case{"/buffering/timeoutMs", 1e300}}) {
    const std::string field = std::string(c.pointer).substr(1);
    std::string dotted = field;
    dotted[dotted.find('/')] = '.';
    EXPECT_THAT(SubscriptionErrorWith(json::json_pointer(c.pointer), c.value),
                HasSubstr(dotted + " must be an integer from"))
        << c.pointer << " = " << c.value.dump();
  }
}

TEST(TelemetrySubscriptionTest, Destinations) {
  EXPECT_THAT(SubscriptionErrorWithout(json::json_pointer("/destination")),
              HasSubstr("destination is required"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination"), "http://sandbox:1/"),
              HasSubstr("destination must be an object"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination"),
                                    {{"protocol", "TCP"}, {"port", 4243}}),
              HasSubstr("\"TCP\" is not supported by zerostart"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination/protocol"), "HTTPS"),
              HasSubstr("must be \"HTTP\" or \"TCP\""));
  EXPECT_THAT(SubscriptionErrorWithout(json::json_pointer("/destination/protocol")),
              HasSubstr("must be \"HTTP\" or \"TCP\""));
  EXPECT_THAT(SubscriptionErrorWithout(json::json_pointer("/destination/URI")),
              HasSubstr("destination.URI is required"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination/URI"), ""),
              HasSubstr("destination.URI is required"));
  for (const char* uri : {"https://sandbox.localdomain:1/", "sandbox.localdomain:1/", "ftp://x"}) {
    EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination/URI"), uri),
                HasSubstr("must start with http://"))
        << uri;
  }
  for (const char* uri : {"http://example.com:8080/", "http://10.0.0.1:1/", "http://[::1]:80/",
                          "http://sandbox.localdomain.evil.com:1/", "http://:80/"}) {
    EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination/URI"), uri),
                HasSubstr("must name the sandbox"))
        << uri;
  }
  for (const char* uri : {"http://sandbox:0/", "http://sandbox:65536/", "http://sandbox:x/",
                          "http://sandbox:/"}) {
    EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination/URI"), uri),
                HasSubstr("bad port"))
        << uri;
  }
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination/URI"), "http://u@sandbox:1/"),
              HasSubstr("user info"));
  EXPECT_THAT(SubscriptionErrorWith(json::json_pointer("/destination/URI"), "http://sandbox:1/a b"),
              HasSubstr("control character"));
}

}  // namespace
}  // namespace zerostart::emulator
