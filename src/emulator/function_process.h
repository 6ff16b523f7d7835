// FunctionProcess: one running function (the "bootstrap" of a Lambda execution environment):
// spawned into its own process group with a given environment and working directory, its
// stdout/stderr forwarded line by line to a LogSink, its exit detected at once by a reaper
// thread, its peak memory measurable, and the whole group killable.
//
// When the process exits, the reaper samples the memory of any descendants, SIGKILLs the rest
// of the group (Lambda resets the whole sandbox when the runtime exits), reaps it, records the
// ExitInfo, and then calls `on_exit` (from the reaper thread, with no lock of this object held).
//
// Thread safety: all public methods may be called concurrently. The destructor must not run
// on the reaper thread (i.e. not from `on_exit`), nor while holding a lock that `on_exit` takes.
#ifndef ZEROSTART_SRC_EMULATOR_FUNCTION_PROCESS_H_
#define ZEROSTART_SRC_EMULATOR_FUNCTION_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "src/common/env.h"
#include "src/emulator/log_sink.h"
#include "src/emulator/output_forwarder.h"
#include "src/emulator/process_memory.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

struct SpawnOptions {
  std::string path;               // the executable (absolute, or relative to working_dir)
  std::vector<std::string> args;  // argv[1..]; argv[0] is `path`
  EnvMap env;                     // the complete environment (nothing is inherited)
  std::string working_dir;
  // cgroup.procs descriptors the process joins before its code runs (CgroupLimits::join_fds()).
  std::vector<int> join_cgroup_fds;
};

struct ExitInfo {
  int wait_status = 0;        // as from waitpid
  uint64_t peak_rss_kib = 0;  // the largest tree peak ever seen, including the reaped root's
};

class FunctionProcess {
 public:
  using ExitCallback = std::function<void()>;

  // Starts the process: stdin is /dev/null, no fd but 0-2 is inherited, signal mask and
  // dispositions are reset. Errors: NotFound / FailedPrecondition (not executable) /
  // Internal for other spawn failures, with the OS reason.
  static Result<std::unique_ptr<FunctionProcess>> Spawn(const SpawnOptions& options, LogSink* sink,
                                                        ExitCallback on_exit);

  // SIGKILLs the group if still running, reaps, stops output forwarding (waiting briefly for
  // the pipes to drain).
  ~FunctionProcess();
  FunctionProcess(const FunctionProcess&) = delete;
  FunctionProcess& operator=(const FunctionProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Sends `signal` to the process group; does nothing once the process was reaped.
  void Signal(int signal);

  // SIGTERM to the group, then SIGKILL if it has not exited within `grace`; returns once reaped.
  void Terminate(std::chrono::milliseconds grace);

  // True once the process exited and was reaped (within `timeout`).
  bool WaitForExit(std::chrono::milliseconds timeout);

  // Set once the process was reaped.
  std::optional<ExitInfo> exit_info() const;

  // The peak resident memory of the process tree so far (KiB): max over every sample.
  uint64_t PeakRssKib();

  // Forwards all output written so far (see OutputForwarder::Flush).
  void FlushOutput() { forwarder_->Flush(); }

 private:
  FunctionProcess(pid_t pid, std::unique_ptr<OutputForwarder> forwarder, ExitCallback on_exit);
  void ReaperMain();

  const pid_t pid_;
  std::unique_ptr<OutputForwarder> forwarder_;
  ExitCallback on_exit_;

  mutable std::mutex mutex_;
  std::condition_variable exited_cv_;
  bool reaped_ = false;               // guarded by mutex_: after this, pid_ may be reused
  std::optional<ExitInfo> exit_info_; // guarded by mutex_
  ProcessTreeMemory memory_;          // guarded by mutex_
  uint64_t peak_rss_kib_ = 0;         // guarded by mutex_
  std::thread reaper_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_FUNCTION_PROCESS_H_
