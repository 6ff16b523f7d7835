// Views into a text, no copies: the line-and-field parsing of /proc and cgroup files
// (cgroup_fs, cpu_budget, the emulator's cgroup limits).
//   SplitView("a,,b", ',') == {"a", "", "b"};  SplitView("", ',') == {""}
//   SplitWhitespace(" a\tb  c\n") == {"a", "b", "c"};  TrimView(" a b\n") == "a b"
// Thread safety: pure functions. The views point into `text`, which must outlive them.
#ifndef ZEROSTART_SRC_COMMON_SPLIT_H_
#define ZEROSTART_SRC_COMMON_SPLIT_H_

#include <string_view>
#include <vector>

namespace zerostart {

inline std::vector<std::string_view> SplitView(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t begin = 0;
  while (true) {
    const size_t end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) return parts;
    begin = end + 1;
  }
}

// The runs of non-whitespace (space, tab, CR, LF) in `text`.
inline std::vector<std::string_view> SplitWhitespace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const size_t begin = text.find_first_not_of(kSpace, i);
    if (begin == std::string_view::npos) break;
    size_t end = text.find_first_of(kSpace, begin);
    if (end == std::string_view::npos) end = text.size();
    tokens.push_back(text.substr(begin, end - begin));
    i = end;
  }
  return tokens;
}

// `text` without leading and trailing whitespace (space, tab, CR, LF).
inline std::string_view TrimView(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_SPLIT_H_
