#include "src/benchmark/report_capture.h"

#include <nlohmann/json.hpp>

namespace zerostart::benchmark {
namespace {

using nlohmann::json;

// Record fields, as Lambda names them (AWS docs "Telemetry API schema reference",
// platform.report); written by src/emulator/platform_records.cc.
constexpr std::string_view kReportType = "platform.report";
constexpr std::string_view kStatusSuccess = "success";

std::optional<double> NumberAt(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Megabytes are whole and not negative: anything else is no value (never a wrapped one).
std::optional<uint64_t> WholeNumberAt(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

std::string StringAt(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<PlatformRecord> ParsePlatformRecord(std::string_view line) {
  const json event = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return std::nullopt;
  PlatformRecord out;
  out.type = StringAt(event, "type");
  if (out.type.empty()) return std::nullopt;
  const auto record = event.find("record");
  if (out.type != kReportType || record == event.end() || !record->is_object()) return out;
  ReportValues values;
  values.request_id = StringAt(*record, "requestId");
  if (values.request_id.empty()) return out;
  values.status = StringAt(*record, "status");
  if (values.status == kStatusSuccess) values.status.clear();
  values.error_type = StringAt(*record, "errorType");
  if (const auto metrics = record->find("metrics"); metrics != record->end() && metrics->is_object()) {
    values.duration_ms = NumberAt(*metrics, "durationMs");
    values.init_duration_ms = NumberAt(*metrics, "initDurationMs");
    values.max_memory_mb = WholeNumberAt(*metrics, "maxMemoryUsedMB");
  }
  out.report = std::move(values);
  return out;
}

void ReportCapture::WriteStdout(std::string_view) {}
void ReportCapture::WriteStderr(std::string_view) {}

void ReportCapture::OnReport(const emulator::ReportFields& fields) {
  ReportValues values;
  values.request_id = std::string(fields.request_id);
  values.duration_ms = fields.duration_ms;
  values.init_duration_ms = fields.init_duration_ms;
  values.max_memory_mb = fields.max_memory_used_mb;
  values.status = std::string(fields.status);
  values.error_type = std::string(fields.error_type);
  std::lock_guard<std::mutex> lock(mutex_);
  reports_[values.request_id] = std::move(values);
  arrived_.notify_all();
}

std::optional<ReportValues> ReportCapture::WaitFor(const std::string& request_id,
                                                   std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!arrived_.wait_for(lock, timeout, [&] { return reports_.count(request_id) > 0; })) {
    return std::nullopt;
  }
  ReportValues values = std::move(reports_[request_id]);
  reports_.erase(request_id);
  return values;
}

}  // namespace zerostart::benchmark
