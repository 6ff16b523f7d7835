#include "src/emulator/cgroup_limits.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <sstream>
#include <thread>

#include "src/common/cgroup_fs.h"
#include "src/common/lambda_protocol.h"
#include "src/common/split.h"

namespace zerostart::emulator {
namespace {

bool Contains(const std::vector<std::string_view>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Writes `value` as a shell's `echo value > path` does (cgroup files take one write each).
// "" on success, else the OS reason.
std::string WriteFile(const std::string& path, std::string_view value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return std::strerror(errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return std::strerror(errno);
  }
  return "";
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// The value of the line "`key` N" in a flat-keyed cgroup file.
std::optional<uint64_t> KeyedValue(std::string_view text, std::string_view key) {
  for (std::string_view line : SplitView(text, '\n')) {
    const std::vector<std::string_view> fields = SplitWhitespace(line);
    if (fields.size() != 2 || fields[0] != key) continue;
    uint64_t value = 0;
    const char* end = fields[1].data() + fields[1].size();
    const auto [ptr, ec] = std::from_chars(fields[1].data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Empty groups "zerostart-<pid>-<n>" in `parent` whose emulator is gone (killed by SIGKILL, so
// it could not remove them) are removed. A populated group is left alone (rmdir refuses it), and
// so is one of a live pid.
void RemoveStaleGroups(const std::string& parent) {
  DIR* dir = ::opendir(parent.c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (!name.starts_with("zerostart-")) continue;
    const std::string_view rest = name.substr(10);
    long pid = 0;
    const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (ec != std::errc() || ptr == rest.data() || *ptr != '-' || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    ::rmdir((parent + "/" + std::string(name)).c_str());
  }
  ::closedir(dir);
}

void AddReason(std::string* why, const std::string& reason) {
  if (!why->empty()) *why += "; ";
  *why += reason;
}

}  // namespace

CpuQuota LambdaCpuQuota(int memory_mb, int visible_cpus) {
  const double share = static_cast<double>(memory_mb) / lambda::kMemoryMbPerVcpu;
  const int64_t quota = std::llround(static_cast<double>(kLambdaCpuPeriodUs) * share);
  const int64_t cap = kLambdaCpuPeriodUs * std::max(1, visible_cpus);
  return CpuQuota{std::clamp<int64_t>(quota, 1000, cap), kLambdaCpuPeriodUs};  // CFS minimum: 1 ms
}

uint64_t LambdaMemoryLimitBytes(int memory_mb) { return static_cast<uint64_t>(memory_mb) << 20; }

std::optional<uint64_t> ParseOomKillCount(std::string_view text) { return KeyedValue(text, "oom_kill"); }

std::unique_ptr<CgroupLimits> CgroupLimits::Create(const CgroupLimitsOptions& options) {
  std::unique_ptr<CgroupLimits> limits(new CgroupLimits());
  std::lock_guard<std::mutex> lock(limits->mutex_);
  limits->quota_ = LambdaCpuQuota(options.memory_mb, options.visible_cpus);
  std::string cpu_why;
  std::string memory_why;
  limits->cpu_ = limits->MakeGroup(options, "cpu", &cpu_why);
  if (limits->cpu_) {
    // Lifted until the first process finishes its init.
    const bool v1 = limits->cpu_->version == Version::kV1;
    const std::string dir = limits->cpu_->dir;
    std::string error = v1 ? WriteFile(dir + "/cpu.cfs_period_us", std::to_string(kLambdaCpuPeriodUs))
                           : WriteFile(dir + "/cpu.max", "max " + std::to_string(kLambdaCpuPeriodUs));
    if (!error.empty()) {
      AddReason(&cpu_why, "cannot set the CPU period in " + dir + ": " + error);
      limits->cpu_.reset();
    }
  }
  limits->memory_ = limits->MakeGroup(options, "memory", &memory_why);
  if (limits->memory_ && !limits->SetUpMemory(options.memory_mb, &memory_why)) limits->memory_.reset();

  std::string missing;
  if (!limits->cpu_) missing = "the CPU share (" + cpu_why + ")";
  if (!limits->memory_) {
    missing += (missing.empty() ? "" : " and ") + std::string("the memory limit (") + memory_why + ")";
  }
  if (!missing.empty()) {
    limits->missing_ = "--memory " + std::to_string(options.memory_mb) + ": not enforcing " +
                       missing + "; measuring only";
  }
  // Directories made for a controller that then failed are not kept.
  std::erase_if(limits->created_, [&](const Created& created) {
    const bool used = (limits->cpu_ && limits->cpu_->dir == created.dir) ||
                      (limits->memory_ && limits->memory_->dir == created.dir);
    if (!used) ::rmdir(created.dir.c_str());
    return !used;
  });
  return limits;
}

std::optional<CgroupLimits::Group> CgroupLimits::MakeGroup(const CgroupLimitsOptions& options,
                                                           std::string_view controller,
                                                           std::string* why) {
  const std::optional<std::string> cgroup = ReadSmallFile(UnderRoot(options.root, "/proc/self/cgroup"));
  const std::optional<std::string> mountinfo =
      ReadSmallFile(UnderRoot(options.root, "/proc/self/mountinfo"));
  if (!cgroup || !mountinfo) {
    AddReason(why, "cannot read /proc/self/cgroup");
    return std::nullopt;
  }
  const std::vector<CgroupMount> mounts = ParseCgroupMounts(*mountinfo);
  std::optional<Group> group;
  std::string v2_path;
  for (const CgroupMembership& membership : ParseProcCgroup(*cgroup)) {
    if (membership.v2) {
      v2_path = membership.path;
      continue;
    }
    if (!membership.Has(controller)) continue;
    for (const CgroupMount& mount : mounts) {
      if (mount.v2 || !mount.Has(controller)) continue;
      if (std::optional<std::string> dir = CgroupDir(options.root, mount, membership.path)) {
        group = Group{Version::kV1, *dir};
        break;
      }
    }
  }
  if (!group && !v2_path.empty()) {
    for (const CgroupMount& mount : mounts) {
      if (!mount.v2) continue;
      std::optional<std::string> dir = CgroupDir(options.root, mount, v2_path);
      if (!dir) continue;
      const std::string available = ReadSmallFile(*dir + "/cgroup.controllers").value_or("");
      if (!Contains(SplitWhitespace(SplitView(available, '\n')[0]), controller)) {
        AddReason(why, "cgroup v2 offers no " + std::string(controller) + " controller in " + *dir);
        return std::nullopt;
      }
      const std::string subtree = ReadSmallFile(*dir + "/cgroup.subtree_control").value_or("");
      if (!Contains(SplitWhitespace(SplitView(subtree, '\n')[0]), controller)) {
        // A group with processes of its own cannot delegate (v2's no-internal-process rule).
        const std::string error =
            WriteFile(*dir + "/cgroup.subtree_control", "+" + std::string(controller));
        if (!error.empty()) {
          AddReason(why, "cannot enable " + std::string(controller) + " in " + *dir +
                             "/cgroup.subtree_control: " + error);
          return std::nullopt;
        }
      }
      group = Group{Version::kV2, *dir};
      break;
    }
  }
  if (!group) {
    AddReason(why, "no cgroup " + std::string(controller) + " controller mounted");
    return std::nullopt;
  }
  if (options.group_name.starts_with("zerostart-")) RemoveStaleGroups(group->dir);
  group->dir += "/" + options.group_name;
  for (const Created& created : created_) {
    if (created.dir == group->dir) return group;  // v2: one group for both controllers
  }
  if (::mkdir(group->dir.c_str(), 0755) != 0) {
    AddReason(why, "cannot create " + group->dir + ": " + std::strerror(errno));
    return std::nullopt;
  }
  // O_CREAT as a shell's `>` (the file exists in a real cgroup; a fake tree has plain files).
  UniqueFd procs(::open((group->dir + "/cgroup.procs").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!procs.valid()) {
    AddReason(why, "cannot open " + group->dir + "/cgroup.procs: " + std::strerror(errno));
    ::rmdir(group->dir.c_str());
    return std::nullopt;
  }
  created_.push_back(Created{group->dir, std::move(procs)});
  return group;
}

bool CgroupLimits::SetUpMemory(int memory_mb, std::string* why) {
  const std::string dir = memory_->dir;
  const std::string bytes = std::to_string(LambdaMemoryLimitBytes(memory_mb));
  if (memory_->version == Version::kV1) {
    if (std::string error = WriteFile(dir + "/memory.limit_in_bytes", bytes); !error.empty()) {
      AddReason(why, "cannot write " + dir + "/memory.limit_in_bytes: " + error);
      return false;
    }
    // No swap beyond the limit (present only with swap accounting; must come after the above).
    if (Exists(dir + "/memory.memsw.limit_in_bytes")) {
      (void)WriteFile(dir + "/memory.memsw.limit_in_bytes", bytes);
    }
    return true;
  }
  if (std::string error = WriteFile(dir + "/memory.max", bytes); !error.empty()) {
    AddReason(why, "cannot write " + dir + "/memory.max: " + error);
    return false;
  }
  if (Exists(dir + "/memory.swap.max")) (void)WriteFile(dir + "/memory.swap.max", "0");
  // Lambda resets the whole sandbox: an OOM kills every process of the group, not one.
  if (Exists(dir + "/memory.oom.group")) (void)WriteFile(dir + "/memory.oom.group", "1");
  return true;
}

CgroupLimits::~CgroupLimits() { Remove(); }

std::vector<std::string> CgroupLimits::group_dirs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> dirs;
  for (const Created& created : created_) dirs.push_back(created.dir);
  return dirs;
}

std::vector<int> CgroupLimits::join_fds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<int> fds;
  for (const Created& created : created_) fds.push_back(created.procs.get());
  return fds;
}

void CgroupLimits::BeforeSpawn() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cpu_) {
    if (cpu_->version == Version::kV1) {
      (void)WriteFile(cpu_->dir + "/cpu.cfs_quota_us", "-1");
    } else {
      (void)WriteFile(cpu_->dir + "/cpu.max", "max " + std::to_string(kLambdaCpuPeriodUs));
    }
  }
  oom_kills_at_spawn_ = ReadOomKills();
  failcnt_at_spawn_ = ReadFailCount();
}

void CgroupLimits::Throttle() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!cpu_) return;
  if (cpu_->version == Version::kV1) {
    (void)WriteFile(cpu_->dir + "/cpu.cfs_quota_us", std::to_string(quota_.quota_us));
  } else {
    (void)WriteFile(cpu_->dir + "/cpu.max",
                    std::to_string(quota_.quota_us) + " " + std::to_string(quota_.period_us));
  }
}

std::optional<uint64_t> CgroupLimits::ReadOomKills() const {
  if (!memory_) return std::nullopt;
  const char* file = memory_->version == Version::kV1 ? "/memory.oom_control" : "/memory.events";
  const std::optional<std::string> text = ReadSmallFile(memory_->dir + file);
  return text ? ParseOomKillCount(*text) : std::nullopt;
}

std::optional<uint64_t> CgroupLimits::ReadFailCount() const {
  if (!memory_) return std::nullopt;
  if (memory_->version == Version::kV2) {
    // v2: "max N" counts the times usage reached memory.max.
    const std::optional<std::string> events = ReadSmallFile(memory_->dir + "/memory.events");
    return events ? KeyedValue(*events, "max") : std::nullopt;
  }
  const std::optional<std::string> failcnt = ReadSmallFile(memory_->dir + "/memory.failcnt");
  return failcnt ? ParseCount(*failcnt) : std::nullopt;
}

bool CgroupLimits::OomKilledSinceSpawn(int wait_status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!memory_) return false;
  const std::optional<uint64_t> kills = ReadOomKills();
  if (kills && oom_kills_at_spawn_) return *kills > *oom_kills_at_spawn_;
  const std::optional<uint64_t> failures = ReadFailCount();
  const bool killed = WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL;
  return killed && failures && failcnt_at_spawn_ && *failures > *failcnt_at_spawn_;
}

void CgroupLimits::RemoveDir(const std::string& dir) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (true) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY || std::chrono::steady_clock::now() > give_up) return;
    // Still populated: what is left is the function's (descendants that left its process
    // group, or a tree still exiting).
    std::istringstream procs(ReadSmallFile(dir + "/cgroup.procs").value_or(""));
    for (long pid = 0; procs >> pid;) {
      if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void CgroupLimits::Remove() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Created& created : created_) {
    created.procs.Reset();
    RemoveDir(created.dir);
  }
  created_.clear();
  cpu_.reset();
  memory_.reset();
}

}  // namespace zerostart::emulator
