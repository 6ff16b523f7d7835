// libFuzzer target for the Gob stream decoder. Besides "never crashes, never allocates without
// bound", it checks that the outcome does not depend on how the bytes arrive: the stream is
// decoded once appended whole and once appended in random pieces (as a socket delivers it), and
// both must yield the same number of values and end in the same status.
//
// Input layout: bytes 0-3 = seed for the split points, the rest = the gob stream.
// Run: make fuzz (corpus: tests/testdata/gob_corpus, the vectors of tests/testdata/gob behind a
// zero seed); make test replays that corpus.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "src/gob/decoder.h"

namespace zerostart::gob {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

struct Outcome {
  size_t values = 0;
  Status status;
};

// Drains every complete value; stops at the first error (errors are sticky).
bool Drain(Decoder& decoder, Outcome* out) {
  for (;;) {
    Result<std::optional<Value>> next = decoder.Next();
    if (!next.ok()) {
      out->status = next.status();
      return false;
    }
    if (!next->has_value()) return true;
    ++out->values;
  }
}

Outcome DecodeWhole(std::string_view stream) {
  DecoderOptions options;
  options.max_message_bytes = 1 << 20;  // keep hostile lengths cheap for the fuzzer
  Decoder decoder(options);
  Outcome out;
  decoder.Append(stream);
  Drain(decoder, &out);
  return out;
}

Outcome DecodeSplit(std::string_view stream, uint32_t seed) {
  DecoderOptions options;
  options.max_message_bytes = 1 << 20;
  Decoder decoder(options);
  Outcome out;
  size_t pos = 0;
  while (pos < stream.size()) {
    seed = seed * 1664525u + 1013904223u;  // LCG: deterministic piece sizes from the seed
    size_t piece = 1 + (seed >> 16) % 17;
    if (piece > stream.size() - pos) piece = stream.size() - pos;
    decoder.Append(stream.substr(pos, piece));
    pos += piece;
    if (!Drain(decoder, &out)) return out;
  }
  return out;
}

}  // namespace
}  // namespace zerostart::gob

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zerostart::gob;
  if (size < 4) return 0;
  uint32_t seed;
  std::memcpy(&seed, data, 4);
  std::string_view stream(reinterpret_cast<const char*>(data + 4), size - 4);
  Outcome whole = DecodeWhole(stream);
  Outcome split = DecodeSplit(stream, seed);
  Check(whole.values == split.values);
  Check(whole.status.code() == split.status.code());
  return 0;
}
