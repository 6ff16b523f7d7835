// File: src/eventstream/wire.h
//
// Big-endian integers, the byte order of every integer in the event-stream encoding.
// Internal to src/eventstream.
#ifndef ZEROSTART_SRC_EVENTSTREAM_WIRE_H_
#define ZEROSTART_SRC_EVENTSTREAM_WIRE_H_

#include <cstddef>
#include <string>
#include <type_traits>

namespace zerostart::eventstream::wire {

// Writes `value` as sizeof(T) big-endian bytes at out[0, sizeof(T)).
template <typename T>
void StoreBigEndian(T value, char* out) {
  static_assert(std::is_unsigned_v<T>);
  for (size_t i = 0; i < sizeof(T); ++i) {
    out[i] = static_cast<char>(static_cast<unsigned char>(value >> (8 * (sizeof(T) - 1 - i))));
  }
}

// Appends `value` as sizeof(T) big-endian bytes.
template <typename T>
void AppendBigEndian(T value, std::string* out) {
  char bytes[sizeof(T)];
  StoreBigEndian(value, bytes);
  out->append(bytes, sizeof(T));
}

// Reads sizeof(T) big-endian bytes. REQUIRES: p[0, sizeof(T)) is readable.
template <typename T>
T LoadBigEndian(const char* p) {
  static_assert(std::is_unsigned_v<T>);
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value = static_cast<T>((value << 8) | static_cast<unsigned char>(p[i]));
  }
  return value;
}

}  // namespace zerostart::eventstream::wire

#endif  // ZEROSTART_SRC_EVENTSTREAM_WIRE_H_
