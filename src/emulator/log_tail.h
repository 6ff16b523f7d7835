// The log of one invocation as X-Amz-Log-Type: Tail returns it: the last 4 KB of what was
// logged while it ran (START, the function's lines, END, REPORT), base64-encoded, in
// X-Amz-Log-Result (Invoke) or InvokeComplete.LogResult (InvokeWithResponseStream) — AWS Lambda
// API reference, "Invoke", LogType.
//
// TailingLogSink sits in front of the emulator's LogSink: every line still goes there, and the
// function's lines are also appended to the tail of the invocation in flight, if it asked for one.
// Thread safety: both classes are safe to use from any thread.
#ifndef ZEROSTART_SRC_EMULATOR_LOG_TAIL_H_
#define ZEROSTART_SRC_EMULATOR_LOG_TAIL_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "src/emulator/log_sink.h"

namespace zerostart::emulator {

class LogTail {
 public:
  // Keeps the last `limit` bytes of everything appended.
  explicit LogTail(size_t limit);
  void Append(std::string_view lines);
  // The kept bytes, base64 (RFC 4648 §4); "" when nothing was logged.
  std::string Base64() const;
  std::string Text() const;

 private:
  const size_t limit_;
  mutable std::mutex mutex_;
  std::string text_;  // at most 2 * limit_ bytes; trimmed to the last limit_ when read
};

class TailingLogSink : public LogSink {
 public:
  // `inner` must outlive this sink.
  explicit TailingLogSink(LogSink* inner) : inner_(inner) {}

  void WriteStdout(std::string_view lines) override;
  void WriteStderr(std::string_view lines) override;

  // Lines written from now on are also appended to `tail` (null: to no tail).
  void SetTail(std::shared_ptr<LogTail> tail);

 private:
  void Capture(std::string_view lines);

  LogSink* inner_;
  std::mutex mutex_;
  std::shared_ptr<LogTail> tail_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_LOG_TAIL_H_
