// File: src/gob/framer.h
//
// MessageFramer splits a gob byte stream into messages. On the wire every message is
// uint(byteCount) followed by byteCount bytes (golang/go src/encoding/gob/doc.go). The framer
// accepts bytes in any split (one byte at a time works) and several messages per Append.
//
// Bytes can be appended by copy (Append) or written in place (PrepareAppend + CommitAppend,
// e.g. straight from read(2)); messages can be taken as copies (Next) or as views into the
// framer's buffer (NextView). Buffered bytes are moved at most once per message consumed, so
// feeding a large message in small pieces stays linear. The buffer is kept between messages
// (a kept connection reuses it) unless it grew past the keep limit (kKeepBufferBytes unless
// the constructor says otherwise): such a buffer is released once it is drained and the last
// message taken was within the limit, so that a run of large messages keeps reusing it.
//
// Errors are sticky: after an error every Next()/NextView() returns it again (the stream
// cannot resync).
// Thread safety: none; one thread at a time.
#ifndef ZEROSTART_SRC_GOB_FRAMER_H_
#define ZEROSTART_SRC_GOB_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
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
  // The default keep limit (see the file comment).
  static constexpr size_t kKeepBufferBytes = size_t{8} << 20;

  explicit MessageFramer(size_t max_message_bytes = kDefaultMaxMessageBytes,
                         size_t keep_buffer_bytes = kKeepBufferBytes)
      : max_message_bytes_(max_message_bytes), keep_buffer_bytes_(keep_buffer_bytes) {}

  // Buffers more stream bytes (a copy). Cheap when called with small pieces.
  void Append(std::string_view bytes);

  // In-place append: returns room for at least `min_bytes` (> 0) bytes at the end of the
  // buffered data; write into it, then call CommitAppend(n) with the number of bytes written
  // (n <= the room asked for). The pointer is valid until the next call on the framer.
  char* PrepareAppend(size_t min_bytes);
  void CommitAppend(size_t n) { end_ += n; }

  // Returns the next complete message body (possibly empty), std::nullopt if more bytes are
  // needed, ResourceExhausted if the announced length exceeds the limit, InvalidArgument if
  // the length prefix is malformed.
  Result<std::optional<std::string>> Next();

  // As Next(), but the body is a view into the framer's buffer, valid until the next call to
  // any method of the framer.
  Result<std::optional<std::string_view>> NextView();

  // Bytes buffered and not yet returned as messages.
  size_t buffered() const { return end_ - begin_; }

  // Bytes the buffer holds (allocated), pending or not.
  size_t capacity() const { return capacity_; }

  // Bytes still missing to complete the message being received, when its length prefix is
  // already buffered; 0 when no message is in progress or the prefix is incomplete. A hint
  // for how much a reader may ask read(2) for.
  size_t missing() const;

 private:
  // Parses the length prefix at begin_: false if incomplete; sets *header and *length.
  Result<bool> ParsePrefix(size_t* header, uint64_t* length) const;
  // Makes room for `n` more bytes after end_.
  void Reserve(size_t n);

  size_t max_message_bytes_;
  size_t keep_buffer_bytes_;
  bool last_message_large_ = false;  // the last message taken (prefix included) > the keep limit
  std::unique_ptr<char[]> data_;  // uninitialized storage: no zero-fill on growth
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first byte not yet returned as (part of) a message
  size_t end_ = 0;    // end of the buffered bytes
  Status error_;
};

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_FRAMER_H_
