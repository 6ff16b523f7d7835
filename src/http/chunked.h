// The chunked transfer coding on the write side (RFC 9112 §7.1): a body of unknown length sent
// as it is produced, ended by a last chunk that may carry trailer fields. The parser
// (parser.h) is the read side; chunked_test.cc checks that one decodes what the other encodes.
//
// Wire form: each chunk is "<size in hex>\r\n<data>\r\n"; the end is "0\r\n", then one line per
// trailer field, then "\r\n".
// Thread safety: pure functions; ChunkedWriter is not synchronised (one writer thread).
#ifndef ZEROSTART_SRC_HTTP_CHUNKED_H_
#define ZEROSTART_SRC_HTTP_CHUNKED_H_

#include <span>
#include <string>
#include <string_view>

#include "src/http/message.h"
#include "zerostart/status.h"

namespace zerostart::http {

// Appends one chunk holding `data`. Appends nothing for empty data: an empty chunk would end
// the body.
void AppendChunk(std::string_view data, std::string* out);

// Appends the last chunk and the trailer section (names and values cleaned as in
// SerializeRequestHead; a trailer with an empty name is skipped).
void AppendLastChunk(const Headers& trailers, std::string* out);

// Writes one chunk holding `parts` one after another (a gathered payload, e.g. a frame's head,
// data and checksum) with one sendmsg, the parts not copied. Writes nothing when they are all
// empty. At most net::kMaxWriteParts - 2 parts (InvalidArgument beyond); Unavailable when the
// peer is gone. Does not own `fd`.
Status WriteChunk(int fd, std::span<const std::string_view> parts);
// Writes the last chunk with `trailers` (as AppendLastChunk).
Status WriteLastChunk(int fd, const Headers& trailers = {});

// Writes a chunked body to a socket, one chunk per Write, each with one sendmsg (size line,
// data and CRLF gathered, the data not copied): what the peer receives is never held back.
class ChunkedWriter {
 public:
  // Does not own `fd`.
  explicit ChunkedWriter(int fd) : fd_(fd) {}

  // Sends `data` as one chunk (nothing for empty data). Unavailable when the peer is gone;
  // FailedPrecondition after Finish.
  Status Write(std::string_view data);
  // Sends the last chunk with `trailers`. FailedPrecondition when called twice.
  Status Finish(const Headers& trailers = {});

  bool finished() const { return finished_; }
  // Body bytes sent so far (without the framing).
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  int fd_;
  bool finished_ = false;
  uint64_t bytes_written_ = 0;
};

}  // namespace zerostart::http

#endif  // ZEROSTART_SRC_HTTP_CHUNKED_H_
