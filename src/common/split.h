// SplitView: the pieces of a text between separators, as views into it (no copies): the
// line-and-field parsing of /proc and cgroup files (cpu_budget, the emulator's cgroup limits).
//   SplitView("a,,b", ',') == {"a", "", "b"};  SplitView("", ',') == {""}
// Thread safety: pure function. The views point into `text`, which must outlive them.
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

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_SPLIT_H_
