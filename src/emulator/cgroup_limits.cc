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
#include <map>
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

// Writes `value` into `path` only if it exists (a freezer file: absent in groups of other
// controllers, and in a fake tree unless the test made it).
void WriteIfPresent(const std::string& path, std::string_view value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd.valid()) return;
  [[maybe_unused]] const ssize_t ignored = ::write(fd.get(), value.data(), value.size());
}

// Lets whatever a freezer group holds run again: v1 and v2 files are both tried, since the
// caller does not know which hierarchy `dir` is in.
void ThawGroup(const std::string& dir) {
  WriteIfPresent(dir + "/freezer.state", "THAWED");
  WriteIfPresent(dir + "/cgroup.freeze", "0");
}

// SIGKILLs every process listed in `dir`/cgroup.procs.
void KillGroupMembers(const std::string& dir) {
  std::istringstream procs(ReadSmallFile(dir + "/cgroup.procs").value_or(""));
  for (long pid = 0; procs >> pid;) {
    if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGKILL);
  }
}

// Empty groups "zerostart-<pid>-<n>" in `parent` whose emulator is gone (killed by SIGKILL, so
// it could not remove them) are removed. A populated group is left alone (rmdir refuses it), and
// so is one of a live pid. Ours are live by definition: skipped without a system call, so that
// an emulator with many environments pays one directory scan per Create, not a kill(2) each.
void RemoveStaleGroups(const std::string& parent) {
  DIR* dir = ::opendir(parent.c_str());
  if (dir == nullptr) return;
  const long self = ::getpid();
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (!name.starts_with("zerostart-")) continue;
    const std::string_view rest = name.substr(10);
    long pid = 0;
    const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (ec != std::errc() || ptr == rest.data() || *ptr != '-' || pid <= 0 || pid == self) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    const std::string group = parent + "/" + std::string(name);
    // Its emulator died with the environment frozen: left so, the processes would wait forever
    // (the kernel does the same for a SIGSTOPped group that loses its parent: SIGCONT).
    ThawGroup(group);
    ::rmdir(group.c_str());
  }
  ::closedir(dir);
}

void AddReason(std::string* why, const std::string& reason) {
  if (!why->empty()) *why += "; ";
  *why += reason;
}

}  // namespace

// The kernel's v1 freezer (kernel/cgroup/legacy_freezer.c, freezer_apply_state) turns the
// freezer_active static key on when a group starts freezing while none was, and off when the
// last one thaws; each flip patches kernel text on every CPU. Measured here: ~1.9 ms for each
// Freeze and each Thaw of an environment, ~5 µs with the key left on. So while environments
// with v1 freezer groups exist, an empty group beside them, "zerostart-<pid>-keeper", stays
// FROZEN: the warm path's Thaw stays cheap. Shared by every CgroupLimits of this process with a
// group in that directory; removed with the last of them (rmdir of a frozen, empty group is
// allowed).
class CgroupLimits::FreezerKeeper {
 public:
  // The keeper of `parent`, made and frozen if there is none; null if it cannot be made.
  static std::shared_ptr<FreezerKeeper> In(const std::string& parent) {
    std::lock_guard<std::mutex> lock(Registry().mutex);
    std::weak_ptr<FreezerKeeper>& slot = Registry().keepers[parent];
    if (std::shared_ptr<FreezerKeeper> keeper = slot.lock()) return keeper;
    std::string dir = parent + "/zerostart-" + std::to_string(::getpid()) + "-keeper";
    // EEXIST: the previous keeper's destructor is waiting for the lock, and will leave it.
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return nullptr;
    WriteIfPresent(dir + "/freezer.state", "FROZEN");
    std::shared_ptr<FreezerKeeper> keeper(new FreezerKeeper(parent, std::move(dir)));
    slot = keeper;
    return keeper;
  }

  ~FreezerKeeper() {
    std::lock_guard<std::mutex> lock(Registry().mutex);
    if (Registry().keepers[parent_].expired()) ::rmdir(dir_.c_str());  // else a new one took it
  }

  FreezerKeeper(const FreezerKeeper&) = delete;
  FreezerKeeper& operator=(const FreezerKeeper&) = delete;

 private:
  struct Keepers {
    std::mutex mutex;
    std::map<std::string, std::weak_ptr<FreezerKeeper>> keepers;  // by parent directory
  };
  static Keepers& Registry() {
    static Keepers* const keepers = new Keepers();  // never destroyed: keepers may outlive main
    return *keepers;
  }

