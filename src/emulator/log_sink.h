// LogSink: where the emulator's log goes — its own START/END/REPORT lines and the lines a
// function writes to stdout/stderr. Each call writes whole lines and is atomic with respect to
// every other call on the same sink, so platform lines and function lines never interleave
// mid-line.
// Thread safety: implementations must be safe to call concurrently.
#ifndef ZEROSTART_SRC_EMULATOR_LOG_SINK_H_
#define ZEROSTART_SRC_EMULATOR_LOG_SINK_H_

#include <mutex>
#include <string>
#include <string_view>

#include "src/emulator/report.h"

namespace zerostart::emulator {

class LogSink {
 public:
  virtual ~LogSink() = default;
  // `lines`: one or more complete lines, each ending with '\n'.
  virtual void WriteStdout(std::string_view lines) = 0;
  virtual void WriteStderr(std::string_view lines) = 0;
  // Each invoke's REPORT as values, after its lines were written (whatever the log format: the
  // text line, a JSON record, or nothing at a quiet level). The views live for the call only.
  // The default does nothing.
  virtual void OnReport(const ReportFields& fields) { (void)fields; }
};

// Writes to two file descriptors (normally 1 and 2) with one write(2) per call where possible,
// under one mutex. Write errors are ignored (a closed terminal must not stop the emulator).
// Does not own the fds.
class FdLogSink : public LogSink {
 public:
  FdLogSink(int stdout_fd, int stderr_fd) : stdout_fd_(stdout_fd), stderr_fd_(stderr_fd) {}
  void WriteStdout(std::string_view lines) override;
  void WriteStderr(std::string_view lines) override;

 private:
  void WriteFd(int fd, std::string_view lines);

  std::mutex mutex_;
  int stdout_fd_;
  int stderr_fd_;
};

// Keeps everything in memory (tests).
class CapturingLogSink : public LogSink {
 public:
  void WriteStdout(std::string_view lines) override;
  void WriteStderr(std::string_view lines) override;
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  mutable std::mutex mutex_;
  std::string stdout_;
  std::string stderr_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_LOG_SINK_H_
