#include "src/go1x/stream_reader.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "src/common/net.h"

namespace zerostart::go1x {
namespace {
// The smallest read(2): enough for many small calls at once. When a large message is in
// progress the read asks for all of its missing bytes (up to kMaxRead), so a 1 MiB payload
// takes as few reads as the socket allows.
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxRead = 8 * 1024 * 1024;
}  // namespace

GobStreamReader::GobStreamReader(int fd, gob::DecoderOptions options) : fd_(fd), decoder_(options) {}

Result<std::optional<gob::Value>> GobStreamReader::Next() {
  for (;;) {
    ZS_ASSIGN_OR_RETURN(std::optional<gob::Value> value, decoder_.Next());
    if (value.has_value()) return value;
    // Read straight into the decoder's buffer: no intermediate copy.
    size_t want = std::clamp(decoder_.missing(), kReadChunk, kMaxRead);
    char* room = decoder_.PrepareAppend(want);
    ZS_ASSIGN_OR_RETURN(size_t n, net::ReadSome(fd_, room, want));
    if (n == 0) {
      if (decoder_.buffered() == 0) return std::optional<gob::Value>();
      return UnavailableError("gob stream: connection closed inside a message (" +
                              std::to_string(decoder_.buffered()) + " bytes of it received)");
    }
    decoder_.CommitAppend(n);
  }
}

}  // namespace zerostart::go1x
