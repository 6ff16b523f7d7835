// File: src/eventstream/message.h
//
// The messages of the AWS event-stream encoding (application/vnd.amazon.eventstream) and their
// framing on the encoding side. The wire format, all integers big-endian:
//
//   offset  bytes  field
//   0       4      total_length    = kMinMessageBytes + headers_length + payload length
//   4       4      headers_length
//   8       4      prelude_crc     = CRC-32 of bytes [0, 8)
//   12      H      headers: repeated  name_len:u8 | name | type:u8 | value
//   12+H    P      payload
//   end-4   4      message_crc     = CRC-32 of bytes [0, total_length - 4)
//
// CRC-32 is zlib's (the IEEE polynomial). Header value encodings are listed at HeaderType.
// Sources: https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html (framing);
// smithy-typescript packages/eventstream-codec/src/EventStreamCodec.ts and HeaderMarshaller.ts
// (the same layout, both directions).
//
// Encoding writes the head (prelude, prelude CRC, headers) and the 4-byte tail (message CRC)
// apart from the payload, so that a sender can write head, payload and tail with one writev(2)
// and never copy the payload.
//
// Thread safety: the functions are pure; the types are values.
#ifndef ZEROSTART_SRC_EVENTSTREAM_MESSAGE_H_
#define ZEROSTART_SRC_EVENTSTREAM_MESSAGE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace zerostart::eventstream {

// total_length and headers_length, then the prelude CRC.
inline constexpr size_t kPreludeBytes = 12;
// The message CRC that ends every message.
inline constexpr size_t kMessageCrcBytes = 4;
// A message with no headers and an empty payload.
inline constexpr size_t kMinMessageBytes = kPreludeBytes + kMessageCrcBytes;
// A header name is length-prefixed by one byte.
inline constexpr size_t kMaxHeaderNameBytes = 255;
// Byte-array and string values are length-prefixed by two bytes.
inline constexpr size_t kMaxHeaderValueBytes = 65535;

// The type byte of a header record and its value's encoding. Wire values: DO NOT CHANGE.
enum class HeaderType : uint8_t {
  kBoolTrue = 0,   // no value bytes
  kBoolFalse = 1,  // no value bytes
  kByte = 2,       // int8
  kShort = 3,      // int16
  kInteger = 4,    // int32
  kLong = 5,       // int64
  kByteArray = 6,  // u16 length + bytes
  kString = 7,     // u16 length + UTF-8 bytes
  kTimestamp = 8,  // int64 milliseconds since the Unix epoch
  kUuid = 9,       // 16 bytes
};

// A byte-array value (type 6); distinct from std::string (type 7) so that the type survives.
struct ByteArray {
  std::string bytes;
  friend bool operator==(const ByteArray&, const ByteArray&) = default;
};

// A timestamp value (type 8).
struct Timestamp {
  int64_t millis_since_epoch = 0;
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// A UUID value (type 9), bytes in wire order.
using Uuid = std::array<uint8_t, 16>;

// One alternative per value encoding; bool covers both kBoolTrue and kBoolFalse.
using HeaderValue = std::variant<bool, int8_t, int16_t, int32_t, int64_t, ByteArray, std::string, Timestamp, Uuid>;

// The wire type a value is encoded as.
HeaderType TypeOf(const HeaderValue& value);

struct Header {
  std::string name;
  HeaderValue value;
  friend bool operator==(const Header&, const Header&) = default;
};

// A decoded message. Headers keep their wire order; names may repeat.
struct Message {
  std::vector<Header> headers;
  std::string payload;

  // The value of the first header called `name` if it is a string (type 7); std::nullopt when
  // there is none or it has another type. The view is valid while this message is unchanged.
  std::optional<std::string_view> StringHeader(std::string_view name) const;

  friend bool operator==(const Message&, const Message&) = default;
};

// A header to encode as a string (type 7). The views must outlive the call only.
struct StringHeader {
  std::string_view name;
  std::string_view value;
};

// CRC-32 (zlib's) of `bytes`, continued from `crc` (0 to start).
uint32_t Crc32(uint32_t crc, std::string_view bytes);

// Appends the header records of `headers`, in order, to *block.
// REQUIRES: every name is 1..kMaxHeaderNameBytes bytes, every value at most
// kMaxHeaderValueBytes bytes.
void AppendStringHeaders(std::span<const StringHeader> headers, std::string* block);

// Appends the header records of `headers` (values of any type), in order, to *block.
// REQUIRES: every name is 1..kMaxHeaderNameBytes bytes, every byte-array or string value at most
// kMaxHeaderValueBytes bytes.
void AppendHeaders(std::span<const Header> headers, std::string* block);

// Frames one message around an already encoded header block (any well-formed block, e.g. from
// AppendStringHeaders or AppendHeaders, kept by a sender that sends the same headers many
// times). *head is cleared and set to the prelude, prelude CRC and header block; *tail is set to
// the message CRC. The message on the wire is *head, then payload, then *tail.
// REQUIRES: kMinMessageBytes + header_block.size() + payload.size() <= UINT32_MAX.
void FrameEncodedHeaders(std::string_view header_block, std::string_view payload, std::string* head,
                         std::array<char, kMessageCrcBytes>* tail);

// As FrameEncodedHeaders, with the header block encoded from `headers` (all strings).
// REQUIRES: those of AppendStringHeaders and FrameEncodedHeaders.
void FrameMessage(std::span<const StringHeader> headers, std::string_view payload, std::string* head,
                  std::array<char, kMessageCrcBytes>* tail);

// Appends the whole message (head, payload, tail) to *out. Same requirements as FrameMessage.
void AppendMessage(std::span<const StringHeader> headers, std::string_view payload, std::string* out);

}  // namespace zerostart::eventstream

#endif  // ZEROSTART_SRC_EVENTSTREAM_MESSAGE_H_
