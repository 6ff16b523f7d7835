// libFuzzer target for the event-stream encoder and decoder together: the input describes a
// few messages (headers of every value type, payloads), they are encoded with AppendHeaders and
// FrameEncodedHeaders, and the encoding must decode, whole and in random pieces, to exactly
// those messages. Then one byte of the stream is changed: the CRCs must make the decoder
// refuse it (CRC-32 detects every error burst of up to 32 bits), handing back at most the
// messages before the changed one.
//
// Input layout: bytes 0-3 = seed for the split points and the changed byte; then messages, each
//   u8 header count (mod 8), then per header: u8 name length (0 reads as 1), the name, u8 type
//   (mod 10: the HeaderType values), the value (fixed-size types take their width; byte arrays
//   and strings a u16 length and the bytes); then u16 payload length and the payload.
// A field cut by the end of the input is taken as far as it goes (zero-filled numbers).
// Run: make fuzz (corpus: tests/testdata/eventstream_roundtrip_corpus); make test replays it.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "src/eventstream/decoder.h"
#include "src/eventstream/message.h"

namespace zerostart::eventstream {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Reads the input front to back; past its end, bytes read as zero and strings as empty.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool empty() const { return bytes_.empty(); }

  std::string Bytes(size_t n) {
    n = std::min(n, bytes_.size());
    std::string out(bytes_.substr(0, n));
    bytes_.remove_prefix(n);
    return out;
  }

  template <typename T>
  T Unsigned() {
    T value = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      uint8_t byte = 0;
      if (!bytes_.empty()) {
        byte = static_cast<uint8_t>(bytes_[0]);
        bytes_.remove_prefix(1);
      }
      value = static_cast<T>((value << 8) | byte);
    }
    return value;
  }

 private:
  std::string_view bytes_;
};

HeaderValue ReadValue(uint8_t type, Reader* in) {
  switch (static_cast<HeaderType>(type)) {
    case HeaderType::kBoolTrue:
      return true;
    case HeaderType::kBoolFalse:
      return false;
    case HeaderType::kByte:
      return static_cast<int8_t>(in->Unsigned<uint8_t>());
    case HeaderType::kShort:
      return static_cast<int16_t>(in->Unsigned<uint16_t>());
    case HeaderType::kInteger:
      return static_cast<int32_t>(in->Unsigned<uint32_t>());
    case HeaderType::kLong:
      return static_cast<int64_t>(in->Unsigned<uint64_t>());
    case HeaderType::kByteArray:
      return ByteArray{in->Bytes(in->Unsigned<uint16_t>())};
    case HeaderType::kString:
      return in->Bytes(in->Unsigned<uint16_t>());
    case HeaderType::kTimestamp:
      return Timestamp{static_cast<int64_t>(in->Unsigned<uint64_t>())};
    case HeaderType::kUuid: {
      Uuid uuid{};
      std::string bytes = in->Bytes(uuid.size());
      std::copy(bytes.begin(), bytes.end(), uuid.begin());
      return uuid;
    }
  }
  return false;  // unreachable: type < 10
}

Message ReadMessage(Reader* in) {
  Message message;
  size_t count = in->Unsigned<uint8_t>() % 8;
  for (size_t i = 0; i < count; ++i) {
    std::string name = in->Bytes(std::max<size_t>(1, in->Unsigned<uint8_t>()));
    if (name.empty()) name = "n";
    uint8_t type = in->Unsigned<uint8_t>() % 10;
    message.headers.push_back(Header{std::move(name), ReadValue(type, in)});
  }
  message.payload = in->Bytes(in->Unsigned<uint16_t>());
  return message;
}

uint32_t Next(uint32_t* rng) {
  *rng ^= *rng << 13;  // xorshift32
  *rng ^= *rng >> 17;
  *rng ^= *rng << 5;
  return *rng;
}

// Decodes `stream` in pieces (seed 0: one Feed) and returns the status Feed or Finish ended in.
Status Decode(std::string_view stream, uint32_t seed, std::vector<Message>* out) {
  Decoder decoder;
  uint32_t rng = seed;
  while (!stream.empty()) {
    size_t n = stream.size();
    if (seed != 0) n = std::min<size_t>(n, 1 + Next(&rng) % ((rng >> 8) & 1 ? 4 : 131));
    Status status = decoder.Feed(stream.substr(0, n), out);
    if (!status.ok()) return status;
    stream.remove_prefix(n);
  }
  return decoder.Finish();
}

}  // namespace
}  // namespace zerostart::eventstream

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zerostart::eventstream;
  if (size < 4) return 0;
  uint32_t seed;
  std::memcpy(&seed, data, sizeof(seed));
  Reader in(std::string_view(reinterpret_cast<const char*>(data) + 4, size - 4));
  std::vector<Message> messages;
  std::vector<size_t> ends;  // where each message ends in the stream
  std::string stream;
  while (!in.empty() && messages.size() < 16) {
    Message m = ReadMessage(&in);
    std::string block;
    AppendHeaders(m.headers, &block);
    if (block.size() > DecoderLimits{}.max_headers_bytes) break;  // the decoder would refuse it
    std::string head;
    std::array<char, kMessageCrcBytes> tail;
    FrameEncodedHeaders(block, m.payload, &head, &tail);
    Check(head.size() == kPreludeBytes + block.size());
    stream += head;
    stream += m.payload;
    stream.append(tail.data(), tail.size());
    ends.push_back(stream.size());
    messages.push_back(std::move(m));
  }

  std::vector<Message> whole;
  Check(Decode(stream, 0, &whole).ok());
  Check(whole == messages);
  std::vector<Message> split;
  Check(Decode(stream, seed | 1, &split).ok());
  Check(split == messages);

  if (stream.empty()) return 0;
  uint32_t rng = seed | 1;
  size_t at = Next(&rng) % stream.size();
  stream[at] = static_cast<char>(stream[at] ^ (1 + Next(&rng) % 255));
  std::vector<Message> corrupted;
  zerostart::Status status = Decode(stream, 0, &corrupted);
  Check(status.code() == zerostart::StatusCode::kInvalidArgument ||
        status.code() == zerostart::StatusCode::kResourceExhausted);
  // The messages wholly before the changed byte come out, unchanged, and no others.
  auto intact = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), at) -
                                    ends.begin());
  Check(corrupted.size() == intact);
  Check(std::equal(corrupted.begin(), corrupted.end(), messages.begin()));
  return 0;
}
