#include "src/emulator/log_sink.h"

#include <errno.h>
#include <unistd.h>

namespace zerostart::emulator {

void FdLogSink::WriteStdout(std::string_view lines) { WriteFd(stdout_fd_, lines); }
void FdLogSink::WriteStderr(std::string_view lines) { WriteFd(stderr_fd_, lines); }

void FdLogSink::WriteFd(int fd, std::string_view lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!lines.empty()) {
    ssize_t n = ::write(fd, lines.data(), lines.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report it; see the header
    }
    lines.remove_prefix(static_cast<size_t>(n));
  }
}

void CapturingLogSink::WriteStdout(std::string_view lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  stdout_ += lines;
}

void CapturingLogSink::WriteStderr(std::string_view lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  stderr_ += lines;
}

std::string CapturingLogSink::stdout_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stdout_;
}

std::string CapturingLogSink::stderr_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stderr_;
}

}  // namespace zerostart::emulator
