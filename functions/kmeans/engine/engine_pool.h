// EnginePool: the small fork-join pool of the k-means engine. Run(parts, fn) calls fn(0..parts-1)
// once each, part 0 on the calling thread and the others on the pool's workers, and returns
// when all have finished. Built for the engine's short, frequent phases (two per Lloyd pass):
// workers spin briefly before sleeping on a futex (std::atomic::wait), so a phase starts in
// microseconds without a syscall when the workers are hot.
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

  // Calls fn(part) for part in [0, parts); REQUIRES: parts <= threads().
  void Run(size_t parts, const std::function<void(size_t)>& fn);

 private:
  void WorkerLoop(size_t part);

  std::vector<std::thread> workers_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t job_parts_ = 0;
  std::atomic<uint32_t> generation_{0};  // bumped per Run; workers wait on it
  std::atomic<uint32_t> pending_{0};     // workers still running the current job
  std::atomic<bool> stop_{false};
};

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_ENGINE_POOL_H_
