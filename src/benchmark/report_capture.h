// ReportCapture: a LogSink for an in-process emulator that keeps each invoke's REPORT values
// (Duration, Init Duration, Max Memory Used, status) by request id, as the emulator hands them
// over (LogSink::OnReport), and drops every line the emulator and the function write.
// ParsePlatformRecord reads the same values from another process's log: a record of
// `zerostart serve --log-format json` (Lambda's JSON log format, platform.report).
// Thread safety: all methods may be called concurrently.
#ifndef ZEROSTART_SRC_BENCHMARK_REPORT_CAPTURE_H_
#define ZEROSTART_SRC_BENCHMARK_REPORT_CAPTURE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "src/emulator/log_sink.h"

namespace zerostart::benchmark {

struct ReportValues {
  std::string request_id;
  std::optional<double> duration_ms;
  std::optional<double> init_duration_ms;
  std::optional<uint64_t> max_memory_mb;
  std::string status;      // "" or e.g. "timeout"
  std::string error_type;  // e.g. "Runtime.ExitError"
};

// One line of `serve --log-format json` output: the record's "type" ("platform.start",
// "platform.report", ...) and, for platform.report, its values (record.requestId,
// record.metrics.durationMs / initDurationMs / maxMemoryUsedMB, record.status with "success"
// given as "", record.errorType). nullopt when `line` is not a JSON object with a string "type"
// (e.g. a function's plain-text line); a platform.report without a requestId has no values.
struct PlatformRecord {
  std::string type;
  std::optional<ReportValues> report;
};
std::optional<PlatformRecord> ParsePlatformRecord(std::string_view line);

class ReportCapture : public emulator::LogSink {
 public:
  void WriteStdout(std::string_view lines) override;
  void WriteStderr(std::string_view lines) override;
  void OnReport(const emulator::ReportFields& fields) override;

  // The REPORT of `request_id`, waiting up to `timeout` for it (the emulator writes it just
  // after answering the caller). nullopt if it did not come.
  std::optional<ReportValues> WaitFor(const std::string& request_id, std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::map<std::string, ReportValues> reports_;
};

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_REPORT_CAPTURE_H_
