// ProcessTreeMemory: the peak resident memory of a process and all its descendants, read from
// /proc (VmHWM of each process, summed), which is what REPORT's "Max Memory Used" shows —
// measured, unlike RIE, which prints the configured memory size.
//
// The sum of per-process peaks can exceed the true simultaneous peak of the tree; for the usual
// single-process function it is exact.
//
// Cost: the emulator samples after every invoke, on the path to the next hand-over, so a sample
// of a root without descendants is one re-read of the root's open status file plus one re-read of
// each thread's open `children` file (no open, no directory listing). The root's thread list is
// listed again when its thread count changes and at least every kRelistSamples samples, so a
// child forked by a thread that replaced another (same count) is found within that many samples;
// a descendant that starts and exits between two samples is missed, as by any sampler.
// Thread safety: none; callers serialise (FunctionProcess does).
#ifndef ZEROSTART_SRC_EMULATOR_PROCESS_MEMORY_H_
#define ZEROSTART_SRC_EMULATOR_PROCESS_MEMORY_H_

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "src/common/unique_fd.h"

namespace zerostart::emulator {

class ProcessTreeMemory {
 public:
  // REQUIRES: `root` is a live (or not yet reaped) child of this process, so its pid cannot be
  // reused while sampling.
  explicit ProcessTreeMemory(pid_t root) : root_(root) {}

  // Sum of VmHWM in KiB over `root` and its descendants now; processes that are gone or are
  // zombies count 0.
  uint64_t SampleKib();

  // The longest run of samples between two listings of the root's threads.
  static constexpr int kRelistSamples = 64;

 private:
  pid_t root_;
  UniqueFd status_fd_;                        // /proc/<root>/status
  std::vector<UniqueFd> thread_children_fds_;  // /proc/<root>/task/<tid>/children, per thread
  uint64_t listed_threads_ = 0;               // the root's thread count at the last listing
  int samples_since_listing_ = 0;
};

// VmHWM in KiB of the single process `pid` now; 0 if it is gone, a zombie, or unreadable.
// REQUIRES (for a meaningful figure): `pid` cannot have been reused, e.g. an unreaped child.
uint64_t ProcessVmHwmKib(pid_t pid);

// Sum of VmHWM in KiB over every live process whose process group is `pgid` (found by a scan of
// /proc). Unlike ProcessTreeMemory it also counts group members re-parented away from the
// leader (to a subreaper) and misses descendants that left the group. Costs a read of
// /proc/<pid>/stat for every process on the machine.
uint64_t ProcessGroupVmHwmKib(pid_t pgid);

// Parses "VmHWM:   1234 kB" and "Threads: 3" out of a /proc/<pid>/status text (0 if absent).
struct StatusFields {
  uint64_t vm_hwm_kib = 0;
  uint64_t threads = 0;
};
StatusFields ParseProcStatus(std::string_view text);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_PROCESS_MEMORY_H_
