// Test-only: what a thread is blocked in, from /proc, so that a test waits for the state it
// needs (a reader blocked in read(2), a waiter in its condition variable, a function in pause())
// instead of sleeping and hoping the other thread got there. Linux only; header-only.
//
// /proc/<pid>/task/<tid>/syscall holds "running" while the thread runs or is runnable, and the
// number and arguments of the system call it is blocked in otherwise (readable for our own
// threads and, as their parent, for our children).
#ifndef ZEROSTART_SRC_COMMON_TESTING_THREAD_PROBE_H_
#define ZEROSTART_SRC_COMMON_TESTING_THREAD_PROBE_H_

#include <linux/futex.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace zerostart::thread_probe {

// The calling thread's id, for another thread to watch.
inline pid_t CurrentTid() { return ::gettid(); }

struct BlockedCall {
  long number = -1;                    // SYS_read, SYS_futex, ...
  std::array<unsigned long, 6> args{};  // its arguments as passed
};

// The system call thread `tid` of process `pid` (0: this process) is blocked in; nullopt while
// it runs, is runnable, is gone or cannot be read.
inline std::optional<BlockedCall> Blocked(pid_t tid, pid_t pid = 0) {
  const std::string proc = pid == 0 ? std::string("/proc/self") : "/proc/" + std::to_string(pid);
  std::ifstream file(proc + "/task/" + std::to_string(tid) + "/syscall");
  BlockedCall call;
  if (!(file >> call.number) || call.number < 0) return std::nullopt;  // "running", or not in a call
  for (unsigned long& arg : call.args) {
    std::string word;
    if (!(file >> word)) return std::nullopt;
    arg = std::stoul(word, nullptr, 16);
  }
  return call;
}

// Thread `tid` of this process is blocked in read(2) on `fd` (e.g. waiting for more bytes).
inline bool BlockedReading(pid_t tid, int fd) {
  std::optional<BlockedCall> call = Blocked(tid);
  return call && call->number == SYS_read && call->args[0] == static_cast<unsigned long>(fd);
}

// Thread `tid` of this process is blocked in a condition variable wait. glibc waits for a
// condition variable with FUTEX_WAIT_BITSET and for a mutex with plain FUTEX_WAIT, so a thread
// that only waits for a lock is not counted.
inline bool BlockedInConditionWait(pid_t tid) {
  std::optional<BlockedCall> call = Blocked(tid);
  return call && call->number == SYS_futex &&
         (static_cast<int>(call->args[1]) & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET;
}

// Bytes received on socket `fd` and not read yet (FIONREAD); -1 on error.
inline int UnreadBytes(int fd) {
  int bytes = 0;
  return ::ioctl(fd, FIONREAD, &bytes) == 0 ? bytes : -1;
}

// Bytes written to TCP socket `fd` and not yet acknowledged by the peer (SIOCOUTQ); -1 on error.
// 0 on a loopback connection: the peer's kernel has them all.
inline int UnackedBytes(int fd) {
  int bytes = 0;
  return ::ioctl(fd, SIOCOUTQ, &bytes) == 0 ? bytes : -1;
}

// Polls `condition` every millisecond until it holds (true) or `timeout` passes (false). The
// timeout only bounds a failing test: a passing one waits for the condition, not the clock.
inline bool PollUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace zerostart::thread_probe

#endif  // ZEROSTART_SRC_COMMON_TESTING_THREAD_PROBE_H_
