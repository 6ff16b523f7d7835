#include "functions/kmeans/engine/engine_pool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace zerostart::kmeans {
namespace {

// Polls before sleeping: a Lloyd pass's phases come back-to-back, and a futex wake costs tens
// of microseconds on this VM, about as long as one phase of n=100000 d=3 k=8 (2 threads were
// no faster than 1 with 256 polls, 1.1x with 4096). 4096 pause instructions are tens of µs of
// polling, longer than the serial gap between two phases, so hot workers rarely sleep
// mid-clustering.
constexpr int kSpinIterations = 4096;

inline void CpuRelax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

EnginePool::EnginePool(size_t threads) {
  for (size_t part = 1; part < threads; ++part) {
    workers_.emplace_back([this, part] { WorkerLoop(part); });
  }
}

EnginePool::~EnginePool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void EnginePool::Run(size_t parts, const std::function<void(size_t)>& fn) {
  if (parts <= 1 || workers_.empty()) {
    for (size_t part = 0; part < parts; ++part) fn(part);
    return;
  }
  job_ = &fn;
  job_parts_ = parts;
  pending_.store(static_cast<uint32_t>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);  // publishes job_ and job_parts_
  generation_.notify_all();
  fn(0);
  for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpinIterations) {
      CpuRelax();
    } else {
      const uint32_t left = pending_.load(std::memory_order_acquire);
      if (left != 0) pending_.wait(left, std::memory_order_acquire);
    }
  }
  job_ = nullptr;
}

void EnginePool::WorkerLoop(size_t part) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t now = generation_.load(std::memory_order_acquire);
    for (int spin = 0; now == seen; ++spin) {
      if (spin < kSpinIterations) {
        CpuRelax();
      } else {
        generation_.wait(seen, std::memory_order_acquire);
      }
      now = generation_.load(std::memory_order_acquire);
    }
    seen = now;
    if (stop_.load(std::memory_order_acquire)) return;
    if (part < job_parts_) (*job_)(part);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

}  // namespace zerostart::kmeans
