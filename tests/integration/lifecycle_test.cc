// The environment's logs and telemetry, end to end, with parts this project did not write:
// Lambda's JSON log records read back line by line by a JSON parser, and a Telemetry API
// subscriber written with Python's standard library (telemetry_subscriber.py) that receives
// the platform and function records — and bad subscriptions and destinations that refuse or
// stall, none of which may hold an invoke up.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/emulator_fixture.h"

namespace zerostart::emulator {
namespace {

using testing::Json;
using zerostart::testing::SourcePath;

class LifecycleTest : public EmulatorFixture {
 protected:
  // Starts faulty with the telemetry subscriber as its one external extension, writing what it
  // received to telemetry_out_; `body` ("" = its own valid subscription) is what it subscribes with.
  void StartWithSubscriber(const std::string& body, const std::function<void(EmulatorOptions&)>& tweak = {}) {
    const std::string extensions = dir_ + "/extensions";
    std::filesystem::create_directories(extensions);
    const std::string script = extensions + "/telemetry-subscriber";
    std::filesystem::copy_file(SourcePath("tests/integration/telemetry_subscriber.py"), script);
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    telemetry_out_ = dir_ + "/telemetry.json";
    StartFaulty([&](EmulatorOptions& options) {
      options.extensions_dir = extensions;
      options.eager = true;  // the environment, and so the subscription, exists before any invoke
      options.function.env_overrides["TELEMETRY_OUT"] = telemetry_out_;
      if (!body.empty()) options.function.env_overrides["TELEMETRY_BODY"] = body;
      if (tweak) tweak(options);
    });
  }

