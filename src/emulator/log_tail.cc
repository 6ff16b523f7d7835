#include "src/emulator/log_tail.h"

#include <utility>

#include "src/common/base64.h"

namespace zerostart::emulator {

LogTail::LogTail(size_t limit) : limit_(limit) {}

void LogTail::Append(std::string_view lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (lines.size() >= limit_) {
    text_.assign(lines.substr(lines.size() - limit_));
    return;
  }
  text_.append(lines);
  // Trim only now and then, so a chatty function costs an amortised copy per byte.
  if (text_.size() > 2 * limit_) text_.erase(0, text_.size() - limit_);
}

std::string LogTail::Text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return text_.size() > limit_ ? text_.substr(text_.size() - limit_) : text_;
}

std::string LogTail::Base64() const {
  std::string text = Text();
  return text.empty() ? std::string() : Base64Encode(text);
}

void TailingLogSink::WriteStdout(std::string_view lines) {
  Capture(lines);
  inner_->WriteStdout(lines);
}

void TailingLogSink::WriteStderr(std::string_view lines) {
  Capture(lines);
  inner_->WriteStderr(lines);
}

void TailingLogSink::SetTail(std::shared_ptr<LogTail> tail) {
  std::lock_guard<std::mutex> lock(mutex_);
  tail_ = std::move(tail);
}

void TailingLogSink::Capture(std::string_view lines) {
  std::shared_ptr<LogTail> tail;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tail = tail_;
  }
  if (tail) tail->Append(lines);
}

}  // namespace zerostart::emulator
