// SpawnProcessGroup: starts a program with posix_spawn as the leader of a new process group, with
// exactly the environment it is given (nothing inherited), the given stdin/stdout/stderr, no other
// descriptor inherited, an empty signal mask and default signal dispositions. Shared by the
// emulator's function sandbox (src/emulator/function_process.h), the benchmarks' child processes
// (bench/child_process.h) and `zerostart watch`'s build, which all need a clean child whose whole
// group they can kill.
//
// Thread safety: SpawnProcessGroup may be called concurrently (it touches no shared state; the
// descriptors in SpawnSpec must stay open for the duration of the call).
#ifndef ZEROSTART_SRC_COMMON_SPAWN_H_
#define ZEROSTART_SRC_COMMON_SPAWN_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "zerostart/status.h"

namespace zerostart {

// A value for SpawnSpec's stdio fields: the child's descriptor opens /dev/null.
inline constexpr int kSpawnDevNull = -1;

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is the program path (not searched in PATH)
  std::vector<std::string> env;   // "K=V" entries, the child's whole environment, passed as is
  std::string working_dir;        // empty: ours
  // What the child's fd 0/1/2 become: kSpawnDevNull, or one of our descriptors, dup2'd (close-on-
  // exec on ours does not matter; stderr_fd = 2 keeps our stderr). Slots are set in order 0, 1,
  // 2, so stdout_fd = 2 sends the child's stdout to our stderr.
  int stdin_fd = kSpawnDevNull;
  int stdout_fd = kSpawnDevNull;
  int stderr_fd = kSpawnDevNull;
  // Descriptors of cgroup `cgroup.procs` files (v1 or v2) opened for writing. When not empty the
  // child writes "0" (= itself) into each before it does anything else, so it is inside those
  // groups before any of the program's code runs (e.g. the emulator's CPU and memory limits); a
  // failed write fails the spawn (Internal, with the OS reason). Empty: posix_spawn, as usual.
  std::vector<int> join_cgroup_fds;
};

// Starts the child and returns its pid (= its process group id) as soon as it exists; the exec
// happens in the child, and its failure is reported here. The caller owns the child: it must
// reap it. With join_cgroup_fds the child is started as posix_spawn starts it (clone with
// CLONE_VM | CLONE_VFORK; posix_spawn itself cannot run the writes); only async-signal-safe
// calls happen between clone and exec. Errors, with the OS
// reason: InvalidArgument for an empty argv, NotFound (ENOENT),
// FailedPrecondition (not executable: EACCES, ENOEXEC, EISDIR), Internal for other failures.
Result<pid_t> SpawnProcessGroup(const SpawnSpec& spec);

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_SPAWN_H_
