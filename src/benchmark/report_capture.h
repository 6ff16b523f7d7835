// ReportCapture: a LogSink for an in-process emulator that keeps each invoke's REPORT values
// (Duration, Init Duration, Max Memory Used, status) by request id, as the emulator hands them
// over (LogSink::OnReport), and drops every line the emulator and the function write.
// ParseReportLine reads the same values from a REPORT line of another process's log (serve's
// stdout), by field name.
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

// The fields of one "REPORT RequestId: ..." line (tab-separated "Name: value" fields, parsed by
// name); nullopt when `line` is not a REPORT line.
std::optional<ReportValues> ParseReportLine(std::string_view line);

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
