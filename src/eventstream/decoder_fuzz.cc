// libFuzzer target for the event-stream Decoder. Besides "never crashes, never allocates
// without bound", it checks that the outcome does not depend on how the bytes arrive: the
// stream is fed once whole and once in random pieces (as a socket delivers it), and both must
// yield the same messages and end in the same status.
//
// Input layout: byte 0 = flags (bit 0: tiny limits), bytes 1-4 = seed for the split points,
// the rest = the event stream.
// Run: make fuzz (corpus: tests/testdata/eventstream_corpus); make test replays that corpus.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "src/eventstream/decoder.h"

namespace zerostart::eventstream {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void DescribeValue(const HeaderValue& value, std::string* out) {
  *out += std::to_string(static_cast<int>(TypeOf(value))) + "=";
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ByteArray>) {
          *out += v.bytes;
        } else if constexpr (std::is_same_v<T, std::string>) {
          *out += v;
        } else if constexpr (std::is_same_v<T, Timestamp>) {
          *out += std::to_string(v.millis_since_epoch);
        } else if constexpr (std::is_same_v<T, Uuid>) {
          out->append(reinterpret_cast<const char*>(v.data()), v.size());
        } else {
          *out += std::to_string(v);
        }
      },
      value);
}

// Everything the decode produced, as one string. seed 0 = the whole input in one Feed.
std::string Decode(std::string_view input, const DecoderLimits& limits, uint32_t seed) {
  std::string trace;
  Decoder decoder(limits);
  std::vector<Message> messages;
  auto describe = [&] {
    for (const Message& m : messages) {
      Check(m.payload.size() + kMinMessageBytes <= limits.max_message_bytes);
      for (const Header& h : m.headers) {
        Check(!h.name.empty());
        trace += h.name;
        trace += '\0';
        DescribeValue(h.value, &trace);
        trace += '\0';
      }
      trace += std::to_string(m.payload.size()) + ":" + m.payload + "\n";
    }
    messages.clear();
  };
  uint32_t rng = seed;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t n = input.size() - pos;
    if (seed != 0) {
      rng ^= rng << 13;  // xorshift32
      rng ^= rng >> 17;
      rng ^= rng << 5;
      n = std::min<size_t>(n, 1 + rng % ((rng >> 8) & 1 ? 4 : 97));
    }
    Status status = decoder.Feed(input.substr(pos, n), &messages);
    pos += n;
    describe();
    if (!status.ok()) {
      Check(status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kResourceExhausted);
      Check(decoder.Finish() == status);  // errors are sticky
      std::vector<Message> more;
      Check(decoder.Feed("x", &more) == status && more.empty());
      return trace + status.ToString();
    }
  }
  return trace + decoder.Finish().ToString();
}

}  // namespace
}  // namespace zerostart::eventstream

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using zerostart::eventstream::Check;
  using zerostart::eventstream::Decode;
  if (size < 5) return 0;
  uint8_t flags = data[0];
  uint32_t seed;
  std::memcpy(&seed, data + 1, sizeof(seed));
  std::string_view input(reinterpret_cast<const char*>(data + 5), size - 5);
  zerostart::eventstream::DecoderLimits limits;
  limits.max_message_bytes = size_t{1} << 20;  // keep hostile lengths cheap for the fuzzer
  if (flags & 1) limits = {.max_message_bytes = 256, .max_headers_bytes = 64};
  std::string whole = Decode(input, limits, 0);
  std::string split = Decode(input, limits, seed | 1);
  Check(whole == split);
  return 0;
}
