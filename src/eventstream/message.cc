#include "src/eventstream/message.h"

#include <zlib.h>

#include <cassert>
#include <limits>
#include <type_traits>

#include "src/eventstream/wire.h"

namespace zerostart::eventstream {

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
    assert(!h.name.empty() && h.name.size() <= kMaxHeaderNameBytes);
    assert(h.value.size() <= kMaxHeaderValueBytes);
    block->push_back(static_cast<char>(h.name.size()));
    block->append(h.name);
    block->push_back(static_cast<char>(HeaderType::kString));
    wire::AppendBigEndian(static_cast<uint16_t>(h.value.size()), block);
    block->append(h.value);
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
