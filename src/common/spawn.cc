#include "src/common/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include <cstring>

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

}  // namespace

Result<pid_t> SpawnProcessGroup(const SpawnSpec& spec) {
  if (spec.argv.empty()) return InvalidArgumentError("no command to run");
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