  // What the subscriber wrote when its PUT was answered: {"status":..,"body":..}.
  nlohmann::json SubscribeAnswer() {
    const std::string path = telemetry_out_ + ".answer";
    EXPECT_TRUE(testing::WaitUntil([&] { return std::filesystem::exists(path); }, std::chrono::seconds(30)));
    return Json(ReadFile(path));
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static size_t Count(const std::string& text, const std::string& needle) {
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
    return count;
  }

  std::string telemetry_out_;
};

// Concurrent invokes get an environment each, and each environment its own extensions.
TEST_F(LifecycleTest, EachEnvironmentStartsItsOwnExtensions) {
  const std::string extensions = dir_ + "/extensions";
  std::filesystem::create_directories(extensions);
  const std::string recorder = extensions + "/recorder";
  std::filesystem::copy_file(SourcePath("tests/integration/testdata/extensions/recorder"), recorder);
  std::filesystem::permissions(recorder, std::filesystem::perms::owner_all);
  const std::string record = dir_ + "/record";
  StartFaulty([&](EmulatorOptions& options) {
    options.concurrency = 2;
    options.extensions_dir = extensions;
    options.function.env_overrides["EXT_RECORD"] = record;
  });
  std::shared_future<http::Response> first = InvokeInBackground(WaitFileEvent("first"));
  std::shared_future<http::Response> second = InvokeInBackground(WaitFileEvent("second"));
  ASSERT_TRUE(WaitForStarts(2)) << Log();  // both at work at once: two environments
  Release();
  const std::string ids[] = {testing::Header(first.get(), "X-Amzn-RequestId"),
                             testing::Header(second.get(), "X-Amzn-RequestId")};
  emulator_->Stop();
  const std::string recorded = ReadFile(record);
  EXPECT_EQ(Count(recorded, "registered"), 2u) << recorded;
  for (const std::string& id : ids) EXPECT_NE(recorded.find("invoke " + id), std::string::npos) << recorded;
  EXPECT_EQ(Count(recorded, "flushed spindown"), 2u) << recorded;
}

TEST_F(LifecycleTest, JsonLogsAreOneJsonObjectPerLineFilteredByLevel) {
  StartFaulty([](EmulatorOptions& options) {
    options.function.logging.format = LogFormat::kJson;
    options.function.logging.application_level = "WARN";
  });
  InvokeClient client = Client();
  http::Response response = MustInvoke(client, R"({"action":"app_log"})");
  ASSERT_EQ(response.status, 200);
  const std::string request_id = testing::Header(response, "X-Amzn-RequestId");
  emulator_->Stop();  // every line is written

  std::set<std::string> platform_types;
  std::set<std::string> levels;
  nlohmann::json report;
  std::istringstream lines(Log());
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(record.is_object()) << "not a JSON object: " << line;
    if (record.contains("type")) {
      platform_types.insert(record["type"].get<std::string>());
      ASSERT_TRUE(record.contains("time")) << line;
      if (record["type"] == "platform.report") report = record["record"];
    } else {
      levels.insert(record.value("level", ""));
      EXPECT_EQ(record.value("requestId", ""), request_id) << line;
      EXPECT_TRUE(record.contains("timestamp")) << line;
    }
  }
  EXPECT_TRUE(platform_types.count("platform.initStart"));
  EXPECT_TRUE(platform_types.count("platform.start"));
  EXPECT_TRUE(platform_types.count("platform.report"));
  EXPECT_EQ(report.value("requestId", ""), request_id);
  EXPECT_EQ(report.value("status", ""), "success");
  ASSERT_TRUE(report.contains("metrics"));
  EXPECT_TRUE(report["metrics"]["durationMs"].is_number());
  EXPECT_TRUE(report["metrics"]["initDurationMs"].is_number());
  EXPECT_EQ(report["metrics"].value("memorySizeMB", 0), 1024);
  // The runtime dropped TRACE..INFO itself; the raw DEBUG line was dropped by the emulator.
  EXPECT_EQ(levels, (std::set<std::string>{"WARN", "ERROR", "FATAL"}));
  EXPECT_EQ(Log().find("faulty raw debug line"), std::string::npos);
}

TEST_F(LifecycleTest, TelemetrySubscriberReceivesThePlatformAndFunctionRecords) {
  StartWithSubscriber("");
  InvokeClient client = Client();
  http::Response response = MustInvoke(client, R"({"action":"log","lines":2})");
  ASSERT_EQ(response.status, 200);
  const std::string request_id = testing::Header(response, "X-Amzn-RequestId");
  EXPECT_EQ(SubscribeAnswer().value("status", 0), 200);
  emulator_->Stop();  // SHUTDOWN: the subscriber writes what it got, then exits

  ASSERT_TRUE(std::filesystem::exists(telemetry_out_)) << Log() << sink_.stderr_text();
  nlohmann::json records = Json(ReadFile(telemetry_out_));
  ASSERT_TRUE(records.is_array());
  std::set<std::string> types;
  std::vector<std::string> function_lines;
  nlohmann::json report;
  for (const nlohmann::json& event : records) {
    ASSERT_TRUE(event.contains("time") && event.contains("type") && event.contains("record")) << event;
    const std::string type = event["type"];
    types.insert(type);
    if (type == "function") function_lines.push_back(event["record"].get<std::string>());
    if (type == "platform.report") report = event["record"];
  }
  for (const char* expected : {"platform.initStart", "platform.initRuntimeDone", "platform.initReport",
                               "platform.start", "platform.runtimeDone", "platform.report",
                               "platform.telemetrySubscription", "function"}) {
    EXPECT_TRUE(types.count(expected)) << "no " << expected << " in " << records.dump();
  }
  EXPECT_EQ(report.value("requestId", ""), request_id);
  EXPECT_TRUE(report["metrics"]["durationMs"].is_number());
  EXPECT_NE(std::find(function_lines.begin(), function_lines.end(), "faulty stdout line 1"), function_lines.end());
  // Deliveries wait while the environment is frozen instead of failing against a frozen reader.
  EXPECT_EQ(sink_.stderr_text().find("telemetry destination"), std::string::npos) << sink_.stderr_text();
}

// Each bad subscription gets Lambda's 400 ValidationError, and the function still serves.
TEST_F(LifecycleTest, MalformedSubscriptionsAreRefusedAndServingGoesOn) {
  const std::string bodies[] = {
      "{not json",
      R"({"schemaVersion":"2019-01-01","types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:1/"}})",
      R"({"schemaVersion":"2022-12-13","types":["platform"],"buffering":{"maxItems":5},"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:1/"}})",
      R"({"schemaVersion":"2022-12-13","types":["everything"],"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:1/"}})",
      R"({"schemaVersion":"2022-12-13","types":["platform"],"destination":{"protocol":"HTTP","URI":"http://192.0.2.1:80/"}})",
  };
  for (const std::string& body : bodies) {
    SCOPED_TRACE(body);
    StartWithSubscriber(body);
    nlohmann::json answer = SubscribeAnswer();
    EXPECT_EQ(answer.value("status", 0), 400);
    EXPECT_NE(answer.value("body", "").find("ValidationError"), std::string::npos) << answer;
    InvokeClient client = Client();
    EXPECT_EQ(MustInvoke(client, R"({"action":"echo"})").status, 200);
    emulator_->Stop();
    emulator_.reset();
    std::filesystem::remove_all(dir_ + "/extensions");
    std::filesystem::remove(telemetry_out_ + ".answer");
  }
}

// A destination that refuses connections, and one that accepts and never answers: invokes go
// on as usual, the failure is said once, and shutting down is not held up.
TEST_F(LifecycleTest, RefusingOrStalledDestinationsHoldNothingUp) {
  // A listening socket nobody accepts on: connects succeed, requests are never answered.
  int stalled = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(stalled, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(stalled, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(stalled, 64), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::getsockname(stalled, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int stalled_port = ntohs(address.sin_port);
  // A port nothing listens on (bound, never listened: connections are refused).
  int closed = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in closed_address{};
  closed_address.sin_family = AF_INET;
  closed_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(closed, reinterpret_cast<sockaddr*>(&closed_address), sizeof(closed_address)), 0);
  length = sizeof(closed_address);
  ASSERT_EQ(::getsockname(closed, reinterpret_cast<sockaddr*>(&closed_address), &length), 0);
  const int closed_port = ntohs(closed_address.sin_port);

  for (int port : {closed_port, stalled_port}) {
    SCOPED_TRACE(port == closed_port ? "refusing" : "stalled");
    const std::string body =
        R"({"schemaVersion":"2022-12-13","types":["platform","function"],"buffering":{"timeoutMs":25},)"
        R"("destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:)" + std::to_string(port) + R"(/"}})";
    StartWithSubscriber(body);
    ASSERT_EQ(SubscribeAnswer().value("status", 0), 200);
    InvokeClient client = Client();
    for (int i = 0; i < 30; ++i) {
      http::Response response = MustInvoke(client, R"({"action":"log","lines":20})");
      ASSERT_EQ(response.status, 200) << response.body;
    }
    const auto stop_began = std::chrono::steady_clock::now();
    emulator_->Stop();
    // The flush before SHUTDOWN is bounded, and so is the extension's Shutdown phase (2 s).
    EXPECT_LT(std::chrono::steady_clock::now() - stop_began, std::chrono::seconds(10));
    emulator_.reset();
    std::filesystem::remove_all(dir_ + "/extensions");
    std::filesystem::remove(telemetry_out_ + ".answer");
  }
  ::close(stalled);
  ::close(closed);
  EXPECT_NE(sink_.stderr_text().find("telemetry destination"), std::string::npos) << sink_.stderr_text();
}

}  // namespace
}  // namespace zerostart::emulator
