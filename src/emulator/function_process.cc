#include "src/emulator/function_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "src/common/spawn.h"

namespace zerostart::emulator {

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

  SpawnSpec spec;
  spec.argv.reserve(options.args.size() + 1);
  spec.argv.push_back(options.path);
  spec.argv.insert(spec.argv.end(), options.args.begin(), options.args.end());
  spec.env.reserve(options.env.size());
  for (const auto& [key, value] : options.env) spec.env.push_back(key + "=" + value);
  spec.working_dir = options.working_dir;
  spec.stdin_fd = kSpawnDevNull;
  spec.stdout_fd = out_write.get();
  spec.stderr_fd = err_write.get();
  spec.join_cgroup_fds = options.join_cgroup_fds;
  ZS_ASSIGN_OR_RETURN(pid_t pid, SpawnProcessGroup(spec));
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
