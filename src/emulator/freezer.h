// Freezer: stops every process of one execution environment between invokes and lets them run
// again for the next, as Lambda does (AWS Lambda Developer Guide, "Lambda execution environment
// lifecycle", https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html: the
// environment is frozen after an invoke and thawed for the next one).
//
// Three mechanisms, best first:
//   - cgroup v2: the group's `cgroup.freeze` ("1" / "0"), done when `cgroup.events` says
//     "frozen 1" (kernel Documentation/admin-guide/cgroup-v2.rst, "cgroup.freeze").
//   - cgroup v1: the `freezer` controller's `freezer.state` ("FROZEN" / "THAWED"; it reads
//     "FREEZING" until every task is stopped; Documentation/admin-guide/cgroup-v1/
//     freezer-subsystem.rst). A v1-frozen task cannot die, not even by SIGKILL, until thawed:
//     thaw (or CgroupLimits::Remove()) before waiting for a frozen process to exit.
//   - SIGSTOP / SIGCONT to the function's process group, where no cgroup freezer can be used.
//     Unlike a cgroup freezer it is visible to the function (a SIGCONT handler runs; some
//     blocking calls such as epoll_wait return EINTR after stop and continue, signal(7)), it
//     misses descendants that left the group, and the emulator gets SIGCHLD for each stop and
//     continue (its reaper waits for WEXITED only, so it is not confused).
// With every mechanism a signal the function handles (SIGTERM for a graceful stop) waits for
// the thaw, and SIGKILL does not (except under cgroup v1): thaw before a graceful stop.
//
// Cgroup freezers come from CgroupLimits::MakeFreezer() (or the factories below, for a group
// made elsewhere); the signal freezer from MakeSignalFreezer().
//
// Thread safety: every method may be called concurrently; each Freeze/Thaw is one write(2) or
// kill(2), so when they race, the last one to reach the kernel wins.
#ifndef ZEROSTART_SRC_EMULATOR_FREEZER_H_
#define ZEROSTART_SRC_EMULATOR_FREEZER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::emulator {

class Freezer {
 public:
  virtual ~Freezer() = default;

  // Stops every process of the environment from running. Returns once the request is made (a
  // cgroup freezer may finish asynchronously: see IsFrozen()). Errors, with the OS reason:
  // NotFound when the group or the processes are gone, Internal otherwise; the caller logs
  // once and goes on unfrozen.
  [[nodiscard]] virtual Status Freeze() = 0;

  // Lets every process run again; when it returns, the kernel has woken them. Cheap: one
  // write(2) or kill(2) (it is on the warm invoke path). Errors as for Freeze().
  [[nodiscard]] virtual Status Thaw() = 0;

  // Whether every process is stopped now: v2 `cgroup.events` has "frozen 1"; v1
  // `freezer.state` reads "FROZEN"; signals: every thread of every process of the group is
  // in state T (stopped) in /proc/PID/task/TID/stat, zombies aside, and there is at least one
  // such process. Reads files: for tests and diagnostics, not the hot path.
  virtual bool IsFrozen() const = 0;

  // "cgroup v2 freezer", "cgroup v1 freezer" or "SIGSTOP" (for logs).
  virtual std::string_view mechanism() const = 0;
};

// SIGSTOP / SIGCONT to process group `pgid` (the function process's own group).
// REQUIRES: the group's leader is not yet reaped when Freeze/Thaw run; after that the id may
// name a stranger's group. Never null.
std::unique_ptr<Freezer> MakeSignalFreezer(pid_t pgid);
// The same for several groups (the function's and its extensions'), stopped and continued in
// order; the first failure is returned.
std::unique_ptr<Freezer> MakeSignalFreezer(std::vector<pid_t> pgids);

// The freezer of the cgroup v1 group directory `dir` (in a hierarchy with the `freezer`
// controller). The control file is opened here and kept open: after the group is removed,
// Freeze/Thaw return NotFound. Null when `dir`/freezer.state cannot be opened for writing.
std::unique_ptr<Freezer> MakeCgroupV1Freezer(const std::string& dir);

// The freezer of the cgroup v2 group directory `dir` (any non-root group, Linux 5.2 or later).
// As above, with `dir`/cgroup.freeze; null when it cannot be opened for writing.
std::unique_ptr<Freezer> MakeCgroupV2Freezer(const std::string& dir);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_FREEZER_H_
