// Character classes of RFC 9110 §5.6 used by the parser and the serialiser (internal).
#ifndef ZEROSTART_SRC_HTTP_CHARS_H_
#define ZEROSTART_SRC_HTTP_CHARS_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace zerostart::http::chars {

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
//         "~" / DIGIT / ALPHA
inline constexpr std::array<bool, 256> kToken = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<unsigned>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<unsigned>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<unsigned>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// field-vchar / SP / HTAB, obs-text allowed: everything but control bytes (HTAB excepted).
inline constexpr std::array<bool, 256> kField = [] {
  std::array<bool, 256> table{};
  for (unsigned c = 0x20; c < 256; ++c) table[c] = c != 0x7F;
  table['\t'] = true;
  return table;
}();

inline bool IsToken(char c) { return kToken[static_cast<unsigned char>(c)]; }
inline bool IsFieldChar(char c) { return kField[static_cast<unsigned char>(c)]; }

// Whole-string checks as plain loops over the tables (hot: every header byte goes through them).
inline bool AllToken(std::string_view text) {
  bool ok = true;
  for (char c : text) ok &= kToken[static_cast<unsigned char>(c)];
  return ok;
}
// Eight bytes at a time: a word passes at once unless it holds a byte < 0x20 or == 0x7F
// (exact tests, "Bit Twiddling Hacks": hasless / haszero); only such words (a tab, or a real
// control byte) are looked at byte by byte.
inline bool AllFieldChars(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    uint64_t del = word ^ (kOnes * 0x7F);
    bool suspicious = (((word - kOnes * 0x20) & ~word) | ((del - kOnes) & ~del)) & kHighs;
    if (suspicious) {
      for (size_t j = i; j < i + 8; ++j) {
        if (!kField[static_cast<unsigned char>(text[j])]) return false;
      }
    }
  }
  bool ok = true;
  for (; i < text.size(); ++i) ok &= kField[static_cast<unsigned char>(text[i])];
  return ok;
}

inline bool IsSpaceOrTab(char c) { return c == ' ' || c == '\t'; }

}  // namespace zerostart::http::chars

#endif  // ZEROSTART_SRC_HTTP_CHARS_H_
