// Figures of a live process read from /proc, for the benchmark drivers: CPU time, children,
// /proc/PID/status fields, open descriptors. Every function returns 0 (or nothing) when the
// process is gone or the file cannot be read; none keeps a file open.
//
// Thread safety: all functions may be called from any thread.
#ifndef ZEROSTART_BENCH_PROC_STATS_H_
#define ZEROSTART_BENCH_PROC_STATS_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zerostart::bench {

// The whole text of a (small) file such as /proc/loadavg; empty when unreadable.
std::string ReadProcFile(const std::string& path);

// user + system CPU time of a process (all its threads), in clock ticks (sysconf(_SC_CLK_TCK)).
uint64_t CpuTicks(pid_t pid);

// The children of every thread of `pid`, thread by thread in /proc/PID/task order (serve spawns
// its functions from several threads).
std::vector<pid_t> Children(pid_t pid);

// A "Name:   value" field of /proc/PID/status, e.g. "VmRSS" or "Threads": the number before
// any unit.
uint64_t StatusField(pid_t pid, std::string_view name);

// The entries of /proc/PID/fd.
size_t OpenFds(pid_t pid);

}  // namespace zerostart::bench

#endif  // ZEROSTART_BENCH_PROC_STATS_H_
