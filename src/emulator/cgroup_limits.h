// CgroupLimits: Lambda's CPU and memory limits for the function's process tree, in a cgroup of
// the emulator's own (`zerostart serve --memory MB`).
//
// What Lambda gives a function of MB:
//   - CPU: MB/1769 vCPU, linear (AWS Lambda Developer Guide, "Configure Lambda function memory",
//     https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html: 1,769 MB = one
//     vCPU), capped by the CPUs visible; enforced as a CFS quota over a 20 ms period
//     (pwrdrvr/lambda-dispatch#246 observed ~20 ms throttling windows): quota_us =
//     round(20000 * MB / 1769), at most 20000 * visible CPUs. 128 MB -> 1447 µs per 20,000 µs.
//     The init phase is unthrottled (third-party measurements: two full vCPUs even at 128 MB),
//     so the quota is lifted before each process starts and applied when its init is done.
//   - Memory: MB MiB for the whole tree, no swap; the kernel's OOM killer stops a function that
//     exceeds it, and the memory controller's oom_kill counter tells the emulator so.
//
// One child group per CgroupLimits, named by the caller (zerostart-<pid>-<n>), created under the
// group this process is in, in each hierarchy that offers the controller: cgroup v1 (`cpu`,
// `memory` mounts: cpu.cfs_quota_us/cpu.cfs_period_us, memory.limit_in_bytes,
// memory.oom_control) or v2 (cpu.max, memory.max, memory.events; the controller must be in the
// parent's cgroup.controllers and is enabled in its cgroup.subtree_control when it is not yet).
// A controller that cannot be used (not mounted, not delegated, read-only, not root) is left
// out, and missing() says so in one line: the emulator then only measures.
//
// The freezer (CgroupLimitsOptions::freezer): in cgroup v1 a group of the same name in the
// `freezer` hierarchy; in v2 the group's own cgroup.freeze (a core file of every non-root group
// since Linux 5.2, no controller to enable), in a group made for it alone when neither limit
// has a v2 group. MakeFreezer() hands it out (see freezer.h). Not reported by missing(): the
// caller falls back to MakeSignalFreezer(). While v1 freezer groups exist, one more empty group
// beside them, zerostart-<pid>-keeper, is kept frozen: without one, every Freeze and Thaw costs
// milliseconds (the kernel flips a global switch when the first v1 group freezes and the last
// thaws); with it, microseconds.
//
// Empty groups "zerostart-<pid>-<n>" of emulators that no longer exist (killed by SIGKILL) are
// removed when a new one is created beside them (one directory scan per hierarchy; groups of
// this process are skipped unread). A frozen one is thawed, so that what is left in it can end.
//
// The function joins the groups at spawn, before its code runs: SpawnSpec::join_cgroup_fds gets
// join_fds() (the child writes itself into each cgroup.procs between fork and exec).
//
// One CgroupLimits per execution environment: each is independent (its own groups, its own
// limits), and many may exist and be created and removed at once, from any threads.
//
// Thread safety: all methods may be called concurrently (one internal mutex).
#ifndef ZEROSTART_SRC_EMULATOR_CGROUP_LIMITS_H_
#define ZEROSTART_SRC_EMULATOR_CGROUP_LIMITS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/cgroup_fs.h"
#include "src/common/cpu_budget.h"
#include "src/common/unique_fd.h"
#include "src/emulator/freezer.h"

namespace zerostart::emulator {

// The CFS period used for the function's quota (µs): Lambda's observed throttling window.
inline constexpr int64_t kLambdaCpuPeriodUs = 20000;

// The CPU quota of a function of `memory_mb`: {round(20000 * memory_mb / 1769), 20000}, the
// quota at most 20000 * visible_cpus (visible_cpus < 1 counts as 1) and at least 1000 (CFS's
// minimum quota; Lambda's smallest setting, 128 MB, gives 1447).
CpuQuota LambdaCpuQuota(int memory_mb, int visible_cpus);

// The memory limit of a function of `memory_mb`, in bytes (Lambda's MB are MiB).
uint64_t LambdaMemoryLimitBytes(int memory_mb);

// The "oom_kill N" counter from v1 memory.oom_control or v2 memory.events text; nullopt when
// the line is absent (v1 before Linux 4.13) or malformed.
std::optional<uint64_t> ParseOomKillCount(std::string_view text);

struct CgroupLimitsOptions {
  int memory_mb = 1024;
  int visible_cpus = 1;       // VisibleCpus() normally
  std::string group_name;     // the child group's directory name, e.g. "zerostart-<pid>-<n>"
  bool freezer = true;        // also a freezer group (see MakeFreezer())
  // The filesystem root: <root>/proc/self/cgroup, <root>/proc/self/mountinfo and the mount
  // points under it. "/" normally; a fake tree of plain files in tests.
  std::string root = "/";
};

class CgroupLimits {
 public:
  // Creates the child group(s) and sets the memory limit; the CPU quota starts lifted. Never
  // fails: a controller that cannot be used is skipped (see missing()).
  static std::unique_ptr<CgroupLimits> Create(const CgroupLimitsOptions& options);
  // Remove().
  ~CgroupLimits();
  CgroupLimits(const CgroupLimits&) = delete;
  CgroupLimits& operator=(const CgroupLimits&) = delete;

