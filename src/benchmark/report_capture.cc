#include "src/benchmark/report_capture.h"

#include <cstdlib>

namespace zerostart::benchmark {
namespace {

constexpr std::string_view kReportPrefix = "REPORT ";

double LeadingNumber(std::string_view value) {
  std::string text(value);
  return std::strtod(text.c_str(), nullptr);
}

}  // namespace

std::optional<ReportValues> ParseReportLine(std::string_view line) {
  if (line.substr(0, kReportPrefix.size()) != kReportPrefix) return std::nullopt;
  line.remove_prefix(kReportPrefix.size());
  ReportValues values;
  while (!line.empty()) {
    const size_t tab = line.find('\t');
    std::string_view field = line.substr(0, tab);
    line = tab == std::string_view::npos ? std::string_view() : line.substr(tab + 1);
    const size_t colon = field.find(": ");
    if (colon == std::string_view::npos) continue;
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = field.substr(colon + 2);
    if (name == "RequestId") {
      values.request_id = std::string(value);
    } else if (name == "Duration") {
      values.duration_ms = LeadingNumber(value);
    } else if (name == "Init Duration") {
      values.init_duration_ms = LeadingNumber(value);
    } else if (name == "Max Memory Used") {
      values.max_memory_mb = static_cast<uint64_t>(LeadingNumber(value));
    } else if (name == "Status") {
      values.status = std::string(value);
    } else if (name == "Error Type") {
      values.error_type = std::string(value);
    }
  }
  if (values.request_id.empty()) return std::nullopt;
  return values;
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