  FreezerKeeper(std::string parent, std::string dir)
      : parent_(std::move(parent)), dir_(std::move(dir)) {}

  const std::string parent_;
  const std::string dir_;
};

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
  Place place;
  const std::optional<std::string> cgroup = ReadSmallFile(UnderRoot(options.root, "/proc/self/cgroup"));
  const std::optional<std::string> mountinfo =
      ReadSmallFile(UnderRoot(options.root, "/proc/self/mountinfo"));
  if (cgroup && mountinfo) {
    place.memberships = ParseProcCgroup(*cgroup);
    place.mounts = ParseCgroupMounts(*mountinfo);
  }
  limits->cpu_ = limits->MakeGroup(options, place, "cpu", &cpu_why);
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
  limits->memory_ = limits->MakeGroup(options, place, "memory", &memory_why);
  if (limits->memory_ && !limits->SetUpMemory(options.memory_mb, &memory_why)) limits->memory_.reset();
  if (options.freezer) {
    std::string unused;  // no freezer is not reported: the signal freezer stands in
    limits->freezer_ = limits->MakeGroup(options, place, "freezer", &unused);
    if (limits->freezer_ && limits->freezer_->version == Version::kV1) {
      const std::string& dir = limits->freezer_->dir;
      limits->freezer_keeper_ = FreezerKeeper::In(dir.substr(0, dir.rfind('/')));
    }
  }

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
                      (limits->memory_ && limits->memory_->dir == created.dir) ||
                      (limits->freezer_ && limits->freezer_->dir == created.dir);
    if (!used) ::rmdir(created.dir.c_str());
    return !used;
  });
  return limits;
}

std::optional<CgroupLimits::Group> CgroupLimits::MakeGroup(const CgroupLimitsOptions& options,
                                                           const Place& place,
                                                           std::string_view controller,
                                                           std::string* why) {
  if (place.memberships.empty()) {
    AddReason(why, "cannot read /proc/self/cgroup");
    return std::nullopt;
  }
  const std::vector<CgroupMount>& mounts = place.mounts;
  std::optional<Group> group;
  std::string v2_path;
  for (const CgroupMembership& membership : place.memberships) {
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
      if (controller == "freezer") {  // v2's freezer is in the core: nothing to enable
        group = Group{Version::kV2, *dir};
        break;
      }
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
  const std::string parent = group->dir;
  group->dir += "/" + options.group_name;
  for (const Created& created : created_) {
    if (created.dir == group->dir) return group;  // v2: one group for every controller
  }
  if (options.group_name.starts_with("zerostart-")) RemoveStaleGroups(parent);
  if (::mkdir(group->dir.c_str(), 0755) != 0) {
    AddReason(why, "cannot create " + group->dir + ": " + std::strerror(errno));
    return std::nullopt;
  }
  // A v2 group for the freezer alone is worth it only with one (Linux 5.2 or later); a group
  // shared with a limit (returned above) is checked by MakeFreezer() instead.
  if (group->version == Version::kV2 && controller == "freezer" &&
      !Exists(group->dir + "/cgroup.freeze")) {
    AddReason(why, "no cgroup.freeze in " + group->dir);
    ::rmdir(group->dir.c_str());
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
    KillGroupMembers(dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::unique_ptr<Freezer> CgroupLimits::MakeFreezer() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!freezer_) return nullptr;
  return freezer_->version == Version::kV1 ? MakeCgroupV1Freezer(freezer_->dir)
                                           : MakeCgroupV2Freezer(freezer_->dir);
}

void CgroupLimits::Remove() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (freezer_) {
    // A v1-frozen task waits in the kernel's refrigerator (kernel/freezer.c, __refrigerator),
    // which it leaves only when its group thaws, SIGKILL or not (seen here on Linux 6.18); the
    // kills below would wait out their 2 s and leave the groups. Killed while frozen, then
    // thawed: it dies on its way out, without running the function's code again, and nothing
    // can fork in between.
    KillGroupMembers(freezer_->dir);
    ThawGroup(freezer_->dir);
  }
  for (Created& created : created_) {
    created.procs.Reset();
    RemoveDir(created.dir);
  }
  created_.clear();
  cpu_.reset();
  memory_.reset();
  freezer_.reset();
  freezer_keeper_.reset();
}

}  // namespace zerostart::emulator
