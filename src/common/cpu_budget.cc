#include "src/common/cpu_budget.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "src/common/split.h"

namespace zerostart {
namespace {

// cgroup v2's default period, used when cpu.max gives only a quota (kernel
// Documentation/admin-guide/cgroup-v2.rst, "cpu.max").
constexpr int64_t kDefaultPeriodUs = 100000;
// /proc files are small; a cap keeps a hostile or broken file from costing memory.
constexpr std::streamsize kMaxFileBytes = 4 << 20;

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

// The whole of `text` as a decimal int64, or nullopt.
std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::vector<std::string_view> SplitWhitespace(std::string_view s) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < s.size()) {
    const size_t begin = s.find_first_not_of(" \t\r\n", i);
    if (begin == std::string_view::npos) break;
    size_t end = s.find_first_of(" \t\r\n", begin);
    if (end == std::string_view::npos) end = s.size();
    tokens.push_back(s.substr(begin, end - begin));
    i = end;
  }
  return tokens;
}

// The file's contents, or nullopt when it cannot be read (missing, a directory, ...).
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

// `absolute` (a path starting with '/') inside the tree rooted at `root`.
std::string UnderRoot(const std::string& root, std::string_view absolute) {
  std::string out = root;
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += absolute;
  return out;
}

// mountinfo escapes space, tab, newline and backslash in paths as \ooo (octal).
std::string UnescapeMountPath(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                    s.begin() + static_cast<std::ptrdiff_t>(i) + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// True when a/b < c/d for positive values (exact: 128-bit cross products).
bool LessRatio(const CpuQuota& x, const CpuQuota& y) {
  return static_cast<__int128>(x.quota_us) * y.period_us <
         static_cast<__int128>(y.quota_us) * x.period_us;
}

void KeepTightest(std::optional<CpuQuota>& best, std::optional<CpuQuota> candidate) {
  if (candidate && (!best || LessRatio(*candidate, *best))) best = candidate;
}

enum class Hierarchy { kV2, kV1Cpu };

struct Mount {
  Hierarchy hierarchy;
  std::string root;         // the cgroup path mounted (field 4)
  std::string mount_point;  // where (field 5)
};

// The cgroup mounts of interest in mountinfo text; malformed lines are skipped.
std::vector<Mount> ParseMountInfo(std::string_view text) {
  std::vector<Mount> mounts;
  for (const std::string_view line : SplitView(text, '\n')) {
    const std::vector<std::string_view> fields = SplitWhitespace(line);
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    const auto dash = std::find(fields.begin(), fields.end(), std::string_view("-"));
    if (fields.size() < 6 || dash == fields.end() || dash - fields.begin() < 6 ||
        fields.end() - dash < 4) {
      continue;
    }
    const std::string_view fstype = dash[1];
    const std::string_view super_options = dash[3];
    Mount mount{Hierarchy::kV2, UnescapeMountPath(fields[3]), UnescapeMountPath(fields[4])};
    if (fstype == "cgroup2") {
      mounts.push_back(std::move(mount));
    } else if (fstype == "cgroup") {
      const std::vector<std::string_view> options = SplitView(super_options, ',');
      if (std::find(options.begin(), options.end(), "cpu") != options.end()) {
        mount.hierarchy = Hierarchy::kV1Cpu;
        mounts.push_back(std::move(mount));
      }
    }
  }
  return mounts;
}

// The relative part of cgroup `path` under mount root `mount_root`, "" for the root itself,
// nullopt when `path` is not under it (or climbs with "..", as outside a cgroup namespace).
std::optional<std::string> RelativeTo(std::string_view path, std::string_view mount_root) {
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

std::optional<CpuQuota> ReadQuotaFiles(Hierarchy hierarchy, const std::string& dir) {
  if (hierarchy == Hierarchy::kV2) {
    const std::optional<std::string> max = ReadSmallFile(dir + "/cpu.max");
    return max ? ParseCpuMax(*max) : std::nullopt;
  }
  const std::optional<std::string> quota = ReadSmallFile(dir + "/cpu.cfs_quota_us");
  const std::optional<std::string> period = ReadSmallFile(dir + "/cpu.cfs_period_us");
  return quota && period ? ParseCfsQuota(*quota, *period) : std::nullopt;
}

// The tightest quota from the group `relative` (under `mount`) up to the mount point.
std::optional<CpuQuota> QuotaAlongPath(const std::string& root, const Mount& mount,
                                       std::string relative) {
  const std::string base = UnderRoot(root, mount.mount_point);
  std::optional<CpuQuota> best;
  while (true) {
    KeepTightest(best, ReadQuotaFiles(mount.hierarchy, base + relative));
    if (relative.empty()) return best;
    relative.resize(relative.rfind('/'));
  }
}

}  // namespace

int64_t CpuQuota::WholeCpus() const {
  if (quota_us <= 0 || period_us <= 0) return 1;
  return std::max<int64_t>(1, quota_us / period_us + (quota_us % period_us != 0 ? 1 : 0));
}

int ThreadsFor(std::optional<int64_t> memory_mb, std::optional<CpuQuota> quota, int visible_cpus) {
  int64_t limit = std::max(1, visible_cpus);
  if (quota) limit = std::min(limit, quota->WholeCpus());
  if (memory_mb && *memory_mb > 0) {
    const int64_t per_vcpu = lambda::kMemoryMbPerVcpu;
    limit = std::min(limit, *memory_mb / per_vcpu + (*memory_mb % per_vcpu != 0 ? 1 : 0));
  }
  return static_cast<int>(std::max<int64_t>(1, limit));
}

std::optional<int64_t> MemoryMbFromEnv(const EnvMap& env) {
  const std::optional<std::string> value = EnvGet(env, lambda::kMemorySizeEnv);
  if (!value) return std::nullopt;
  const std::optional<int64_t> mb = ParseInt(Trim(*value));
  if (!mb || *mb <= 0) return std::nullopt;
  return mb;
}

std::optional<CpuQuota> ParseCpuMax(std::string_view text) {
  const std::vector<std::string_view> tokens = SplitWhitespace(text);
  if (tokens.empty() || tokens.size() > 2 || tokens[0] == "max") return std::nullopt;
  const std::optional<int64_t> quota = ParseInt(tokens[0]);
  const std::optional<int64_t> period =
      tokens.size() == 2 ? ParseInt(tokens[1]) : std::optional<int64_t>(kDefaultPeriodUs);
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return CpuQuota{*quota, *period};
}

std::optional<CpuQuota> ParseCfsQuota(std::string_view quota_text, std::string_view period_text) {
  const std::optional<int64_t> quota = ParseInt(Trim(quota_text));
  const std::optional<int64_t> period = ParseInt(Trim(period_text));
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return CpuQuota{*quota, *period};
}

std::optional<CpuQuota> ReadCgroupCpuQuota(const std::string& root) {
  const std::optional<std::string> cgroup = ReadSmallFile(UnderRoot(root, "/proc/self/cgroup"));
  const std::optional<std::string> mountinfo =
      ReadSmallFile(UnderRoot(root, "/proc/self/mountinfo"));
  if (!cgroup || !mountinfo) return std::nullopt;
  const std::vector<Mount> mounts = ParseMountInfo(*mountinfo);

  std::optional<CpuQuota> best;
  for (const std::string_view line : SplitView(*cgroup, '\n')) {
    // hierarchy-id:controllers:path (the path may itself contain ':').
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, first);
    const std::vector<std::string_view> controllers =
        SplitView(line.substr(first + 1, second - first - 1), ',');
    const std::string_view path = Trim(line.substr(second + 1));
    Hierarchy hierarchy;
    if (id == "0" && controllers.size() == 1 && controllers[0].empty()) {
      hierarchy = Hierarchy::kV2;
    } else if (std::find(controllers.begin(), controllers.end(), "cpu") != controllers.end()) {
      hierarchy = Hierarchy::kV1Cpu;
    } else {
      continue;
    }
    for (const Mount& mount : mounts) {
      if (mount.hierarchy != hierarchy) continue;
      // A path outside the mount's root (another namespace's view): only the mount point's
      // own files can be read.
      const std::string relative = RelativeTo(path, mount.root).value_or("");
      KeepTightest(best, QuotaAlongPath(root, mount, relative));
    }
  }
  return best;
}

int VisibleCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
  // More CPUs than a cpu_set_t holds, or no affinity support: what is online.
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 && online < std::numeric_limits<int>::max() ? static_cast<int>(online) : 1;
}

CpuBudget ReadCpuBudget(const EnvMap& env, const std::string& root) {
  CpuBudget budget;
  budget.memory_mb = MemoryMbFromEnv(env);
  budget.quota = ReadCgroupCpuQuota(root);
  budget.visible_cpus = VisibleCpus();
  budget.threads = ThreadsFor(budget.memory_mb, budget.quota, budget.visible_cpus);
  return budget;
}

}  // namespace zerostart
