#include "src/emulator/platform_log.h"

#include "src/common/lambda_protocol.h"

namespace zerostart::emulator {
namespace {

constexpr int kDebug = 0;
constexpr int kInfo = 1;
constexpr int kWarn = 2;

int SystemRank(std::string_view level) {
  if (level == "DEBUG") return kDebug;
  if (level == "WARN") return kWarn;
  return kInfo;
}

RecordTime Now() { return std::chrono::system_clock::now(); }

}  // namespace

PlatformLog::PlatformLog(const LoggingConfig& logging, std::string_view function_name,
                         std::string_view initialization_type, TelemetryHub* telemetry)
    : json_(logging.format == LogFormat::kJson),
      system_rank_(SystemRank(logging.system_level)),
      function_name_(function_name),
      initialization_type_(initialization_type),
      telemetry_(telemetry) {}

std::string PlatformLog::Emit(const std::string& event, bool print) const {
  if (Publishing()) {
    telemetry_->Publish(TelemetryCategory::kPlatform, event);
  }
  return print ? event + "\n" : std::string();
}

std::string PlatformLog::InitStart() const {
  const bool print = json_ && Prints(kInfo);
  if (!print && !Publishing()) return "";
  InitStartFields fields;
  fields.initialization_type = initialization_type_;
  fields.function_name = function_name_;
  fields.function_version = lambda::kLatestVersion;
  return Emit(InitStartEvent(Now(), fields), print);
}

std::string PlatformLog::InitRuntimeDone(std::string_view status, std::string_view error_type) const {
  return Emit(InitRuntimeDoneEvent(Now(), initialization_type_, kPhaseInit, status, error_type),
              json_ && Prints(kDebug));
}

std::string PlatformLog::InitReport(double duration_ms, std::string_view status, std::string_view error_type) const {
  const bool failed = status != kStatusSuccess;
  std::string event = InitReportEvent(Now(), initialization_type_, kPhaseInit, status, error_type, duration_ms);
  if (!json_) {
    Emit(event, false);
    return failed ? InitReportLine(duration_ms, status, error_type) : std::string();
  }
  return Emit(event, Prints(failed ? kWarn : kInfo));
}

std::string PlatformLog::Extension(std::string_view name, const std::vector<std::string>& events) const {
  const bool print = json_ && Prints(kDebug);
  if (!print && !Publishing()) return "";
  return Emit(ExtensionEvent(Now(), name, "Ready", events), print);
}

std::string PlatformLog::Start(std::string_view request_id) const {
  if (!json_) {
    if (Publishing()) {
      Emit(StartEvent(Now(), request_id, lambda::kLatestVersion), false);
    }
    return StartLine(request_id, lambda::kLatestVersion);
  }
  return Emit(StartEvent(Now(), request_id, lambda::kLatestVersion), Prints(kInfo));
}

bool PlatformLog::WantsRuntimeDone() const { return (json_ && Prints(kDebug)) || Publishing(); }

std::string PlatformLog::RuntimeDone(std::string_view request_id, std::string_view status,
                                     std::string_view error_type, double duration_ms,
                                     std::optional<uint64_t> produced_bytes) const {
  if (!WantsRuntimeDone()) return "";
  const bool print = json_ && Prints(kDebug);
  RuntimeDoneFields fields;
  fields.request_id = request_id;
  fields.status = status;
  fields.error_type = error_type;
  fields.duration_ms = duration_ms;
  fields.produced_bytes = produced_bytes;
  return Emit(RuntimeDoneEvent(Now(), fields), print);
}

std::string PlatformLog::Timeout(std::string_view request_id, double timeout_seconds) const {
  std::string line = TimeoutLogLine(Now(), request_id, timeout_seconds);
  if (!json_) return line;
  line.pop_back();  // the newline
  return Prints(kWarn) ? LogLineEvent(Now(), LogSource::kFunction, line) + "\n" : std::string();
}

std::string PlatformLog::Report(const ReportFields& fields) const {
  const bool failed = !fields.status.empty();
  const bool publish = Publishing();
  const bool print = json_ && Prints(failed ? kWarn : kInfo);
  std::string event;
  if (publish || print) {
    PlatformReportFields report;
    report.request_id = fields.request_id;
    report.status = failed ? fields.status : kStatusSuccess;
    report.error_type = fields.error_type;
    report.duration_ms = fields.duration_ms;
    report.billed_duration_ms = BilledDurationMs(fields.duration_ms);
    report.memory_size_mb = static_cast<uint64_t>(fields.memory_size_mb);
    report.max_memory_used_mb = fields.max_memory_used_mb;
    report.init_duration_ms = fields.init_duration_ms;
    event = ReportEvent(Now(), report);
  }
  if (!json_) {
    if (publish) Emit(event, false);
    return EndLine(fields.request_id) + ReportLine(fields);
  }
  return event.empty() ? std::string() : Emit(event, print);
}

}  // namespace zerostart::emulator
