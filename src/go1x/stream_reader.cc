#include "src/go1x/stream_reader.h"

#include <string_view>
#include <utility>

#include "src/common/net.h"

namespace zerostart::go1x {
namespace {
// One read(2) per 64 KiB: large enough that a 6 MiB payload takes ~100 reads, small enough
// to keep per-connection memory modest.
constexpr size_t kReadChunk = 64 * 1024;
}  // namespace

GobStreamReader::GobStreamReader(int fd, gob::DecoderOptions options)
    : fd_(fd), decoder_(options), buffer_(kReadChunk, '\0') {}

Result<std::optional<gob::Value>> GobStreamReader::Next() {
  for (;;) {
    ZS_ASSIGN_OR_RETURN(std::optional<gob::Value> value, decoder_.Next());
    if (value.has_value()) return value;
    ZS_ASSIGN_OR_RETURN(size_t n, net::ReadSome(fd_, buffer_.data(), buffer_.size()));
    if (n == 0) {
      if (decoder_.buffered() == 0) return std::optional<gob::Value>();
      return UnavailableError("gob stream: connection closed inside a message (" +
                              std::to_string(decoder_.buffered()) + " bytes of it received)");
    }
    decoder_.Append(std::string_view(buffer_.data(), n));
  }
}

}  // namespace zerostart::go1x
