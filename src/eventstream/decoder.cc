#include "src/eventstream/decoder.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "src/eventstream/wire.h"

namespace zerostart::eventstream {
namespace {

// A buffer that grew past this for one large message is released once that message is taken.
constexpr size_t kKeepBufferBytes = size_t{1} << 20;

std::string Hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", value);
  return text;
}

// A header name from the wire, quoted for an error message; bytes outside printable ASCII are
// escaped so that hostile input cannot forge log lines.
std::string Quoted(std::string_view name) {
  std::string out = "'";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\') {
      out += c;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", u);
      out += escaped;
    }
  }
  return out + "'";
}

// Reads a header block front to back; every Take fails instead of reading past the end.
class BlockReader {
 public:
  explicit BlockReader(std::string_view block) : block_(block) {}

  bool empty() const { return offset_ == block_.size(); }
  size_t offset() const { return offset_; }

  bool Take(size_t n, std::string_view* out) {
    if (block_.size() - offset_ < n) return false;
    *out = block_.substr(offset_, n);
    offset_ += n;
    return true;
  }

  template <typename T>
  bool TakeBigEndian(T* out) {
    std::string_view bytes;
    if (!Take(sizeof(T), &bytes)) return false;
    *out = wire::LoadBigEndian<T>(bytes.data());
    return true;
  }

 private:
  std::string_view block_;
  size_t offset_ = 0;
};

// Reads one header's value of wire type `type`; false if it runs past the block.
// Returns InvalidArgument for an unknown type.
Result<bool> ReadValue(uint8_t type, BlockReader* r, HeaderValue* value) {
  switch (static_cast<HeaderType>(type)) {
    case HeaderType::kBoolTrue:
      *value = true;
      return true;
    case HeaderType::kBoolFalse:
      *value = false;
      return true;
    case HeaderType::kByte: {
      uint8_t v;
      if (!r->TakeBigEndian(&v)) return false;
      *value = static_cast<int8_t>(v);
      return true;
    }
    case HeaderType::kShort: {
      uint16_t v;
      if (!r->TakeBigEndian(&v)) return false;
      *value = static_cast<int16_t>(v);
      return true;
    }
    case HeaderType::kInteger: {
      uint32_t v;
      if (!r->TakeBigEndian(&v)) return false;
      *value = static_cast<int32_t>(v);
      return true;
    }
    case HeaderType::kLong:
    case HeaderType::kTimestamp: {
      uint64_t v;
      if (!r->TakeBigEndian(&v)) return false;
      if (static_cast<HeaderType>(type) == HeaderType::kLong) {
        *value = static_cast<int64_t>(v);
      } else {
        *value = Timestamp{static_cast<int64_t>(v)};
      }
      return true;
    }
    case HeaderType::kByteArray:
    case HeaderType::kString: {
      uint16_t length;
      std::string_view bytes;
      if (!r->TakeBigEndian(&length) || !r->Take(length, &bytes)) return false;
      if (static_cast<HeaderType>(type) == HeaderType::kByteArray) {
        *value = ByteArray{std::string(bytes)};
      } else {
        *value = std::string(bytes);
      }
      return true;
    }
    case HeaderType::kUuid: {
      std::string_view bytes;
      if (!r->Take(sizeof(Uuid), &bytes)) return false;
      Uuid uuid;
      std::copy(bytes.begin(), bytes.end(), uuid.begin());
      *value = uuid;
      return true;
    }
  }
  return InvalidArgumentError("unknown value type " + std::to_string(type));
}

Status ParseHeaders(std::string_view block, std::vector<Header>* headers) {
  BlockReader r(block);
  while (!r.empty()) {
    std::string at = "eventstream: header record at byte " + std::to_string(r.offset()) + " of the header block";
    uint8_t name_length = 0;
    std::string_view name;
    if (!r.TakeBigEndian(&name_length)) return InvalidArgumentError(at + " is empty");
    if (name_length == 0) return InvalidArgumentError(at + " has an empty name");
    if (!r.Take(name_length, &name)) {
      return InvalidArgumentError(at + ": its name of " + std::to_string(name_length) +
                                  " bytes runs past the end of the block");
    }
    at = "eventstream: header " + Quoted(name);
    uint8_t type = 0;
    if (!r.TakeBigEndian(&type)) return InvalidArgumentError(at + " has no value type");
    HeaderValue value;
    Result<bool> complete = ReadValue(type, &r, &value);
    if (!complete.ok()) return InvalidArgumentError(at + ": " + complete.status().message());
    if (!*complete) {
      return InvalidArgumentError(at + ": its value of type " + std::to_string(type) +
                                  " runs past the end of the header block");
    }
    headers->push_back(Header{std::string(name), std::move(value)});
  }
  return OkStatus();
}

