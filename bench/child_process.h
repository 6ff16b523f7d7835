// ChildProcess: a function process started for one cold-start measurement, in its own process
// group, with exactly the environment it is given (nothing inherited), stdin from /dev/null and
// stdout/stderr to /dev/null unless asked otherwise (src/common/spawn.h, as the emulator spawns
// its functions; no output pipes or threads, which would add to a cold start). The destructor
// kills the whole group with SIGKILL and reaps the child.
//
// Memory figures come from /proc (src/emulator/process_memory.h): VmHWM ("peak resident set
// size") of the child, and the sum of VmHWM over every live process of its group (a bootstrap
// script's helpers, e.g. the curl processes of a bash runtime). Read them before killing: a
// zombie has no VmHWM.
//
// Thread safety: none; one owner.
#ifndef ZEROSTART_BENCH_CHILD_PROCESS_H_
#define ZEROSTART_BENCH_CHILD_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::bench {

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0] is the program path (not searched in PATH)
  std::vector<std::string> env;   // "K=V" entries, the child's whole environment
  bool show_output = false;       // true: the child's stdout/stderr go to our stderr
};

class ChildProcess {
 public:
  // Starts the child with posix_spawn (returns as soon as the child exists; the exec itself
  // happens in the child). Errors: NotFound / FailedPrecondition / Internal when the program
  // cannot be started (see SpawnProcessGroup), InvalidArgument for an empty argv.
  static Result<ChildProcess> Spawn(const ChildOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  // True once the child has exited (it is then waited for, and *status holds its wait status).
  bool Exited(int* status);

  // VmHWM of the child in KiB; 0 if it has exited or /proc cannot be read.
  uint64_t PeakRssKib() const;
  // Sum of VmHWM in KiB over the live processes of the child's process group.
  uint64_t GroupPeakRssKib() const;

  // SIGKILLs the group and waits for the child. Idempotent.
  void KillAndReap();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Reaps, without blocking, orphaned descendants that were re-parented to this process (see
// BecomeSubreaper). Returns how many were reaped.
int ReapOrphans();

// Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER), so that
// a killed bootstrap's helpers become our zombies and can be reaped, not init's.
void BecomeSubreaper();

}  // namespace zerostart::bench

#endif  // ZEROSTART_BENCH_CHILD_PROCESS_H_
