// CPU budget: how many worker threads a function should run, from the CPU it is really given
// rather than from the cores it can see. On Lambda `nproc` says 2 even at 128 MB, where the
// function gets 7 % of one CPU: CPU is proportional to memory, one vCPU at 1,769 MB (AWS Lambda
// Developer Guide, "Configure Lambda function memory",
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
//
// The rule (WorkerThreads):
//   threads = max(1, min(visible,
//                        ceil(quota_us / period_us)   if a CFS quota is set,
//                        ceil(memory_mb / 1769)       if AWS_LAMBDA_FUNCTION_MEMORY_SIZE is set))
// Lambda gives one vCPU per 1,769 MB, linearly, up to ~5.79 vCPU at 10,240 MB (6 visible).
//
// Why round up: a CFS quota caps the CPU time of the whole group per period, not the number of
// threads that may run. A fractional share s on at least ceil(s) visible cores is spent fastest
// by ceil(s) threads: at 3,008 MB (1.7 vCPU) one thread gets at most 1.0 CPU, two threads get
// the full 1.7 (both run until the group's quota is spent, then both wait for the next period);
// rounding down would leave 0.7 vCPU unused. Throttling stops every thread of the group at the
// same moment, so an extra thread does not create stragglers at a per-pass barrier — that only
// happens with more threads than visible cores, which the `visible` bound prevents. Below one
// vCPU (e.g. 1,024 MB = 0.58) the result is 1: a second thread would only add switching.
//
// Thread safety: every function is safe to call concurrently (no shared state).
#ifndef ZEROSTART_SRC_COMMON_CPU_BUDGET_H_
#define ZEROSTART_SRC_COMMON_CPU_BUDGET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "src/common/env.h"

namespace zerostart {

// A CFS bandwidth limit: `quota_us` of CPU time per `period_us` of wall time, for the whole
// cgroup. Both are > 0.
struct CpuQuota {
  int64_t quota_us = 0;
  int64_t period_us = 0;

  double Cpus() const { return static_cast<double>(quota_us) / static_cast<double>(period_us); }
  // ceil(quota / period), at least 1.
  int64_t WholeCpus() const;
  bool operator==(const CpuQuota&) const = default;
};

// What WorkerThreads decided from, and its result (for logs and responses).
struct CpuBudget {
  int threads = 1;
  std::optional<int64_t> memory_mb;  // AWS_LAMBDA_FUNCTION_MEMORY_SIZE, when set and valid
  std::optional<CpuQuota> quota;     // the tightest CFS quota on the process's cgroup path
  int visible_cpus = 1;              // CPUs in the affinity mask
};

// The rule above, pure. `memory_mb` and `quota` absent mean "no limit from that source";
// `visible_cpus` < 1 counts as 1.
int ThreadsFor(std::optional<int64_t> memory_mb, std::optional<CpuQuota> quota, int visible_cpus);

// AWS_LAMBDA_FUNCTION_MEMORY_SIZE from `env`: a positive decimal integer of MB (surrounding
// whitespace tolerated). nullopt when unset, empty, not a number, or not positive.
std::optional<int64_t> MemoryMbFromEnv(const EnvMap& env);

// cgroup v2 `cpu.max` text: "max 100000" (no limit) -> nullopt, "50000 100000" -> {50000,
// 100000}; a missing period means the default 100000 µs. Anything else (garbage, zero or
// negative values, trailing junk) -> nullopt.
std::optional<CpuQuota> ParseCpuMax(std::string_view text);

// cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us` texts: quota "-1" (no limit), garbage or
// non-positive values -> nullopt.
std::optional<CpuQuota> ParseCfsQuota(std::string_view quota_text, std::string_view period_text);

// The tightest CPU quota on the calling process's cgroup, read from the filesystem under
// `root` ("/" normally; a fake tree in tests): `root`/proc/self/cgroup names the process's
// cgroup in each hierarchy (v2 "0::/path", v1 "N:cpu,cpuacct:/path"), `root`/proc/self/mountinfo
// where those hierarchies are mounted (v2 fstype "cgroup2"; v1 fstype "cgroup" with the `cpu`
// controller in its super options; the mount's root is stripped from the cgroup path, as in a
// container with a cgroup namespace or a bind mount). The quota files of the process's group
// and of every ancestor up to the mount point are read (a parent's limit binds its children
// too); the smallest quota/period wins. nullopt when no hierarchy has a quota, and whenever
// files are missing or malformed: this never fails, it only finds fewer limits.
std::optional<CpuQuota> ReadCgroupCpuQuota(const std::string& root = "/");

// CPUs the calling thread may run on (sched_getaffinity), at least 1.
int VisibleCpus();

// The whole decision for the current process: memory from `env`, quota from the cgroup files
// under `root`, VisibleCpus(). Call once at start-up (it reads a few small files).
CpuBudget ReadCpuBudget(const EnvMap& env, const std::string& root = "/");

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_CPU_BUDGET_H_
