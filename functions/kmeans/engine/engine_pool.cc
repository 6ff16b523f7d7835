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
    workers_.emplace_back([this] { WorkerLoop(); });
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
  // Every part of the previous job was claimed and finished (pending_ reached 0), so no thread
  // can claim against the old generation any more: the job can be replaced, then published.
  job_.store(&fn, std::memory_order_relaxed);
  pending_.store(static_cast<uint32_t>(parts), std::memory_order_relaxed);
  const uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
  claim_.store(uint64_t{generation} << 32 | uint64_t{parts} << 16, std::memory_order_release);
  generation_.store(generation, std::memory_order_release);
  generation_.notify_all();
  RunClaimed(generation);
  for (int spin = 0;; ++spin) {
    const uint32_t left = pending_.load(std::memory_order_acquire);
    if (left == 0) break;
    if (spin < kSpinIterations) {
      CpuRelax();
    } else {
      pending_.wait(left, std::memory_order_acquire);
    }
  }
}

void EnginePool::RunClaimed(uint32_t generation) {
  uint64_t seen = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(seen >> 32) != generation) return;  // a newer job
    const auto part = static_cast<uint32_t>(seen & 0xffff);
    if (part >= static_cast<uint32_t>((seen >> 16) & 0xffff)) return;  // all claimed
    // A successful exchange claims `part` of this generation's job: that job cannot finish,
    // and so cannot be replaced, before this part is done.
    if (!claim_.compare_exchange_weak(seen, seen + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
      continue;  // `seen` was reloaded
    }
    (*job_.load(std::memory_order_relaxed))(part);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    seen = claim_.load(std::memory_order_acquire);
  }
}

void EnginePool::WorkerLoop() {
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
    RunClaimed(now);
  }
}

}  // namespace zerostart::kmeans
