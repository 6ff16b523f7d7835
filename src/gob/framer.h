// File: src/gob/framer.h
//
// MessageFramer splits a gob byte stream into messages. On the wire every message is
// uint(byteCount) followed by byteCount bytes (golang/go src/encoding/gob/doc.go). The framer
// accepts bytes in any split (one byte at a time works) and several messages per Append.
//
// Errors are sticky: after an error every Next() returns it again (the stream cannot resync).
// Thread safety: none; one thread at a time.
#ifndef ZEROSTART_SRC_GOB_FRAMER_H_
#define ZEROSTART_SRC_GOB_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "zerostart/status.h"

namespace zerostart::gob {

// Default bound on one message body. Go's own bound is 1 GiB (decoder.go tooBig); a Lambda
// invoke payload is at most 6 MiB, so 64 MiB leaves room without letting a peer make us
// buffer a gigabyte.
inline constexpr size_t kDefaultMaxMessageBytes = size_t{64} << 20;

class MessageFramer {
 public:
  explicit MessageFramer(size_t max_message_bytes = kDefaultMaxMessageBytes) : max_message_bytes_(max_message_bytes) {}

  // Buffers more stream bytes. Cheap when called with small pieces.
  void Append(std::string_view bytes) { buffer_.append(bytes); }

  // Returns the next complete message body (possibly empty), std::nullopt if more bytes are
  // needed, ResourceExhausted if the announced length exceeds the limit, InvalidArgument if
  // the length prefix is malformed.
  Result<std::optional<std::string>> Next();

  // Bytes buffered and not yet returned as messages.
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  size_t max_message_bytes_;
  std::string buffer_;
  size_t consumed_ = 0;  // prefix of buffer_ already returned; compacted lazily
  Status error_;
};

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_FRAMER_H_
