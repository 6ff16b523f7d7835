#include "src/emulator/function_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace zerostart::emulator {
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
};

Status SpawnError(int error, const std::string& path) {
  std::string message = "cannot start " + path + ": " + std::strerror(error);
  if (error == ENOENT) return NotFoundError(message);
  if (error == EACCES || error == ENOEXEC || error == EISDIR) return FailedPreconditionError(message);
  return InternalError(message);
}

}  // namespace

Result<std::unique_ptr<FunctionProcess>> FunctionProcess::Spawn(const SpawnOptions& options,
                                                                LogSink* sink, ExitCallback on_exit) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return InternalError(std::string("pipe: ") + std::strerror(errno));
  UniqueFd out_read(out_pipe[0]);
  UniqueFd out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return InternalError(std::string("pipe: ") + std::strerror(errno));
  UniqueFd err_read(err_pipe[0]);
  UniqueFd err_write(err_pipe[1]);

  SpawnAttributes spawn;
  posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&spawn.actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&spawn.actions, err_write.get(), 2);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&spawn.actions, options.working_dir.c_str());
  }
  // Lambda's runtime inherits nothing; neither should ours (sockets of the emulator, test fds).
  posix_spawn_file_actions_addclosefrom_np(&spawn.actions, 3);

  // Its own process group, so that timeouts and shutdown can kill everything it started. The
  // emulator blocks SIGINT/SIGTERM in its threads and ignores SIGPIPE; the function must start
  // with a clean mask and default dispositions.
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

  std::vector<std::string> argv_storage;
  argv_storage.push_back(options.path);
  argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  env_storage.reserve(options.env.size());
  for (const auto& [key, value] : options.env) env_storage.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, options.path.c_str(), &spawn.actions, &spawn.attr, argv.data(),
                         envp.data());
  if (rc != 0) return SpawnError(rc, options.path);
  // Our copies of the write ends must go, or the pipes never reach end of stream.
  out_write.Reset();
  err_write.Reset();

  auto forwarder = std::make_unique<OutputForwarder>(std::move(out_read), std::move(err_read), sink);
  return std::unique_ptr<FunctionProcess>(
      new FunctionProcess(pid, std::move(forwarder), std::move(on_exit)));
}

FunctionProcess::FunctionProcess(pid_t pid, std::unique_ptr<OutputForwarder> forwarder,
                                 ExitCallback on_exit)
    : pid_(pid), forwarder_(std::move(forwarder)), on_exit_(std::move(on_exit)), memory_(pid) {
  reaper_ = std::thread([this] { ReaperMain(); });
}

FunctionProcess::~FunctionProcess() {
  Signal(SIGKILL);
  if (reaper_.joinable()) reaper_.join();
  // A descendant that left the process group may still hold the pipes; do not wait for it long.
  forwarder_->Stop(std::chrono::milliseconds(100));
}

void FunctionProcess::ReaperMain() {
  // Wait without reaping: while the root is a zombie its pid (= the group id) cannot be reused,
  // so the group kill below cannot hit a stranger.
  siginfo_t info;
  std::memset(&info, 0, sizeof(info));
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    peak_rss_kib_ = std::max(peak_rss_kib_, memory_.SampleKib());
    ::kill(-pid_, SIGKILL);
    int status = 0;
    rusage usage;
    std::memset(&usage, 0, sizeof(usage));
    while (::wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    // ru_maxrss is in KiB on Linux.
    peak_rss_kib_ = std::max(peak_rss_kib_, static_cast<uint64_t>(usage.ru_maxrss));
    exit_info_ = ExitInfo{status, peak_rss_kib_};
    reaped_ = true;
  }
  exited_cv_.notify_all();
  if (on_exit_) on_exit_();
}

void FunctionProcess::Signal(int signal) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reaped_) ::kill(-pid_, signal);
}

void FunctionProcess::Terminate(std::chrono::milliseconds grace) {
  Signal(SIGTERM);
  if (WaitForExit(grace)) return;
  Signal(SIGKILL);
  std::unique_lock<std::mutex> lock(mutex_);
  exited_cv_.wait(lock, [this] { return reaped_; });
}

bool FunctionProcess::WaitForExit(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return exited_cv_.wait_for(lock, timeout, [this] { return reaped_; });
}

std::optional<ExitInfo> FunctionProcess::exit_info() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return exit_info_;
}

uint64_t FunctionProcess::PeakRssKib() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!reaped_) peak_rss_kib_ = std::max(peak_rss_kib_, memory_.SampleKib());
  return peak_rss_kib_;
}

}  // namespace zerostart::emulator
