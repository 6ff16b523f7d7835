#include "src/common/cgroup_fs.h"

#include <algorithm>
#include <fstream>

#include "src/common/split.h"

namespace zerostart {
namespace {

// /proc and cgroup files are small; a cap keeps a hostile or broken file from costing memory.
constexpr std::streamsize kMaxFileBytes = 4 << 20;

// mountinfo escapes space, tab, newline and backslash in paths as \ooo (octal).
std::string UnescapeMountPath(std::string_view s) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out += static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

bool CgroupMount::Has(std::string_view controller) const {
  return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

bool CgroupMembership::Has(std::string_view controller) const {
  return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

std::vector<CgroupMount> ParseCgroupMounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  for (const std::string_view line : SplitView(mountinfo, '\n')) {
    const std::vector<std::string_view> fields = SplitWhitespace(line);
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    const auto dash = std::find(fields.begin(), fields.end(), std::string_view("-"));
    if (fields.size() < 6 || dash == fields.end() || dash - fields.begin() < 6 ||
        fields.end() - dash < 4) {
      continue;
    }
    CgroupMount mount;
    if (dash[1] == "cgroup2") {
      mount.v2 = true;
    } else if (dash[1] == "cgroup") {
      for (const std::string_view option : SplitView(dash[3], ',')) mount.controllers.emplace_back(option);
    } else {
      continue;
    }
    mount.root = UnescapeMountPath(fields[3]);
    mount.mount_point = UnescapeMountPath(fields[4]);
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

std::vector<CgroupMembership> ParseProcCgroup(std::string_view text) {
  std::vector<CgroupMembership> memberships;
  for (const std::string_view line : SplitView(text, '\n')) {
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::vector<std::string_view> controllers =
        SplitView(line.substr(first + 1, second - first - 1), ',');
    CgroupMembership membership;
    membership.v2 = line.substr(0, first) == "0" && controllers.size() == 1 && controllers[0].empty();
    if (!membership.v2) membership.controllers.assign(controllers.begin(), controllers.end());
    membership.path = std::string(TrimView(line.substr(second + 1)));
    memberships.push_back(std::move(membership));
  }
  return memberships;
}

std::optional<std::string> PathUnderMount(std::string_view path, std::string_view mount_root) {
  if (path.find("/..") != std::string_view::npos || path.empty() || path[0] != '/') {
    return std::nullopt;
  }
  while (mount_root.size() > 1 && mount_root.back() == '/') mount_root.remove_suffix(1);
  if (mount_root == "/") return std::string(path == "/" ? "" : path);
  if (path == mount_root) return std::string();
  if (path.starts_with(mount_root) && path[mount_root.size()] == '/') {
    return std::string(path.substr(mount_root.size()));
  }
  return std::nullopt;
}

std::optional<std::string> CgroupDir(const std::string& root, const CgroupMount& mount,
                                     std::string_view path) {
  const std::optional<std::string> relative = PathUnderMount(path, mount.root);
  if (!relative) return std::nullopt;
  return UnderRoot(root, mount.mount_point) + *relative;
}

std::string UnderRoot(const std::string& root, std::string_view absolute) {
  std::string out = root;
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += absolute;
  return out;
}

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (static_cast<std::streamsize>(text.size()) > kMaxFileBytes) return std::nullopt;
  }
  if (in.bad()) return std::nullopt;
  return text;
}

}  // namespace zerostart
