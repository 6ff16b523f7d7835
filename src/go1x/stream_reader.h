// File: src/go1x/stream_reader.h
//
// GobStreamReader: whole gob values from one direction of a connected stream socket — the read
// side of a net/rpc connection, shared by the go1.x function server (src/runtime), the
// emulator's go1.x client (src/emulator) and the tests that talk to either.
//
// Next() returns values in stream order; type definitions are applied on the way. Several
// values per read(2) and values split over many reads are both fine.
//
// Thread safety: none; one thread reads one socket. The fd is borrowed, never closed here,
// and must stay open for the reader's life.
#ifndef ZEROSTART_SRC_GO1X_STREAM_READER_H_
#define ZEROSTART_SRC_GO1X_STREAM_READER_H_

#include <cstddef>
#include <optional>
#include <string>

#include "src/gob/decoder.h"
#include "src/gob/value.h"
#include "zerostart/status.h"

namespace zerostart::go1x {

class GobStreamReader {
 public:
  explicit GobStreamReader(int fd, gob::DecoderOptions options = {});

  // The next value. std::nullopt when the peer closed the stream cleanly between values.
  // Errors: the decoder's (InvalidArgument for malformed data, ResourceExhausted over a
  // limit; sticky), Unavailable when the stream ends inside a value or the socket fails
  // (e.g. ECONNRESET, or the fd was shut down by another thread).
  Result<std::optional<gob::Value>> Next();

 private:
  const int fd_;
  gob::Decoder decoder_;  // read(2) writes straight into its buffer
};

}  // namespace zerostart::go1x

#endif  // ZEROSTART_SRC_GO1X_STREAM_READER_H_
