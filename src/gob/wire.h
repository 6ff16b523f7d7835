// File: src/gob/wire.h
//
// Gob wire primitives (golang/go src/encoding/gob/doc.go, "Encoding details"):
//   uint   < 128 is one byte; otherwise a byte holding the negated byte count (FF = 1 ... F8 = 8)
//          followed by the big-endian bytes, most significant first.
//   int    zig-zag: u = i << 1 for i >= 0, u = (^i << 1) | 1 for i < 0, then sent as a uint.
//   float  the float64 bits with the bytes reversed, sent as a uint (so 17.0 is FE 31 40).
//   bytes  a uint length then the bytes (strings and []byte alike).
//
// Appending never fails. Reading is bounds-checked: a Reader never reads past its input and
// returns InvalidArgument on truncation or on a uint byte count above 8 (Go's errBadUint).
// Like Go, non-minimal uints (leading zero bytes) are accepted: Go's decoder accepts them too.
//
// Thread safety: Reader is a value over borrowed bytes; one thread at a time.
#ifndef ZEROSTART_SRC_GOB_WIRE_H_
#define ZEROSTART_SRC_GOB_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "zerostart/status.h"

namespace zerostart::gob {

// Appends the encodings to *out.
void AppendUint(uint64_t value, std::string* out);
void AppendInt(int64_t value, std::string* out);
void AppendFloat(double value, std::string* out);
void AppendBytes(std::string_view bytes, std::string* out);

// The uint form of a float (byte-reversed IEEE-754 bits) and back; exposed for tests.
uint64_t FloatToWire(double value);
double FloatFromWire(uint64_t wire);

// Reads primitives from a borrowed byte range. The bytes must outlive the Reader.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  size_t position() const { return pos_; }

  // Each returns the value, or InvalidArgument if the input is truncated or malformed;
  // on error the position is unspecified (the stream is unusable anyway).
  Result<uint64_t> ReadUint();
  Result<int64_t> ReadInt();
  Result<double> ReadFloat();
  Result<bool> ReadBool();  // a uint that must be 0 or 1
  // A uint length then that many bytes; the view points into the Reader's input.
  Result<std::string_view> ReadBytes();
  // A uint used as an element count: InvalidArgument if it exceeds remaining() (every element
  // takes at least one byte, so a larger count cannot be honest and must not drive allocation).
  Result<size_t> ReadCount();

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_WIRE_H_
