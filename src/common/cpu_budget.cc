#include "src/common/cpu_budget.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

#include "src/common/cgroup_fs.h"
#include "src/common/lambda_protocol.h"
#include "src/common/split.h"

namespace zerostart {
namespace {

// cgroup v2's default period, used when cpu.max gives only a quota (kernel
// Documentation/admin-guide/cgroup-v2.rst, "cpu.max").
constexpr int64_t kDefaultPeriodUs = 100000;

// The whole of `text` as a decimal int64, or nullopt.
std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// True when a/b < c/d for positive values (exact: 128-bit cross products).
bool LessRatio(const CpuQuota& x, const CpuQuota& y) {
  return static_cast<__int128>(x.quota_us) * y.period_us <
         static_cast<__int128>(y.quota_us) * x.period_us;
}

void KeepTightest(std::optional<CpuQuota>& best, std::optional<CpuQuota> candidate) {
  if (candidate && (!best || LessRatio(*candidate, *best))) best = candidate;
}

std::optional<CpuQuota> ReadQuotaFiles(bool v2, const std::string& dir) {
  if (v2) {
    const std::optional<std::string> max = ReadSmallFile(dir + "/cpu.max");
    return max ? ParseCpuMax(*max) : std::nullopt;
  }
  const std::optional<std::string> quota = ReadSmallFile(dir + "/cpu.cfs_quota_us");
  const std::optional<std::string> period = ReadSmallFile(dir + "/cpu.cfs_period_us");
  return quota && period ? ParseCfsQuota(*quota, *period) : std::nullopt;
}

// The tightest quota from the group `relative` (under `mount`) up to the mount point.
std::optional<CpuQuota> QuotaAlongPath(const std::string& root, const CgroupMount& mount,
                                       std::string relative) {
  const std::string base = UnderRoot(root, mount.mount_point);
  std::optional<CpuQuota> best;
  while (true) {
    KeepTightest(best, ReadQuotaFiles(mount.v2, base + relative));
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
  const std::optional<int64_t> mb = ParseInt(TrimView(*value));
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
  const std::optional<int64_t> quota = ParseInt(TrimView(quota_text));
  const std::optional<int64_t> period = ParseInt(TrimView(period_text));
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return CpuQuota{*quota, *period};
}

std::optional<CpuQuota> ReadCgroupCpuQuota(const std::string& root) {
  const std::optional<std::string> cgroup = ReadSmallFile(UnderRoot(root, "/proc/self/cgroup"));
  const std::optional<std::string> mountinfo =
      ReadSmallFile(UnderRoot(root, "/proc/self/mountinfo"));
  if (!cgroup || !mountinfo) return std::nullopt;
  const std::vector<CgroupMount> mounts = ParseCgroupMounts(*mountinfo);

  std::optional<CpuQuota> best;
  for (const CgroupMembership& membership : ParseProcCgroup(*cgroup)) {
    if (!membership.v2 && !membership.Has("cpu")) continue;
    for (const CgroupMount& mount : mounts) {
      if (mount.v2 != membership.v2 || (!mount.v2 && !mount.Has("cpu"))) continue;
      // A path outside the mount's root (another namespace's view): only the mount point's
      // own files can be read.
      const std::string relative = PathUnderMount(membership.path, mount.root).value_or("");
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
