#include "src/eventstream/message.h"

#include <zlib.h>

#include <cassert>
#include <limits>
#include <type_traits>

#include "src/eventstream/wire.h"

namespace zerostart::eventstream {
namespace {

// A byte-array or string header value: u16 length, then the bytes.
void AppendLengthPrefixed(std::string_view bytes, std::string* block) {
  assert(bytes.size() <= kMaxHeaderValueBytes);
  wire::AppendBigEndian(static_cast<uint16_t>(bytes.size()), block);
  block->append(bytes);
}

// The start of a header record: u8 name length, name, type byte.
void AppendNameAndType(std::string_view name, HeaderType type, std::string* block) {
  assert(!name.empty() && name.size() <= kMaxHeaderNameBytes);
  block->push_back(static_cast<char>(name.size()));
  block->append(name);
  block->push_back(static_cast<char>(type));
}

}  // namespace

HeaderType TypeOf(const HeaderValue& value) {
  return std::visit(
      [](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) return v ? HeaderType::kBoolTrue : HeaderType::kBoolFalse;
        if constexpr (std::is_same_v<T, int8_t>) return HeaderType::kByte;
        if constexpr (std::is_same_v<T, int16_t>) return HeaderType::kShort;
        if constexpr (std::is_same_v<T, int32_t>) return HeaderType::kInteger;
        if constexpr (std::is_same_v<T, int64_t>) return HeaderType::kLong;
        if constexpr (std::is_same_v<T, ByteArray>) return HeaderType::kByteArray;
        if constexpr (std::is_same_v<T, std::string>) return HeaderType::kString;
        if constexpr (std::is_same_v<T, Timestamp>) return HeaderType::kTimestamp;
        if constexpr (std::is_same_v<T, Uuid>) return HeaderType::kUuid;
      },
      value);
}

std::optional<std::string_view> Message::StringHeader(std::string_view name) const {
  for (const Header& h : headers) {
    if (h.name != name) continue;
    if (const auto* s = std::get_if<std::string>(&h.value)) return std::string_view(*s);
    return std::nullopt;
  }
  return std::nullopt;
}

uint32_t Crc32(uint32_t crc, std::string_view bytes) {
  // crc32_z takes a size_t length: no 4 GiB splitting needed.
  return static_cast<uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

void AppendStringHeaders(std::span<const StringHeader> headers, std::string* block) {
  for (const StringHeader& h : headers) {
    AppendNameAndType(h.name, HeaderType::kString, block);
    AppendLengthPrefixed(h.value, block);
  }
}

void AppendHeaders(std::span<const Header> headers, std::string* block) {
  for (const Header& h : headers) {
    AppendNameAndType(h.name, TypeOf(h.value), block);
    std::visit(
        [block](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, ByteArray>) {
            AppendLengthPrefixed(v.bytes, block);
          } else if constexpr (std::is_same_v<T, std::string>) {
            AppendLengthPrefixed(v, block);
          } else if constexpr (std::is_same_v<T, Timestamp>) {
            wire::AppendBigEndian(static_cast<uint64_t>(v.millis_since_epoch), block);
          } else if constexpr (std::is_same_v<T, Uuid>) {
            block->append(reinterpret_cast<const char*>(v.data()), v.size());
          } else if constexpr (!std::is_same_v<T, bool>) {
            // Two's complement, as the decoder reads it back (bool's value is its type byte).
            wire::AppendBigEndian(static_cast<std::make_unsigned_t<T>>(v), block);
          }
        },
        h.value);
  }
}

void FrameEncodedHeaders(std::string_view header_block, std::string_view payload, std::string* head,
                         std::array<char, kMessageCrcBytes>* tail) {
  size_t total = kMinMessageBytes + header_block.size() + payload.size();
  assert(total <= std::numeric_limits<uint32_t>::max());
  head->clear();
  head->reserve(kPreludeBytes + header_block.size());
  wire::AppendBigEndian(static_cast<uint32_t>(total), head);
  wire::AppendBigEndian(static_cast<uint32_t>(header_block.size()), head);
  wire::AppendBigEndian(Crc32(0, *head), head);
  head->append(header_block);
  // The message CRC covers the prelude and its CRC too: continue over head, then the payload.
  uint32_t crc = Crc32(Crc32(0, *head), payload);
  wire::StoreBigEndian(crc, tail->data());
}

void FrameMessage(std::span<const StringHeader> headers, std::string_view payload, std::string* head,
                  std::array<char, kMessageCrcBytes>* tail) {
  std::string block;
  AppendStringHeaders(headers, &block);
  FrameEncodedHeaders(block, payload, head, tail);
}

void AppendMessage(std::span<const StringHeader> headers, std::string_view payload, std::string* out) {
  std::string head;
  std::array<char, kMessageCrcBytes> tail;
  FrameMessage(headers, payload, &head, &tail);
  out->reserve(out->size() + head.size() + payload.size() + tail.size());
  out->append(head);
  out->append(payload);
  out->append(tail.data(), tail.size());
}

}  // namespace zerostart::eventstream
