#include "bench/proc_stats.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace zerostart::bench {

std::string ReadProcFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uint64_t CpuTicks(pid_t pid) {
  const std::string text = ReadProcFile("/proc/" + std::to_string(pid) + "/stat");
  // The command name in parentheses may hold spaces or parentheses itself: fields start after
  // the last ')'.
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  uint64_t ticks = 0;
  for (int i = 3; fields >> field && i <= 15; ++i) {  // field 3 is the state; 14 utime, 15 stime
    if (i >= 14) ticks += std::strtoull(field.c_str(), nullptr, 10);
  }
  return ticks;
}

std::vector<pid_t> Children(pid_t pid) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    std::ifstream in(task.path() / "children");
    long child = 0;
    while (in >> child) children.push_back(static_cast<pid_t>(child));
  }
  return children;
}

uint64_t StatusField(pid_t pid, std::string_view name) {
  std::istringstream lines(ReadProcFile("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ':') {
      return std::strtoull(line.c_str() + name.size() + 1, nullptr, 10);
    }
  }
  return 0;
}

size_t OpenFds(pid_t pid) {
  std::error_code error;
  size_t count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

}  // namespace zerostart::bench
