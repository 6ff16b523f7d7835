// The platform's records as Lambda's Telemetry API delivers them: one event per call, serialized
// as the envelope {"time":"<RFC 3339, ms, Z>","type":"<type>","record":<record>} with the
// record shapes of the Telemetry API's 2022-12-13 schema (AWS docs, "Lambda Telemetry API Event
// schema reference", telemetry-schema-reference). Lambda writes the same envelope as its system
// log records when a function's log format is JSON, so these strings serve both the telemetry
// subscribers and the emulator's own `--log-format json` output (one event per line).
//
// Conventions shared by every function here:
//   - The result is one line of compact JSON with no trailing newline; never throws. Text that
//     is not valid UTF-8 has its bad bytes replaced with U+FFFD, so the result is always valid.
//   - Durations are JSON numbers rounded to 2 decimals (as Lambda's records show them);
//     billedDurationMs, memory sizes and byte counts are integers.
//   - An empty optional string (error_type, runtime_version, ...) leaves its field out.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_PLATFORM_RECORDS_H_
#define ZEROSTART_SRC_EMULATOR_PLATFORM_RECORDS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace zerostart::emulator {

using RecordTime = std::chrono::system_clock::time_point;

// InitType values (how the environment was initialized).
inline constexpr std::string_view kInitOnDemand = "on-demand";
inline constexpr std::string_view kInitProvisionedConcurrency = "provisioned-concurrency";
inline constexpr std::string_view kInitLambdaManagedInstances = "lambda-managed-instances";
// InitPhase values: "invoke" is an init re-run inside an invoke (a suppressed init).
inline constexpr std::string_view kPhaseInit = "init";
inline constexpr std::string_view kPhaseInvoke = "invoke";
// Status values; every status but success carries an errorType.
inline constexpr std::string_view kStatusSuccess = "success";
inline constexpr std::string_view kStatusFailure = "failure";
inline constexpr std::string_view kStatusError = "error";
inline constexpr std::string_view kStatusTimeout = "timeout";

// platform.initStart.
struct InitStartFields {
  std::string_view initialization_type = kInitOnDemand;
  std::string_view phase = kPhaseInit;
  std::string_view function_name;
  std::string_view function_version;     // e.g. "$LATEST"
  std::string_view runtime_version;      // optional, e.g. "provided:al2023.v50"
  std::string_view runtime_version_arn;  // optional
};
std::string InitStartEvent(RecordTime time, const InitStartFields& fields);

// platform.initRuntimeDone: the runtime finished its init (called /next, or failed).
std::string InitRuntimeDoneEvent(RecordTime time, std::string_view initialization_type,
                                 std::string_view phase, std::string_view status,
                                 std::string_view error_type);

// platform.initReport: record.metrics.durationMs is the whole init phase.
std::string InitReportEvent(RecordTime time, std::string_view initialization_type,
                            std::string_view phase, std::string_view status,
                            std::string_view error_type, double duration_ms);

// platform.start: an invoke began. `version` is optional (e.g. "$LATEST").
std::string StartEvent(RecordTime time, std::string_view request_id, std::string_view version);

// platform.runtimeDone: the runtime answered (or failed) an invoke.
struct RuntimeDoneFields {
  std::string_view request_id;
  std::string_view status = kStatusSuccess;
  std::string_view error_type;
  double duration_ms = 0;                 // metrics.durationMs
  std::optional<uint64_t> produced_bytes;  // metrics.producedBytes: the response's size
};
std::string RuntimeDoneEvent(RecordTime time, const RuntimeDoneFields& fields);

// platform.report: the invoke's REPORT, structured.
struct PlatformReportFields {
  std::string_view request_id;
  std::string_view status = kStatusSuccess;
  std::string_view error_type;
  double duration_ms = 0;
  uint64_t billed_duration_ms = 0;
  uint64_t memory_size_mb = 0;
  uint64_t max_memory_used_mb = 0;
  std::optional<double> init_duration_ms;  // only on an environment's first invoke
};
std::string ReportEvent(RecordTime time, const PlatformReportFields& fields);

// platform.extension: an extension registered; `events` are those it registered for
// ("INVOKE", "SHUTDOWN"); `state` e.g. "Ready".
std::string ExtensionEvent(RecordTime time, std::string_view name, std::string_view state,
                           std::span<const std::string> events);

// platform.telemetrySubscription: `name` subscribed to `types` ("platform", "function",
// "extension"); `state` e.g. "Subscribed".
std::string TelemetrySubscriptionEvent(RecordTime time, std::string_view name,
                                       std::string_view state,
                                       std::span<const std::string> types);

// platform.logsDropped: records a subscriber did not get.
std::string LogsDroppedEvent(RecordTime time, std::string_view reason, uint64_t dropped_records,
                             uint64_t dropped_bytes);

// Who wrote a log line: the event type "function" or "extension".
enum class LogSource { kFunction, kExtension };

// A log line as an event of type "function" or "extension". `line` may end with "\n" or
// "\r\n", which is dropped. The record is the line as a JSON string; but when the line is a
// whole JSON object (a runtime writing JSON log records), the record is that object, copied
// byte for byte.
std::string LogLineEvent(RecordTime time, LogSource source, std::string_view line);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_PLATFORM_RECORDS_H_
