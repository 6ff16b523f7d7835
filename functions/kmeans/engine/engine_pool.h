// EnginePool: the small fork-join pool of the k-means engine. Run(parts, fn) calls fn(0..parts-1)
// once each and returns when all have finished. The calling thread and the woken workers claim
// the parts one at a time from a shared counter, so a part never waits for a worker the OS has
// not scheduled (on a shared machine the caller then runs the parts itself). Built for the
// engine's short, frequent phases (two per Lloyd pass): workers spin briefly before sleeping on
// a futex (std::atomic::wait), so a phase starts in microseconds without a syscall when the
// workers are hot. Which thread runs a part is not fixed: fn must keep its state per part.
//
//   EnginePool pool(3);                     // the caller + 2 worker threads
//   pool.Run(3, [&](size_t part) { ... });  // parts 0, 1, 2 in parallel
//
// Thread safety: Run may be called from one thread at a time (the owner). fn must not throw.
// The destructor joins the workers.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_ENGINE_POOL_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_ENGINE_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace zerostart::kmeans {

class EnginePool {
 public:
  // `threads` >= 1 counts the calling thread: threads - 1 workers are started.
  explicit EnginePool(size_t threads);
  ~EnginePool();
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;

  // The number of parts Run can spread over threads (workers + the caller).
  size_t threads() const { return workers_.size() + 1; }

  // Calls fn(part) for part in [0, parts); REQUIRES: parts <= threads() < 65536.
  void Run(size_t parts, const std::function<void(size_t)>& fn);

 private:
  void WorkerLoop();
  // Claims and runs parts of job `generation` until none is left (or a newer job started).
  void RunClaimed(uint32_t generation);

  std::vector<std::thread> workers_;
  // The current job; an atomic because a worker late for a job may read it while the next Run
  // writes it (it then fails to claim, and never uses what it read).
  std::atomic<const std::function<void(size_t)>*> job_{nullptr};
  std::atomic<uint32_t> generation_{0};  // bumped per Run; workers wait on it
  // The job's generation (bits 32-63), its part count (bits 16-31) and its next unclaimed part
  // (bits 0-15): one word, so that a claim is checked against the count of its own job.
  std::atomic<uint64_t> claim_{0};
  std::atomic<uint32_t> pending_{0};  // parts of the current job not finished
  std::atomic<bool> stop_{false};
};

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_ENGINE_POOL_H_
