#include "functions/ticker/ticker.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "src/common/base64.h"

namespace zerostart::functions {
namespace {

// Keeps what a handler writes; Write fails from the `fail_from`th call on (1-based; 0: never).
class TickRecorder final : public ResponseStream {
 public:
  Status SetContentType(std::string content_type) override {
    if (started()) return FailedPreconditionError("started");
    content_type_ = std::move(content_type);
    return OkStatus();
  }
  Status Write(std::string_view bytes) override {
    if (bytes.empty()) return OkStatus();
    if (fail_from != 0 && static_cast<int>(writes.size()) + 1 >= fail_from) {
      return UnavailableError("gone");
    }
    writes.emplace_back(bytes);
    return OkStatus();
  }
  Status Finish() override { return OkStatus(); }
  void Fail(FunctionError error) override { failures.push_back(error.type); }
  bool started() const override { return !writes.empty(); }
  uint64_t bytes_written() const override { return 0; }
  const std::string& content_type() const { return content_type_; }

  std::vector<std::string> writes;
  std::vector<std::string> failures;
  int fail_from = 0;

 private:
  std::string content_type_;
};

// The JSON prelude of a StartHttpResponse write (before its 8 NULs).
nlohmann::json PreludeOf(const std::string& write) {
  EXPECT_GE(write.size(), 8u);
  EXPECT_EQ(write.substr(write.size() - 8), std::string(8, '\0'));
  return nlohmann::json::parse(write.substr(0, write.size() - 8));
}

Invocation TickerInvocation(std::string payload) {
  Invocation invocation;
  invocation.payload = std::move(payload);
  invocation.deadline = std::chrono::system_clock::now() + std::chrono::minutes(10);
  return invocation;
}

TEST(TickerTest, ParsesTheDirectRequestWithDefaults) {
  Result<TickerRequest> empty = ParseTickerRequest("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->count, 5);
  EXPECT_EQ(empty->interval_ms, 1000);
  Result<TickerRequest> given = ParseTickerRequest(R"({"count":3,"interval_ms":0})");
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->count, 3);
  EXPECT_EQ(given->interval_ms, 0);
  Result<TickerRequest> partial = ParseTickerRequest(R"({"interval_ms":250})");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->count, 5);
  EXPECT_EQ(partial->interval_ms, 250);
}

TEST(TickerTest, RefusesValuesOutOfRangeNamingTheField) {
  for (std::string_view bad : {R"({"count":-1})", R"({"count":1001})", R"({"count":1.5})",
                               R"({"count":"3"})", R"({"interval_ms":60001})", "[1]", "nope"}) {
    SCOPED_TRACE(bad);
    Result<TickerRequest> request = ParseTickerRequest(bad);
    ASSERT_FALSE(request.ok());
    EXPECT_EQ(request.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_NE(ParseTickerRequest(R"({"count":-1})").status().message().find("\"count\""),
            std::string::npos);
}

TEST(TickerTest, ReadsAFunctionUrlEventsQueryOrBody) {
  const std::string query_event =
      R"({"version":"2.0","requestContext":{"http":{"method":"GET"}},)"
      R"("queryStringParameters":{"count":"2","interval_ms":"10"}})";
  Result<TickerRequest> query = ParseTickerRequest(query_event);
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_EQ(query->count, 2);
  EXPECT_EQ(query->interval_ms, 10);

  const std::string body_event =
      R"({"version":"2.0","requestContext":{"http":{"method":"POST"}},"isBase64Encoded":true,)"
      R"("body":")" + Base64Encode(R"({"count":7})") + R"("})";
  Result<TickerRequest> body = ParseTickerRequest(body_event);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(body->count, 7);

  EXPECT_FALSE(ParseTickerRequest(
                   R"({"version":"2.0","requestContext":{"http":{}},"queryStringParameters":{"count":"x"}})")
                   .ok());
}

TEST(TickerTest, TickEventIsOneServerSentEvent) {
  EXPECT_EQ(TickEvent(3, 1500), "id: 3\ndata: {\"tick\":3,\"remaining_ms\":1500}\n\n");
}

TEST(TickerTest, StreamsAnHttpPreludeThenTheEventsIntervalApart) {
  TickRecorder out;
  std::vector<std::chrono::milliseconds> sleeps;
  StreamTicks(TickerInvocation(R"({"count":3,"interval_ms":20})"), out,
              [&](std::chrono::milliseconds delay) { sleeps.push_back(delay); });
  EXPECT_EQ(out.content_type(), "application/vnd.awslambda.http-integration-response");
  ASSERT_EQ(out.writes.size(), 4u);
  nlohmann::json prelude = PreludeOf(out.writes[0]);
  EXPECT_EQ(prelude["statusCode"], 200);
  EXPECT_EQ(prelude["headers"]["content-type"], "text/event-stream");
  EXPECT_EQ(prelude["headers"]["cache-control"], "no-cache");
  for (int tick = 1; tick <= 3; ++tick) {
    const std::string& event = out.writes[static_cast<size_t>(tick)];
    SCOPED_TRACE(event);
    const std::string head = "id: " + std::to_string(tick) + "\ndata: ";
    ASSERT_EQ(event.rfind(head, 0), 0u);
    ASSERT_EQ(event.substr(event.size() - 2), "\n\n");
    nlohmann::json data = nlohmann::json::parse(event.substr(head.size(), event.size() - head.size() - 2));
    EXPECT_EQ(data["tick"], tick);
    EXPECT_GT(data["remaining_ms"].get<long long>(), 0);
  }
  EXPECT_EQ(sleeps, (std::vector<std::chrono::milliseconds>(2, std::chrono::milliseconds(20))));
  EXPECT_TRUE(out.failures.empty());
}

TEST(TickerTest, ABadRequestIsAnswered400) {
  TickRecorder out;
  StreamTicks(TickerInvocation(R"({"count":"many"})"), out, [](std::chrono::milliseconds) {});
  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(PreludeOf(out.writes[0])["statusCode"], 400);
  EXPECT_NE(nlohmann::json::parse(out.writes[1])["message"].get<std::string>().find("count"),
            std::string::npos);
}

TEST(TickerTest, StopsWhenTheCallerIsGone) {
  TickRecorder out;
  out.fail_from = 3;  // the prelude and the first event go out, then nothing
  int sleeps = 0;
  StreamTicks(TickerInvocation(R"({"count":100,"interval_ms":1})"), out,
              [&](std::chrono::milliseconds) { ++sleeps; });
  EXPECT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(sleeps, 1);
}

}  // namespace
}  // namespace zerostart::functions
