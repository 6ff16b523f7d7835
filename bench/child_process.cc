#include "bench/child_process.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <utility>

#include "src/common/spawn.h"
#include "src/emulator/process_memory.h"

namespace zerostart::bench {

Result<ChildProcess> ChildProcess::Spawn(const ChildOptions& options) {
  SpawnSpec spec;
  spec.argv = options.argv;
  spec.env = options.env;
  spec.stdin_fd = kSpawnDevNull;
  spec.stdout_fd = options.show_output ? 2 : kSpawnDevNull;
  spec.stderr_fd = options.show_output ? 2 : kSpawnDevNull;
  ZS_ASSIGN_OR_RETURN(pid_t pid, SpawnProcessGroup(spec));
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), reaped_(std::exchange(other.reaped_, true)) {}

ChildProcess::~ChildProcess() { KillAndReap(); }

bool ChildProcess::Exited(int* status) {
  if (reaped_) return true;
  int wait_status = 0;
  const pid_t rc = ::waitpid(pid_, &wait_status, WNOHANG);
  if (rc != pid_) return false;
  reaped_ = true;
  if (status != nullptr) *status = wait_status;
  ::kill(-pid_, SIGKILL);  // whatever it left behind in its group
  return true;
}

uint64_t ChildProcess::PeakRssKib() const {
  if (reaped_) return 0;  // the pid may belong to someone else now
  return emulator::ProcessVmHwmKib(pid_);
}

uint64_t ChildProcess::GroupPeakRssKib() const {
  if (reaped_) return 0;
  return emulator::ProcessGroupVmHwmKib(pid_);
}

void ChildProcess::KillAndReap() {
  if (reaped_ || pid_ <= 0) return;
  // The group first, while the child (its leader) is unreaped: its pid cannot be reused yet.
  ::kill(-pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

int ReapOrphans() {
  int reaped = 0;
  while (::waitpid(-1, nullptr, WNOHANG) > 0) ++reaped;
  return reaped;
}

void BecomeSubreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

}  // namespace zerostart::bench
