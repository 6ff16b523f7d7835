#include "src/cli/build_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "src/common/spawn.h"
#include "src/common/unique_fd.h"

namespace zerostart::cli {
namespace {

constexpr size_t kKeptOutputBytes = 64 * 1024;
constexpr std::chrono::seconds kTermGrace{2};

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with status " + std::to_string(status);
}

// Reaps `pid` if it exits within `limit` (a pidfd becomes readable when it does); false if not:
// the group's leader may ignore SIGTERM.
bool WaitFor(pid_t pid, std::chrono::milliseconds limit, int* status) {
  // The system call itself: glibc 2.36's <sys/pidfd.h> lacks C linkage for C++ callers.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() >= 0) {
    pollfd exited{pidfd.get(), POLLIN, 0};
    while (::poll(&exited, 1, static_cast<int>(limit.count())) < 0 && errno == EINTR) {
    }
  }
  return ::waitpid(pid, status, WNOHANG) == pid;
}

}  // namespace

BuildOutcome RunBuild(const std::string& command, const std::string& dir, const std::vector<std::string>& env,
                      int cancel_fd) {
  BuildOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&] {
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
  };
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    outcome.what = std::string("pipe: ") + std::strerror(errno);
    return finish();
  }
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c", command};
  spec.env = env;
  spec.working_dir = dir;
  spec.stdout_fd = write_end.get();
  spec.stderr_fd = write_end.get();
  Result<pid_t> pid = SpawnProcessGroup(spec);
  write_end.Reset();
  if (!pid.ok()) {
    outcome.what = "cannot start /bin/sh: " + pid.status().message();
    return finish();
  }
  bool cancelled = false;
  char buffer[16 * 1024];
  auto keep = [&](ssize_t got) {
    outcome.output.append(buffer, static_cast<size_t>(got));
    if (outcome.output.size() > 2 * kKeptOutputBytes) outcome.output.erase(0, outcome.output.size() - kKeptOutputBytes);
  };
  // The build has ended when the shell has exited, not when its output closes: a server it left
  // running (a compiler cache's daemon) may hold the pipe open for ever.
  UniqueFd exited(static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0)));
  for (;;) {
    pollfd fds[3] = {{read_end.get(), POLLIN, 0}, {exited.get(), POLLIN, 0}, {cancel_fd, POLLIN, 0}};
    if (::poll(fds, cancel_fd >= 0 ? 3 : 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (cancel_fd >= 0 && (fds[2].revents & POLLIN) != 0) {
      cancelled = true;
      break;
    }
    if ((fds[0].revents & (POLLIN | POLLHUP)) != 0) {
      const ssize_t got = ::read(read_end.get(), buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        keep(got);
        continue;
      }
      if (exited.get() < 0) break;  // no pidfd: the end of the output is the end of the build
      read_end.Reset();             // closed; the shell's exit is still to come
    }
    if (exited.get() >= 0 && (fds[1].revents & POLLIN) != 0) {
      // What the shell wrote before it exited is in the pipe: take it, without waiting for more.
      if (read_end.get() >= 0) {
        ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
        for (ssize_t got; (got = ::read(read_end.get(), buffer, sizeof buffer)) > 0;) keep(got);
      }
      break;
    }
  }
  if (outcome.output.size() > kKeptOutputBytes) outcome.output.erase(0, outcome.output.size() - kKeptOutputBytes);
  int status = 0;
  if (cancelled) {
    ::kill(-*pid, SIGTERM);
    if (!WaitFor(*pid, kTermGrace, &status)) {
      ::kill(-*pid, SIGKILL);
      ::waitpid(*pid, &status, 0);
    }
    ::kill(-*pid, SIGKILL);  // whatever of the group outlived its leader
    outcome.interrupted = true;
    outcome.what = "interrupted";
    return finish();
  }
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::kill(-*pid, SIGKILL);  // a compiler left running in the background is not the build's result
  outcome.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!outcome.ok) outcome.what = Describe(status);
  return finish();
}

}  // namespace zerostart::cli
