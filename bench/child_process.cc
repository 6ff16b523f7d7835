#include "bench/child_process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace zerostart::bench {
namespace {

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

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The process group of `pid` from /proc/<pid>/stat (field 5, after the parenthesised command
// name, which may itself contain spaces or parentheses), or -1.
pid_t ProcessGroupOf(const char* pid) {
  const std::string stat = ReadSmallFile(std::string("/proc/") + pid + "/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  long ppid = 0;
  long pgrp = -1;
  fields >> state >> ppid >> pgrp;
  return fields ? static_cast<pid_t>(pgrp) : -1;
}

}  // namespace

uint64_t ParseVmHwmKib(const std::string& status_text) {
  static constexpr std::string_view kKey = "VmHWM:";
  size_t at = status_text.find(kKey);
  if (at == std::string::npos) return 0;
  return std::strtoull(status_text.c_str() + at + kKey.size(), nullptr, 10);
}

Result<ChildProcess> ChildProcess::Spawn(const ChildOptions& options) {
  if (options.argv.empty()) return InvalidArgumentError("no command to run");
  SpawnAttributes spawn;
  posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
  if (options.show_output) {
    posix_spawn_file_actions_adddup2(&spawn.actions, 2, 1);
  } else {
    posix_spawn_file_actions_addopen(&spawn.actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&spawn.actions, 2, "/dev/null", O_WRONLY, 0);
  }
  posix_spawn_file_actions_addclosefrom_np(&spawn.actions, 3);
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

  std::vector<std::string> argv_storage = options.argv;
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage = options.env;
  std::vector<char*> envp;
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &spawn.actions, &spawn.attr, argv.data(), envp.data());
  if (rc != 0) {
    std::string message = "cannot start " + options.argv[0] + ": " + std::strerror(rc);
    return rc == ENOENT ? NotFoundError(message) : FailedPreconditionError(message);
  }
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
  if (reaped_) return 0;
  return ParseVmHwmKib(ReadSmallFile("/proc/" + std::to_string(pid_) + "/status"));
}

uint64_t ChildProcess::GroupPeakRssKib() const {
  if (reaped_) return 0;
  uint64_t total = 0;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    if (ProcessGroupOf(entry->d_name) != pid_) continue;
    total += ParseVmHwmKib(ReadSmallFile(std::string("/proc/") + entry->d_name + "/status"));
  }
  ::closedir(proc);
  return total;
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
