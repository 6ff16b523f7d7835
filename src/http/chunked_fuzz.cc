// libFuzzer target for the chunked coding: whatever chunks and trailers the input describes,
// what ChunkedWriter's encoding produces must decode (in random splits, the body taken as it
// streams) to exactly those chunks and trailers.
//
// Input layout: bytes 0-3 = seed for the split points; the rest is cut into chunks at every
// 0xFF byte; a chunk starting with 0xFE is a trailer instead ("name:value", cleaned the way the
// writer cleans it).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/http/chars.h"
#include "src/http/chunked.h"
#include "src/http/parser.h"

namespace zerostart::http {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// What the parser will hand back for a trailer the writer sent: name bytes outside the token
// set become '_', value control bytes become ' ', the value is trimmed.
std::string CleanName(std::string_view name) {
  std::string out;
  for (char c : name) out.push_back(chars::IsToken(c) ? c : '_');
  return out;
}

std::string CleanValue(std::string_view value) {
  std::string out;
  for (char c : value) out.push_back(chars::IsFieldChar(c) ? c : ' ');
  size_t begin = out.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = out.find_last_not_of(" \t");
  return out.substr(begin, end - begin + 1);
}

}  // namespace
}  // namespace zerostart::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zerostart::http;
  if (size < 4) return 0;
  uint32_t rng = static_cast<uint32_t>(data[0]) | static_cast<uint32_t>(data[1]) << 8 |
                 static_cast<uint32_t>(data[2]) << 16 | static_cast<uint32_t>(data[3]) << 24;
  std::string_view rest(reinterpret_cast<const char*>(data) + 4, size - 4);
  std::vector<std::string_view> pieces;
  for (;;) {
    size_t cut = rest.find('\xFF');
    pieces.push_back(rest.substr(0, cut));
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  std::string wire = "POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string body;
  Headers trailers;
  Headers expected_trailers;
  for (std::string_view piece : pieces) {
    if (!piece.empty() && piece[0] == '\xFE') {
      std::string_view field = piece.substr(1);
      size_t colon = field.find(':');
      std::string_view name = field.substr(0, colon);
      std::string_view value = colon == std::string_view::npos ? "" : field.substr(colon + 1);
      if (name.empty()) continue;  // the writer skips these
      trailers.Add(std::string(name), std::string(value));
      expected_trailers.Add(CleanName(name), CleanValue(value));
    } else {
      AppendChunk(piece, &wire);
      body.append(piece);
    }
  }
  AppendLastChunk(trailers, &wire);
  if (expected_trailers.entries().size() > Limits{}.max_header_count) return 0;
  size_t trailer_bytes = wire.size() - wire.rfind("0\r\n");
  if (trailer_bytes > Limits{}.max_head_bytes) return 0;

  Parser parser(Parser::Kind::kRequest);
  std::string streamed;
  std::string_view left(wire);
  while (!left.empty()) {
    rng = rng * 1103515245u + 12345u;
    size_t n = std::min<size_t>(left.size(), 1 + (rng >> 16) % 64);
    std::string_view piece = left.substr(0, n);
    auto used = parser.Feed(piece);
    Check(used.ok());
    parser.TakeBodyBytes(&streamed);
    left.remove_prefix(*used);
    if (parser.done()) break;
  }
  Check(parser.done() && left.empty());
  Request request = parser.TakeRequest();
  Check(streamed + request.body == body);
  Check(request.trailers.entries().size() == expected_trailers.entries().size());
  for (size_t i = 0; i < request.trailers.entries().size(); ++i) {
    Check(request.trailers.entries()[i].name == expected_trailers.entries()[i].name);
    Check(request.trailers.entries()[i].value == expected_trailers.entries()[i].value);
  }
  return 0;
}
