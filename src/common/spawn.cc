#include "src/common/spawn.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace zerostart {
namespace {

// RAII for the posix_spawn attribute objects.
struct SpawnAttributes {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnAttributes() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnAttributes() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

void SetStdio(posix_spawn_file_actions_t* actions, int slot, int fd, int dev_null_flags) {
  if (fd == kSpawnDevNull) {
    posix_spawn_file_actions_addopen(actions, slot, "/dev/null", dev_null_flags, 0);
  } else {
    // Also when fd == slot: glibc (>= 2.29, as POSIX.1-2024 asks) then clears close-on-exec.
    posix_spawn_file_actions_adddup2(actions, fd, slot);
  }
}

// A NULL-terminated array over `strings` (posix_spawn does not write through it).
std::vector<char*> CArray(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

Status SpawnError(int error, const std::string& path) {
  std::string message = "cannot start " + path + ": " + std::strerror(error);
  if (error == ENOENT) return NotFoundError(message);
  if (error == EACCES || error == ENOEXEC || error == EISDIR) return FailedPreconditionError(message);
  return InternalError(message);
}

// --- The clone path (SpawnSpec::join_cgroup_fds) ---
// The child is made as posix_spawn makes it (glibc sysdeps/unix/sysv/linux/spawni.c): clone with
// CLONE_VM | CLONE_VFORK on a stack of its own, all signals blocked around it. Not fork(): in a
// process with hundreds of threads (one per connection) fork copies every page table under the
// address space's lock and runs glibc's atfork handlers under every malloc arena lock, which
// stalls the whole emulator for milliseconds per spawn during a burst of cold starts. The child
// shares our memory until it execs, so between clone and exec only async-signal-safe calls, no
// allocation and no write to memory the parent uses (errno aside: the parent reads it only
// after a failed clone). A failure is reported to the parent as {stage, errno} through a
// close-on-exec pipe: end of stream there means the exec succeeded.

enum ChildStage : int { kStageCgroup = 1, kStageSetup = 2, kStageExec = 3 };

// The child's code runs on a borrowed stack in our address space: AddressSanitizer's stack
// bookkeeping (redzones, the no-return hook) would misread it, so these are not instrumented.
#define ZS_CHILD_CODE __attribute__((no_sanitize("address")))

[[noreturn]] ZS_CHILD_CODE void ChildFail(int report_fd, int stage) {
  const int message[2] = {stage, errno};
  [[maybe_unused]] ssize_t ignored = ::write(report_fd, message, sizeof message);
  ::_exit(127);
}

// Makes `slot` (0, 1 or 2) what `fd` says, as SetStdio does for posix_spawn.
ZS_CHILD_CODE bool ChildStdio(int slot, int fd, int dev_null_flags) {
  if (fd == kSpawnDevNull) {
    const int opened = ::open("/dev/null", dev_null_flags);
    if (opened < 0) return false;
    if (opened == slot) return true;
    const bool ok = ::dup2(opened, slot) == slot;
    ::close(opened);
    return ok;
  }
  if (fd == slot) return ::fcntl(slot, F_SETFD, 0) == 0;  // keep it across exec
  return ::dup2(fd, slot) == slot;
}

[[noreturn]] ZS_CHILD_CODE void ChildMain(const SpawnSpec& spec, char* const* argv, char* const* envp,
                            int report_fd) {
  // First of all: into the groups, before anything of the program can run.
  for (const int fd : spec.join_cgroup_fds) {
    if (::write(fd, "0", 1) != 1) ChildFail(report_fd, kStageCgroup);
  }
  if (::setpgid(0, 0) != 0) ChildFail(report_fd, kStageSetup);
  // Default dispositions before the mask is cleared, so no handler of ours can run here.
  struct sigaction default_action;
  std::memset(&default_action, 0, sizeof default_action);
  default_action.sa_handler = SIG_DFL;
  for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
    if (signal_number != SIGKILL && signal_number != SIGSTOP) {
      ::sigaction(signal_number, &default_action, nullptr);  // EINVAL for glibc's reserved ones
    }
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  if (!ChildStdio(0, spec.stdin_fd, O_RDONLY) || !ChildStdio(1, spec.stdout_fd, O_WRONLY) ||
      !ChildStdio(2, spec.stderr_fd, O_WRONLY)) {
    ChildFail(report_fd, kStageSetup);
  }
  if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0) {
    ChildFail(report_fd, kStageExec);  // posix_spawn reports a bad chdir like a failed exec
  }
  // Nothing else is inherited: everything from 3 up becomes close-on-exec (report_fd already is).
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) ChildFail(report_fd, kStageSetup);
  ::execve(argv[0], argv, envp);
  ChildFail(report_fd, kStageExec);
}

struct ChildArgs {
  const SpawnSpec* spec;
  char* const* argv;
  char* const* envp;
  int report_fd;
};

ZS_CHILD_CODE int ChildEntry(void* arg) {
  const ChildArgs& args = *static_cast<const ChildArgs*>(arg);
  ChildMain(*args.spec, args.argv, args.envp, args.report_fd);
}

// The child's stack: ChildMain needs little (glibc's posix_spawn uses about 32 KiB plus the
// arguments); sanitizer builds need more.
constexpr size_t kChildStackBytes = 256 * 1024;

Result<pid_t> ForkIntoCgroups(const SpawnSpec& spec) {
  std::vector<char*> argv = CArray(spec.argv);
  std::vector<char*> envp = CArray(spec.env);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return InternalError(std::string("pipe: ") + std::strerror(errno));
  }
  // Mapped, not allocated: a heap block this size would raise malloc's mmap threshold and stay
  // resident in serve after the spawn.
  void* stack = ::mmap(nullptr, kChildStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    const int error = errno;
    ::close(report[0]);
    ::close(report[1]);
    return InternalError(std::string("mmap: ") + std::strerror(error));
  }
  ChildArgs args{&spec, argv.data(), envp.data(), report[1]};
  // No handler of ours may run in the child while it shares our memory: it starts with every
  // signal blocked and resets the dispositions before it clears its mask.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  // The stack grows down on every architecture this builds for (x86_64, aarch64).
  const pid_t pid = ::clone(ChildEntry, static_cast<char*>(stack) + kChildStackBytes,
                            CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  const int clone_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  // CLONE_VFORK: the child has exec'd or exited by now, and no longer uses its stack.
#if defined(__SANITIZE_ADDRESS__)
  // The child ran instrumented code on this stack and left its redzones poisoned in the shadow
  // memory it shares with us; a later mapping at the same address would inherit them.
  __asan_unpoison_memory_region(stack, kChildStackBytes);
#endif
  ::munmap(stack, kChildStackBytes);
  if (pid < 0) {
    ::close(report[0]);
    ::close(report[1]);
    return InternalError(std::string("clone: ") + std::strerror(clone_error));
  }
  ::close(report[1]);
  int message[2] = {0, 0};
  ssize_t got = 0;
  while ((got = ::read(report[0], message, sizeof message)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (got <= 0) return pid;  // end of stream: the exec succeeded
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got != static_cast<ssize_t>(sizeof message)) return InternalError("the child failed before exec");
  if (message[0] == kStageCgroup) {
    return InternalError(std::string("cannot move ") + spec.argv[0] +
                         " into its cgroup: " + std::strerror(message[1]));
  }
  if (message[0] == kStageSetup) {
    return InternalError("cannot prepare " + spec.argv[0] + ": " + std::strerror(message[1]));
  }
  return SpawnError(message[1], spec.argv[0]);
}

}  // namespace

Result<pid_t> SpawnProcessGroup(const SpawnSpec& spec) {
  if (spec.argv.empty()) return InvalidArgumentError("no command to run");
  if (!spec.join_cgroup_fds.empty()) return ForkIntoCgroups(spec);
  SpawnAttributes spawn;
  SetStdio(&spawn.actions, 0, spec.stdin_fd, O_RDONLY);
  SetStdio(&spawn.actions, 1, spec.stdout_fd, O_WRONLY);
  SetStdio(&spawn.actions, 2, spec.stderr_fd, O_WRONLY);
  if (!spec.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&spawn.actions, spec.working_dir.c_str());
  }
  // Lambda's runtime inherits nothing; neither should ours (sockets of the parent, test fds).
  posix_spawn_file_actions_addclosefrom_np(&spawn.actions, 3);

  // Its own process group, so that timeouts and shutdown can kill everything it started. The
  // parent may block SIGINT/SIGTERM in its threads and ignore SIGPIPE (the emulator does); the
  // child must start with a clean mask and default dispositions.
  posix_spawnattr_setpgroup(&spawn.attr, 0);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&spawn.attr, &empty);
  sigset_t defaults;
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  posix_spawnattr_setsigdefault(&spawn.attr, &defaults);
  posix_spawnattr_setflags(&spawn.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv = CArray(spec.argv);
  std::vector<char*> envp = CArray(spec.env);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &spawn.actions, &spawn.attr, argv.data(), envp.data());
  if (rc != 0) return SpawnError(rc, spec.argv[0]);
  return pid;
}

}  // namespace zerostart
