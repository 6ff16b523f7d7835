// PlatformLog: Lambda's own records about one execution environment — init, each invoke's
// start and report — as the environment's log shows them and as its Telemetry API subscribers
// get them. Text format: Lambda's START / END / REPORT / INIT_REPORT lines (report.h). JSON
// format: one Telemetry-API-shaped record per line (platform.start, platform.report, ...;
// platform_records.h), filtered by the system log level: DEBUG prints every record; INFO
// (the default) platform.initStart, platform.initReport, platform.start and platform.report;
// WARN only the reports of failed inits and invokes. Platform subscribers of the Telemetry API
// get every record, whatever the format and level.
//
// Each method returns what to write to the log (possibly "", each line ending with '\n') and
// publishes to `telemetry` itself.
// Thread safety: const methods, safe to call concurrently; `telemetry` must outlive it.
#ifndef ZEROSTART_SRC_EMULATOR_PLATFORM_LOG_H_
#define ZEROSTART_SRC_EMULATOR_PLATFORM_LOG_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/emulator/function_config.h"
#include "src/emulator/platform_records.h"
#include "src/emulator/report.h"
#include "src/emulator/telemetry.h"

namespace zerostart::emulator {

class PlatformLog {
 public:
  // `telemetry` may be null.
  PlatformLog(const LoggingConfig& logging, std::string_view function_name, std::string_view initialization_type,
              TelemetryHub* telemetry);

  bool json() const { return json_; }

  // Init began / the runtime finished its init / init ended (`status` success, error, timeout,
  // failure). Text format prints INIT_REPORT only for an init that did not succeed.
  std::string InitStart() const;
  std::string InitRuntimeDone(std::string_view status, std::string_view error_type) const;
  std::string InitReport(double duration_ms, std::string_view status, std::string_view error_type) const;
  // An extension registered for `events` (telemetry and JSON DEBUG only).
  std::string Extension(std::string_view name, const std::vector<std::string>& events) const;
  // An invoke was handed to the function.
  std::string Start(std::string_view request_id) const;
  // Whether RuntimeDone() has anyone to tell (so its fields are worth computing).
  bool WantsRuntimeDone() const;
  // The function answered (telemetry and JSON DEBUG only).
  std::string RuntimeDone(std::string_view request_id, std::string_view status, std::string_view error_type,
                          double duration_ms, std::optional<uint64_t> produced_bytes) const;
  // Lambda's line about a timed-out invoke (before its report).
  std::string Timeout(std::string_view request_id, double timeout_seconds) const;
  // END and REPORT (text) or platform.report (JSON). fields.status "" means success.
  std::string Report(const ReportFields& fields) const;

 private:
  // Whether the Telemetry API has platform subscribers now.
  bool Publishing() const {
    return telemetry_ != nullptr && telemetry_->HasSubscribers(TelemetryCategory::kPlatform);
  }
  // Publishes `event` to the platform subscribers; returns it as a log line when `print`.
  std::string Emit(const std::string& event, bool print) const;
  bool Prints(int rank) const { return rank >= system_rank_; }

  const bool json_;
  const int system_rank_;  // 0 DEBUG, 1 INFO, 2 WARN
  const std::string function_name_;
  const std::string initialization_type_;
  TelemetryHub* const telemetry_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_PLATFORM_LOG_H_
