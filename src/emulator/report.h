// The platform lines Lambda writes to a function's log around each invoke, in Lambda's exact
// format: START / END / REPORT (tab-separated fields, each ending with a tab), the timeout line,
// and INIT_REPORT for a failed init.
//
// Field order (src/emulator/README.md): Lambda's, not RIE's. Lambda writes
//   REPORT RequestId: <id>\tDuration: <ms> ms\tBilled Duration: <ms> ms\tMemory Size: <MB> MB\t
//   Max Memory Used: <MB> MB\t[Init Duration: <ms> ms\t][Status: <s>\t[Error Type: <t>\t]]
// while RIE puts Init Duration first. Readers should parse by field name.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_REPORT_H_
#define ZEROSTART_SRC_EMULATOR_REPORT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zerostart::emulator {

struct ReportFields {
  std::string_view request_id;
  double duration_ms = 0;
  int memory_size_mb = 0;
  uint64_t max_memory_used_mb = 0;
  std::optional<double> init_duration_ms;  // only on an environment's first invoke
  std::string_view status;                 // "" (success or function error), "timeout", "error"
  std::string_view error_type;             // with status "error", e.g. Runtime.ExitError
};

// "START RequestId: <id> Version: <version>\n".
std::string StartLine(std::string_view request_id, std::string_view version);
// "END RequestId: <id>\n".
std::string EndLine(std::string_view request_id);
// The REPORT line described above, with "\n".
std::string ReportLine(const ReportFields& fields);
// Lambda bills whole milliseconds: ceil(duration_ms).
uint64_t BilledDurationMs(double duration_ms);
// Peak memory as REPORT shows it: KiB rounded up to whole MB (MiB, as Lambda counts).
uint64_t KibToReportMb(uint64_t kib);

// "<RFC 3339 UTC with ms>Z <id> Task timed out after <s> seconds\n", the line Lambda logs
// before END when an invoke times out.
std::string TimeoutLogLine(std::chrono::system_clock::time_point now, std::string_view request_id,
                           double timeout_seconds);

// "INIT_REPORT Init Duration: <ms> ms\tPhase: init\tStatus: <status>\t[Error Type: <t>\t]\n".
std::string InitReportLine(double init_duration_ms, std::string_view status,
                           std::string_view error_type);

// "2024-05-01T12:00:00.123Z" (UTC, millisecond precision).
std::string Rfc3339Millis(std::chrono::system_clock::time_point time);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_REPORT_H_
