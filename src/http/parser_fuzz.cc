// libFuzzer target for the HTTP parser (both kinds). Besides "never crashes", it checks that
// the outcome does not depend on how the bytes are split: the input is parsed once in a single
// Feed and once in random pieces, and the messages and final status must be identical.
//
// Input layout: byte 0 = flags (bit 0: response, bit 1: ExpectNoBody, bit 2: tiny limits),
// bytes 1-4 = seed for the split points, the rest = the HTTP stream.
// Run: zs_http_parser_fuzz -dict=src/http/parser_fuzz.dict tests/testdata/http_corpus
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "src/http/chars.h"
#include "src/http/parser.h"

namespace zerostart::http {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void DescribeFields(const Headers& fields, std::string* out) {
  for (const Header& h : fields.entries()) {
    *out += h.name;
    *out += '\0';
    *out += h.value;
    *out += '\0';
  }
}

// A message's headers, body and trailers (a chunked body's; Lambda's streaming errors travel
// in response trailers).
void Describe(const Headers& headers, const std::string& body, const Headers& trailers,
              std::string* out) {
  DescribeFields(headers, out);
  *out += std::to_string(body.size()) + ":" + body + "\n";
  DescribeFields(trailers, out);
  *out += "\n";
}

// Everything the parse produced, as one string. seed 0 = the whole input in one Feed.
std::string Parse(Parser::Kind kind, std::string_view input, const Limits& limits, bool no_body,
                  uint32_t seed) {
  std::string trace;
  Parser parser(kind, limits);
  if (no_body) parser.ExpectNoBody();
  auto take = [&] {
    if (kind == Parser::Kind::kRequest) {
      Request r = parser.TakeRequest();
      Check(r.body.size() <= limits.max_body_bytes);
      Check(r.headers.entries().size() <= limits.max_header_count);
      Check(r.trailers.entries().size() <= limits.max_header_count);
      trace += r.method + " " + r.target + "\n";
      Describe(r.headers, r.body, r.trailers, &trace);
    } else {
      Response r = parser.TakeResponse();
      Check(r.status >= 100 && r.status <= 999);
      Check(r.body.size() <= limits.max_body_bytes);
      Check(r.trailers.entries().size() <= limits.max_header_count);
      trace += std::to_string(r.status) + " " + r.reason + "\n";
      Describe(r.headers, r.body, r.trailers, &trace);
    }
    Check(!parser.started() && !parser.done() && !parser.head_complete());
    if (no_body) parser.ExpectNoBody();
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
    std::string_view piece = input.substr(pos, n);
    pos += n;
    while (!piece.empty()) {
      Result<size_t> used = parser.Feed(piece);
      if (!used.ok()) {
        Check(used.status().code() == StatusCode::kInvalidArgument ||
              used.status().code() == StatusCode::kResourceExhausted);
        return trace + used.status().ToString();
      }
      Check(*used <= piece.size());
      Check(*used == piece.size() || parser.done());  // stops early only at a message end
      piece.remove_prefix(*used);
      if (parser.done()) take();
    }
  }
  Status eof = parser.FinishAtEof();
  if (eof.ok()) take();
  return trace + eof.ToString();
}

}  // namespace
}  // namespace zerostart::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using zerostart::http::Parser;
  if (size < 5) return 0;
  uint8_t flags = data[0];
  uint32_t seed;
  std::memcpy(&seed, data + 1, sizeof(seed));
  std::string_view input(reinterpret_cast<const char*>(data + 5), size - 5);
  Parser::Kind kind = (flags & 1) ? Parser::Kind::kResponse : Parser::Kind::kRequest;
  bool no_body = (flags & 2) != 0;
  zerostart::http::Limits limits;
  if (flags & 4) limits = {.max_head_bytes = 64, .max_header_count = 3, .max_body_bytes = 16};
  // The word-at-a-time character check must agree with the byte table.
  bool all_field = true;
  for (char c : input) all_field &= zerostart::http::chars::IsFieldChar(c);
  zerostart::http::Check(zerostart::http::chars::AllFieldChars(input) == all_field);
  std::string whole = zerostart::http::Parse(kind, input, limits, no_body, 0);
  std::string split = zerostart::http::Parse(kind, input, limits, no_body, seed | 1);
  zerostart::http::Check(whole == split);
  return 0;
}
