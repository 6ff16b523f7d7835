#include "src/gob/framer.h"

#include <algorithm>
#include <cstring>

namespace zerostart::gob {

void MessageFramer::Append(std::string_view bytes) {
  if (bytes.empty()) return;
  std::memcpy(PrepareAppend(bytes.size()), bytes.data(), bytes.size());
  CommitAppend(bytes.size());
}

char* MessageFramer::PrepareAppend(size_t min_bytes) {
  Reserve(min_bytes);
  return data_.get() + end_;
}

void MessageFramer::Reserve(size_t n) {
  if (begin_ == end_) {
    // Nothing pending: start over at the front (no copy), dropping an oversized buffer unless
    // the message just taken needed it (the next is likely as large).
    begin_ = end_ = 0;
    if (capacity_ > keep_buffer_bytes_ && n <= keep_buffer_bytes_ && !last_message_large_) {
      data_.reset();
      capacity_ = 0;
    }
  }
  if (capacity_ - end_ >= n) return;
  size_t pending = end_ - begin_;
  // Moving the pending bytes to the front is enough when it frees the room; each byte moves at
  // most once per message consumed before it (begin_ > 0 only after a message was taken).
  if (begin_ > 0 && capacity_ - pending >= n) {
    std::memmove(data_.get(), data_.get() + begin_, pending);
    begin_ = 0;
    end_ = pending;
    return;
  }
  // Grow geometrically so that a message arriving in small pieces is copied O(1) times.
  size_t capacity = std::max({pending + n, 2 * capacity_, size_t{4096}});
  auto data = std::make_unique_for_overwrite<char[]>(capacity);
  if (pending > 0) std::memcpy(data.get(), data_.get() + begin_, pending);
  data_ = std::move(data);
  capacity_ = capacity;
  begin_ = 0;
  end_ = pending;
}

Result<bool> MessageFramer::ParsePrefix(size_t* header, uint64_t* length) const {
  // Parsed by hand rather than with Reader: a short prefix here means "wait for more bytes",
  // not an error.
  const char* p = data_.get() + begin_;
  size_t available = end_ - begin_;
  if (available == 0) return false;
  auto first = static_cast<unsigned char>(p[0]);
  *header = 1;
  *length = first;
  if (first >= 0x80) {
    size_t n = 256u - first;
    if (n > 8) return InvalidArgumentError("gob: message length byte count " + std::to_string(n) + " exceeds 8");
    if (available < 1 + n) return false;
    uint64_t x = 0;
    for (size_t i = 1; i <= n; ++i) x = (x << 8) | static_cast<unsigned char>(p[i]);
    *header = 1 + n;
    *length = x;
  }
  if (*length > max_message_bytes_) {
    return ResourceExhaustedError("gob: message of " + std::to_string(*length) + " bytes exceeds the limit of " +
                                  std::to_string(max_message_bytes_));
  }
  return true;
}

size_t MessageFramer::missing() const {
  if (!error_.ok()) return 0;
  size_t header = 0;
  uint64_t length = 0;
  Result<bool> complete = ParsePrefix(&header, &length);
  if (!complete.ok() || !*complete) return 0;
  size_t total = header + static_cast<size_t>(length);
  size_t available = end_ - begin_;
  return total > available ? total - available : 0;
}

Result<std::optional<std::string_view>> MessageFramer::NextView() {
  if (!error_.ok()) return error_;
  size_t header = 0;
  uint64_t length = 0;
  Result<bool> complete = ParsePrefix(&header, &length);
  if (!complete.ok()) {
    error_ = complete.status();
    return error_;
  }
  if (!*complete || end_ - begin_ - header < length) return std::optional<std::string_view>();
  auto size = static_cast<size_t>(length);
  std::string_view message(data_.get() + begin_ + header, size);
  begin_ += header + size;
  last_message_large_ = header + size > keep_buffer_bytes_;
  // The view stays valid: storage only moves in Reserve, i.e. on the next append.
  return std::optional<std::string_view>(message);
}

Result<std::optional<std::string>> MessageFramer::Next() {
  ZS_ASSIGN_OR_RETURN(std::optional<std::string_view> view, NextView());
  if (!view.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(std::string(*view));
}

}  // namespace zerostart::gob