  bool cpu_enforced() const { return cpu_.has_value(); }
  bool memory_enforced() const { return memory_.has_value(); }
  // "" when both limits are enforced; else one line (no newline) naming what is missing and why.
  const std::string& missing() const { return missing_; }
  // The group directories (one per hierarchy used; v2 uses one for everything), for tests and
  // logs.
  std::vector<std::string> group_dirs() const;
  // The cgroup.procs descriptors a new function process must write itself into (see
  // SpawnSpec::join_cgroup_fds). Valid until Remove().
  std::vector<int> join_fds() const;

  // Before a new function process is spawned: lifts the CPU quota (its init runs unthrottled)
  // and records the OOM-kill counter, so that OomKilledSinceSpawn() sees only this process's.
  void BeforeSpawn();
  // The process finished its init (its first /next, or the go1.x Ping answer): applies the
  // CPU quota. Writing it costs a few µs; errors are ignored (the limit is then not applied).
  void Throttle();
  // Whether the memory controller killed something in the group since BeforeSpawn(). Where the
  // kernel has no oom_kill counter (v1 before 4.13): the process died by SIGKILL (`wait_status`
  // as from waitpid) and the limit was hit (memory.failcnt grew).
  bool OomKilledSinceSpawn(int wait_status);

  // A freezer for the processes in the groups: cgroup v1 (freezer.state) or v2 (cgroup.freeze),
  // or null when none is usable (no freezer group, CgroupLimitsOptions::freezer false, or a
  // kernel without the file). It may be used until Remove(); after that its Freeze/Thaw return
  // NotFound. Each call opens a new one (one descriptor each).
  std::unique_ptr<Freezer> MakeFreezer() const;

  // Thaws the freezer group, after SIGKILLing what is in it (a v1-frozen task cannot die until
  // thawed; killed first, none of it runs again), SIGKILLs whatever is still in the groups (they
  // hold only the function's processes), then removes them, retrying for up to ~2 s while the
  // kernel finishes the exits. Idempotent; the fds from join_fds() are closed.
  void Remove();

 private:
  enum class Version { kV1, kV2 };
  class FreezerKeeper;
  struct Group {
    Version version = Version::kV1;
    std::string dir;
  };

  // Where this process is: /proc/self/cgroup and the cgroup mounts, read once per Create().
  struct Place {
    std::vector<CgroupMembership> memberships;
    std::vector<CgroupMount> mounts;
  };

  CgroupLimits() = default;
  // The group for `controller` ("cpu", "memory" or "freezer"), created if needed; nullopt with
  // a reason appended to `why` when it cannot be used.
  std::optional<Group> MakeGroup(const CgroupLimitsOptions& options, const Place& place,
                                 std::string_view controller, std::string* why);
  bool SetUpMemory(int memory_mb, std::string* why);
  std::optional<uint64_t> ReadOomKills() const;
  std::optional<uint64_t> ReadFailCount() const;
  static void RemoveDir(const std::string& dir);

  mutable std::mutex mutex_;
  std::optional<Group> cpu_;
  std::optional<Group> memory_;
  std::optional<Group> freezer_;
  std::shared_ptr<FreezerKeeper> freezer_keeper_;  // v1 only: keeps Freeze and Thaw cheap
  CpuQuota quota_;
  struct Created {
    std::string dir;
    UniqueFd procs;  // its cgroup.procs, for the function to join
  };
  std::vector<Created> created_;  // directories we made, removed by Remove()
  std::string missing_;
  std::optional<uint64_t> oom_kills_at_spawn_;
  std::optional<uint64_t> failcnt_at_spawn_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_CGROUP_LIMITS_H_
