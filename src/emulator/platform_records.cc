#include "src/emulator/platform_records.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "src/emulator/report.h"

namespace zerostart::emulator {
namespace {

using nlohmann::json;

// Lambda's records show durations with two decimals (693.92); rounding here keeps the JSON
// number short instead of printing every bit of the measured double.
double Round2(double ms) {
  if (!std::isfinite(ms)) return 0;
  return std::round(ms * 100.0) / 100.0;
}

// The record's text never comes from us alone (function names, error types, log lines), so
// bytes that are not UTF-8 are replaced rather than letting dump() throw.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The envelope around an already serialized record.
std::string Envelope(RecordTime time, std::string_view type, std::string_view record_json) {
  std::string out = R"({"time":")";
  out += Rfc3339Millis(time);
  out += R"(","type":)";
  out += Dump(json(type));
  out += R"(,"record":)";
  out += record_json;
  out += '}';
  return out;
}

std::string Event(RecordTime time, std::string_view type, const json& record) {
  return Envelope(time, type, Dump(record));
}

void PutIfNotEmpty(json& record, const char* key, std::string_view value) {
  if (!value.empty()) record[key] = value;
}

json InitRecord(std::string_view initialization_type, std::string_view phase,
                std::string_view status, std::string_view error_type) {
  json record = json::object();
  record["initializationType"] = initialization_type;
  record["phase"] = phase;
  record["status"] = status;
  PutIfNotEmpty(record, "errorType", error_type);
  return record;
}

std::string_view TrimJsonWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  size_t begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kWhitespace);
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::string InitStartEvent(RecordTime time, const InitStartFields& fields) {
  json record = json::object();
  record["initializationType"] = fields.initialization_type;
  record["phase"] = fields.phase;
  PutIfNotEmpty(record, "functionName", fields.function_name);
  PutIfNotEmpty(record, "functionVersion", fields.function_version);
  PutIfNotEmpty(record, "runtimeVersion", fields.runtime_version);
  PutIfNotEmpty(record, "runtimeVersionArn", fields.runtime_version_arn);
  return Event(time, "platform.initStart", record);
}

std::string InitRuntimeDoneEvent(RecordTime time, std::string_view initialization_type,
                                 std::string_view phase, std::string_view status,
                                 std::string_view error_type) {
  return Event(time, "platform.initRuntimeDone",
               InitRecord(initialization_type, phase, status, error_type));
}

std::string InitReportEvent(RecordTime time, std::string_view initialization_type,
                            std::string_view phase, std::string_view status,
                            std::string_view error_type, double duration_ms) {
  json record = InitRecord(initialization_type, phase, status, error_type);
  record["metrics"] = {{"durationMs", Round2(duration_ms)}};
  return Event(time, "platform.initReport", record);
}

std::string StartEvent(RecordTime time, std::string_view request_id, std::string_view version) {
  json record = json::object();
  record["requestId"] = request_id;
  PutIfNotEmpty(record, "version", version);
  return Event(time, "platform.start", record);
}

std::string RuntimeDoneEvent(RecordTime time, const RuntimeDoneFields& fields) {
  json record = json::object();
  record["requestId"] = fields.request_id;
  record["status"] = fields.status;
  PutIfNotEmpty(record, "errorType", fields.error_type);
  json metrics = {{"durationMs", Round2(fields.duration_ms)}};
  if (fields.produced_bytes) metrics["producedBytes"] = *fields.produced_bytes;
  record["metrics"] = std::move(metrics);
  return Event(time, "platform.runtimeDone", record);
}

std::string ReportEvent(RecordTime time, const PlatformReportFields& fields) {
  json record = json::object();
  record["requestId"] = fields.request_id;
  record["status"] = fields.status;
  PutIfNotEmpty(record, "errorType", fields.error_type);
  json metrics = {
      {"durationMs", Round2(fields.duration_ms)},
      {"billedDurationMs", fields.billed_duration_ms},
      {"memorySizeMB", fields.memory_size_mb},
      {"maxMemoryUsedMB", fields.max_memory_used_mb},
  };
  if (fields.init_duration_ms) metrics["initDurationMs"] = Round2(*fields.init_duration_ms);
  record["metrics"] = std::move(metrics);
  return Event(time, "platform.report", record);
}

std::string ExtensionEvent(RecordTime time, std::string_view name, std::string_view state,
                           std::span<const std::string> events) {
  json record = json::object();
  record["name"] = name;
  record["state"] = state;
  record["events"] = json::array();
  for (const std::string& event : events) record["events"].push_back(event);
  return Event(time, "platform.extension", record);
}

std::string TelemetrySubscriptionEvent(RecordTime time, std::string_view name,
                                       std::string_view state,
                                       std::span<const std::string> types) {
  json record = json::object();
  record["name"] = name;
  record["state"] = state;
  record["types"] = json::array();
  for (const std::string& type : types) record["types"].push_back(type);
  return Event(time, "platform.telemetrySubscription", record);
}

std::string LogsDroppedEvent(RecordTime time, std::string_view reason, uint64_t dropped_records,
                             uint64_t dropped_bytes) {
  json record = json::object();
  record["reason"] = reason;
  record["droppedRecords"] = dropped_records;
  record["droppedBytes"] = dropped_bytes;
  return Event(time, "platform.logsDropped", record);
}

std::string LogLineEvent(RecordTime time, LogSource source, std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::string_view type = source == LogSource::kFunction ? "function" : "extension";
  // A runtime in JSON log format writes one object per line; Lambda passes it on as the record
  // itself. accept() validates without building a tree (and rejects bad UTF-8), so the object
  // can be copied as written.
  std::string_view trimmed = TrimJsonWhitespace(line);
  if (!trimmed.empty() && trimmed.front() == '{' && json::accept(trimmed.begin(), trimmed.end())) {
    return Envelope(time, type, trimmed);
  }
  return Envelope(time, type, Dump(json(line)));
}

}  // namespace zerostart::emulator