// Decodes one whole message, `bytes` being exactly its total_length bytes and its prelude
// already checked by CheckPrelude (so headers_length fits).
Result<Message> DecodeMessage(std::string_view bytes) {
  size_t total = bytes.size();
  uint32_t stated = wire::LoadBigEndian<uint32_t>(bytes.data() + total - kMessageCrcBytes);
  uint32_t computed = Crc32(0, bytes.substr(0, total - kMessageCrcBytes));
  if (stated != computed) {
    return InvalidArgumentError("eventstream: message CRC mismatch (the message says " + Hex32(stated) +
                                ", its bytes give " + Hex32(computed) + ")");
  }
  size_t headers_length = wire::LoadBigEndian<uint32_t>(bytes.data() + 4);
  Message message;
  ZS_RETURN_IF_ERROR(ParseHeaders(bytes.substr(kPreludeBytes, headers_length), &message.headers));
  message.payload.assign(bytes.substr(kPreludeBytes + headers_length, total - kMinMessageBytes - headers_length));
  return message;
}

}  // namespace

Result<size_t> Decoder::CheckPrelude(std::string_view bytes) const {
  uint32_t total = wire::LoadBigEndian<uint32_t>(bytes.data());
  uint32_t headers_length = wire::LoadBigEndian<uint32_t>(bytes.data() + 4);
  uint32_t stated = wire::LoadBigEndian<uint32_t>(bytes.data() + 8);
  // The CRC first: a corrupted length is reported as corruption, not as a limit.
  uint32_t computed = Crc32(0, bytes.substr(0, 8));
  if (stated != computed) {
    return InvalidArgumentError("eventstream: prelude CRC mismatch (the prelude says " + Hex32(stated) +
                                ", its bytes give " + Hex32(computed) + ")");
  }
  if (total < kMinMessageBytes) {
    return InvalidArgumentError("eventstream: total length " + std::to_string(total) + " is below the minimum of " +
                                std::to_string(kMinMessageBytes));
  }
  if (total > limits_.max_message_bytes) {
    return ResourceExhaustedError("eventstream: message of " + std::to_string(total) + " bytes exceeds the limit of " +
                                  std::to_string(limits_.max_message_bytes));
  }
  if (headers_length > total - kMinMessageBytes) {
    return InvalidArgumentError("eventstream: headers length " + std::to_string(headers_length) +
                                " does not fit in a message of " + std::to_string(total) + " bytes");
  }
  if (headers_length > limits_.max_headers_bytes) {
    return ResourceExhaustedError("eventstream: header block of " + std::to_string(headers_length) +
                                  " bytes exceeds the limit of " + std::to_string(limits_.max_headers_bytes));
  }
  return size_t{total};
}

Status Decoder::Fail(Status status) {
  error_ = std::move(status);
  return error_;
}

Status Decoder::Feed(std::string_view data, std::vector<Message>* out) {
  if (!error_.ok()) return error_;
  for (;;) {
    if (pending_.empty()) {
      // Whole messages straight from `data`, with no copy into the buffer.
      while (data.size() >= kPreludeBytes) {
        Result<size_t> total = CheckPrelude(data);
        if (!total.ok()) return Fail(total.status());
        if (data.size() < *total) break;
        Result<Message> message = DecodeMessage(data.substr(0, *total));
        if (!message.ok()) return Fail(message.status());
        out->push_back(std::move(message).value());
        data.remove_prefix(*total);
      }
      if (data.empty()) return OkStatus();
    }
    // A message cut by the end of `data`: buffer up to the end of its prelude, then of itself.
    size_t want = expected_ != 0 ? expected_ : kPreludeBytes;
    size_t take = std::min(want - pending_.size(), data.size());
    pending_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (pending_.size() < want) return OkStatus();  // all of `data` is buffered
    if (expected_ == 0) {
      Result<size_t> total = CheckPrelude(pending_);
      if (!total.ok()) return Fail(total.status());
      expected_ = *total;
      pending_.reserve(expected_);  // bounded by limits_.max_message_bytes
      continue;
    }
    Result<Message> message = DecodeMessage(pending_);
    if (!message.ok()) return Fail(message.status());
    out->push_back(std::move(message).value());
    expected_ = 0;
    if (pending_.capacity() > kKeepBufferBytes) {
      std::string().swap(pending_);
    } else {
      pending_.clear();
    }
  }
}

Status Decoder::Finish() const {
  if (!error_.ok()) return error_;
  if (pending_.empty()) return OkStatus();
  if (expected_ == 0) {
    return InvalidArgumentError("eventstream: the stream ends inside a prelude (" + std::to_string(pending_.size()) +
                                " of " + std::to_string(kPreludeBytes) + " bytes)");
  }
  return InvalidArgumentError("eventstream: the stream ends inside a message (" + std::to_string(pending_.size()) +
                              " of " + std::to_string(expected_) + " bytes)");
}

}  // namespace zerostart::eventstream
