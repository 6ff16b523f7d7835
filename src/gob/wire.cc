#include "src/gob/wire.h"

#include <bit>

namespace zerostart::gob {

void AppendUint(uint64_t value, std::string* out) {
  if (value < 0x80) {
    out->push_back(static_cast<char>(value));
    return;
  }
  unsigned char buf[8];
  int n = 0;
  for (uint64_t v = value; v != 0; v >>= 8) buf[7 - n++] = static_cast<unsigned char>(v & 0xFF);
  // The count byte is -n as a two's-complement byte: 256 - n.
  out->push_back(static_cast<char>(256 - n));
  out->append(reinterpret_cast<const char*>(buf + 8 - n), static_cast<size_t>(n));
}

void AppendInt(int64_t value, std::string* out) {
  // Go: if i < 0 { x = uint64(^i<<1) | 1 } else { x = uint64(i << 1) }. Done on the unsigned
  // representation so that the shift never overflows a signed value.
  uint64_t u = value < 0 ? ((~static_cast<uint64_t>(value)) << 1) | 1u : static_cast<uint64_t>(value) << 1;
  AppendUint(u, out);
}

namespace {
// std::byteswap is C++23; this is what it does.
uint64_t ReverseBytes(uint64_t v) {
  uint64_t out = 0;
  for (int i = 0; i < 8; ++i, v >>= 8) out = (out << 8) | (v & 0xFF);
  return out;
}
}  // namespace

uint64_t FloatToWire(double value) { return ReverseBytes(std::bit_cast<uint64_t>(value)); }
double FloatFromWire(uint64_t wire) { return std::bit_cast<double>(ReverseBytes(wire)); }

void AppendFloat(double value, std::string* out) { AppendUint(FloatToWire(value), out); }

void AppendBytes(std::string_view bytes, std::string* out) {
  AppendUint(bytes.size(), out);
  out->append(bytes);
}

Result<uint64_t> Reader::ReadUint() {
  if (pos_ >= bytes_.size()) return InvalidArgumentError("gob: truncated uint");
  auto b = static_cast<unsigned char>(bytes_[pos_++]);
  if (b < 0x80) return uint64_t{b};
  size_t n = 256u - b;
  if (n > 8) return InvalidArgumentError("gob: uint byte count " + std::to_string(n) + " exceeds 8");
  if (remaining() < n) return InvalidArgumentError("gob: truncated uint");
  uint64_t x = 0;
  for (size_t i = 0; i < n; ++i) x = (x << 8) | static_cast<unsigned char>(bytes_[pos_++]);
  return x;
}

Result<int64_t> Reader::ReadInt() {
  ZS_ASSIGN_OR_RETURN(uint64_t u, ReadUint());
  uint64_t magnitude = u >> 1;
  return static_cast<int64_t>((u & 1) != 0 ? ~magnitude : magnitude);
}

Result<double> Reader::ReadFloat() {
  ZS_ASSIGN_OR_RETURN(uint64_t u, ReadUint());
  return FloatFromWire(u);
}

Result<bool> Reader::ReadBool() {
  ZS_ASSIGN_OR_RETURN(uint64_t u, ReadUint());
  if (u > 1) return InvalidArgumentError("gob: invalid bool " + std::to_string(u));
  return u == 1;
}

Result<size_t> Reader::ReadCount() {
  ZS_ASSIGN_OR_RETURN(uint64_t n, ReadUint());
  if (n > remaining()) {
    return InvalidArgumentError("gob: count " + std::to_string(n) + " exceeds the " + std::to_string(remaining()) +
                                " bytes left in the message");
  }
  return static_cast<size_t>(n);
}

Result<std::string_view> Reader::ReadBytes() {
  ZS_ASSIGN_OR_RETURN(size_t n, ReadCount());
  std::string_view view = bytes_.substr(pos_, n);
  pos_ += n;
  return view;
}

}  // namespace zerostart::gob
