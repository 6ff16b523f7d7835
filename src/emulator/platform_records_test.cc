#include "src/emulator/platform_records.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace zerostart::emulator {
namespace {

using nlohmann::json;

// 2024-05-01T12:00:00.123Z
const RecordTime kRecordTime{std::chrono::milliseconds(1714564800123)};

// Parses one event and checks the envelope; returns its record.
json RecordOf(const std::string& event, const std::string& type) {
  EXPECT_EQ(event.find('\n'), std::string::npos) << event;
  json parsed = json::parse(event, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(parsed.is_object()) << event;
  if (!parsed.is_object()) return json();
  EXPECT_EQ(parsed.size(), 3u) << event;
  EXPECT_EQ(parsed.value("time", ""), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(parsed.value("type", ""), type);
  return parsed["record"];
}

TEST(PlatformRecordsTest, InitStart) {
  InitStartFields fields;
  fields.function_name = "hello";
  fields.function_version = "$LATEST";
  fields.runtime_version = "provided:al2023";
  json record = RecordOf(InitStartEvent(kRecordTime, fields), "platform.initStart");
  EXPECT_EQ(record["initializationType"], "on-demand");
  EXPECT_EQ(record["phase"], "init");
  EXPECT_EQ(record["functionName"], "hello");
  EXPECT_EQ(record["functionVersion"], "$LATEST");
  EXPECT_EQ(record["runtimeVersion"], "provided:al2023");
  EXPECT_FALSE(record.contains("runtimeVersionArn"));

  fields.initialization_type = kInitLambdaManagedInstances;
  fields.runtime_version = "";
  record = RecordOf(InitStartEvent(kRecordTime, fields), "platform.initStart");
  EXPECT_EQ(record["initializationType"], "lambda-managed-instances");
  EXPECT_FALSE(record.contains("runtimeVersion"));
}

TEST(PlatformRecordsTest, InitRuntimeDoneAndInitReport) {
  json done = RecordOf(InitRuntimeDoneEvent(kRecordTime, kInitOnDemand, kPhaseInit, kStatusSuccess, ""),
                       "platform.initRuntimeDone");
  EXPECT_EQ(done, json({{"initializationType", "on-demand"}, {"phase", "init"}, {"status", "success"}}));

  done = RecordOf(InitRuntimeDoneEvent(kRecordTime, kInitOnDemand, kPhaseInit, kStatusError,
                                       "Runtime.ExitError"),
                  "platform.initRuntimeDone");
  EXPECT_EQ(done["status"], "error");
  EXPECT_EQ(done["errorType"], "Runtime.ExitError");

  json report = RecordOf(InitReportEvent(kRecordTime, kInitOnDemand, kPhaseInvoke, kStatusTimeout,
                                         "Runtime.Unknown", 125.3349),
                         "platform.initReport");
  EXPECT_EQ(report["phase"], "invoke");
  EXPECT_EQ(report["status"], "timeout");
  EXPECT_EQ(report["errorType"], "Runtime.Unknown");
  ASSERT_TRUE(report["metrics"]["durationMs"].is_number_float());
  EXPECT_DOUBLE_EQ(report["metrics"]["durationMs"].get<double>(), 125.33);
}

TEST(PlatformRecordsTest, StartAndRuntimeDone) {
  json start = RecordOf(StartEvent(kRecordTime, "r-1", "$LATEST"), "platform.start");
  EXPECT_EQ(start, json({{"requestId", "r-1"}, {"version", "$LATEST"}}));
  EXPECT_FALSE(RecordOf(StartEvent(kRecordTime, "r-1", ""), "platform.start").contains("version"));

  RuntimeDoneFields fields;
  fields.request_id = "r-1";
  fields.duration_ms = 140;
  fields.produced_bytes = 16;
  json done = RecordOf(RuntimeDoneEvent(kRecordTime, fields), "platform.runtimeDone");
  EXPECT_EQ(done["requestId"], "r-1");
  EXPECT_EQ(done["status"], "success");
  EXPECT_FALSE(done.contains("errorType"));
  EXPECT_DOUBLE_EQ(done["metrics"]["durationMs"].get<double>(), 140.0);
  EXPECT_EQ(done["metrics"]["producedBytes"], 16);

  fields.status = kStatusFailure;
  fields.error_type = "Function.Unhandled";
  fields.produced_bytes.reset();
  done = RecordOf(RuntimeDoneEvent(kRecordTime, fields), "platform.runtimeDone");
  EXPECT_EQ(done["status"], "failure");
  EXPECT_EQ(done["errorType"], "Function.Unhandled");
  EXPECT_FALSE(done["metrics"].contains("producedBytes"));
}

TEST(PlatformRecordsTest, Report) {
  PlatformReportFields fields;
  fields.request_id = "r-2";
  fields.duration_ms = 693.9177;
  fields.billed_duration_ms = 694;
  fields.memory_size_mb = 128;
  fields.max_memory_used_mb = 84;
  fields.init_duration_ms = 397.681;
  json report = RecordOf(ReportEvent(kRecordTime, fields), "platform.report");
  EXPECT_EQ(report["requestId"], "r-2");
  EXPECT_EQ(report["status"], "success");
  const json& metrics = report["metrics"];
  EXPECT_DOUBLE_EQ(metrics["durationMs"].get<double>(), 693.92);
  EXPECT_TRUE(metrics["billedDurationMs"].is_number_integer());
  EXPECT_EQ(metrics["billedDurationMs"], 694);
  EXPECT_EQ(metrics["memorySizeMB"], 128);
  EXPECT_EQ(metrics["maxMemoryUsedMB"], 84);
  EXPECT_DOUBLE_EQ(metrics["initDurationMs"].get<double>(), 397.68);

  fields.init_duration_ms.reset();
  fields.status = kStatusTimeout;
  fields.error_type = "Sandbox.Timedout";
  report = RecordOf(ReportEvent(kRecordTime, fields), "platform.report");
  EXPECT_FALSE(report["metrics"].contains("initDurationMs"));
  EXPECT_EQ(report["status"], "timeout");
  EXPECT_EQ(report["errorType"], "Sandbox.Timedout");
}

TEST(PlatformRecordsTest, ExtensionSubscriptionAndLogsDropped) {
  const std::vector<std::string> events = {"INVOKE", "SHUTDOWN"};
  json extension = RecordOf(ExtensionEvent(kRecordTime, "ext", "Ready", events), "platform.extension");
  EXPECT_EQ(extension, json({{"name", "ext"}, {"state", "Ready"}, {"events", {"INVOKE", "SHUTDOWN"}}}));
  extension = RecordOf(ExtensionEvent(kRecordTime, "ext", "Ready", {}), "platform.extension");
  EXPECT_TRUE(extension["events"].is_array());

  const std::vector<std::string> types = {"platform", "function"};
  json subscription = RecordOf(TelemetrySubscriptionEvent(kRecordTime, "ext", "Subscribed", types),
                               "platform.telemetrySubscription");
  EXPECT_EQ(subscription,
            json({{"name", "ext"}, {"state", "Subscribed"}, {"types", {"platform", "function"}}}));

  json dropped = RecordOf(LogsDroppedEvent(kRecordTime, "slow consumer", 123, 12345),
                          "platform.logsDropped");
  EXPECT_EQ(dropped,
            json({{"reason", "slow consumer"}, {"droppedRecords", 123}, {"droppedBytes", 12345}}));
}

TEST(PlatformRecordsTest, TextLogLineIsAString) {
  json record = RecordOf(LogLineEvent(kRecordTime, LogSource::kFunction, "[INFO] hello \"x\"\r\n"),
                         "function");
  EXPECT_EQ(record, "[INFO] hello \"x\"");
  record = RecordOf(LogLineEvent(kRecordTime, LogSource::kExtension, "tab\there"), "extension");
  EXPECT_EQ(record, "tab\there");
  EXPECT_EQ(RecordOf(LogLineEvent(kRecordTime, LogSource::kFunction, "\n"), "function"), "");
}

TEST(PlatformRecordsTest, JsonLogLineIsTheObjectItself) {
  const std::string line =
      R"({"timestamp":"2024-05-01T12:00:00.123Z","level":"INFO","requestId":"r","message":"hi"})";
  json record = RecordOf(LogLineEvent(kRecordTime, LogSource::kFunction, line + "\n"), "function");
  ASSERT_TRUE(record.is_object());
  EXPECT_EQ(record["level"], "INFO");
  EXPECT_EQ(record["message"], "hi");

  // Only a whole object counts: arrays, numbers, and broken objects stay strings.
  for (const std::string text : {"[1,2]", "42", R"({"a":1)", R"({"a":1} trailing)"}) {
    EXPECT_EQ(RecordOf(LogLineEvent(kRecordTime, LogSource::kFunction, text), "function"), text);
  }
}

TEST(PlatformRecordsTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string line = "bad \xff\xfe bytes";
  json record = RecordOf(LogLineEvent(kRecordTime, LogSource::kFunction, line), "function");
  ASSERT_TRUE(record.is_string());
  EXPECT_NE(record.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
  // An object with bad UTF-8 inside is not valid JSON, so it is carried as a string.
  record = RecordOf(LogLineEvent(kRecordTime, LogSource::kFunction, "{\"a\":\"\xff\"}"), "function");
  EXPECT_TRUE(record.is_string());
  json start = RecordOf(StartEvent(kRecordTime, "r\xc3", "$LATEST"), "platform.start");
  EXPECT_TRUE(start["requestId"].is_string());
}

}  // namespace
}  // namespace zerostart::emulator
