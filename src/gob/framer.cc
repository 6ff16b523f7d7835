#include "src/gob/framer.h"

namespace zerostart::gob {

Result<std::optional<std::string>> MessageFramer::Next() {
  if (!error_.ok()) return error_;
  std::string_view pending = std::string_view(buffer_).substr(consumed_);
  if (pending.empty()) return std::optional<std::string>();
  // Parse the length prefix by hand rather than with Reader: a short prefix here means
  // "wait for more bytes", not an error.
  auto first = static_cast<unsigned char>(pending[0]);
  size_t header = 1;
  uint64_t length = first;
  if (first >= 0x80) {
    size_t n = 256u - first;
    if (n > 8) {
      error_ = InvalidArgumentError("gob: message length byte count " + std::to_string(n) + " exceeds 8");
      return error_;
    }
    if (pending.size() < 1 + n) return std::optional<std::string>();
    length = 0;
    for (size_t i = 1; i <= n; ++i) length = (length << 8) | static_cast<unsigned char>(pending[i]);
    header = 1 + n;
  }
  if (length > max_message_bytes_) {
    error_ = ResourceExhaustedError("gob: message of " + std::to_string(length) + " bytes exceeds the limit of " +
                                    std::to_string(max_message_bytes_));
    return error_;
  }
  if (pending.size() - header < length) return std::optional<std::string>();
  auto size = static_cast<size_t>(length);
  std::string message(pending.substr(header, size));
  consumed_ += header + size;
  // Compact once the consumed prefix dominates, so that feeding byte by byte stays linear.
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > 4096 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  return std::optional<std::string>(std::move(message));
}

}  // namespace zerostart::gob
