// Samples with known numbers, for tests of what is computed from them.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_TESTING_SAMPLES_H_
#define ZEROSTART_SRC_BENCHMARK_TESTING_SAMPLES_H_

#include <cstdint>
#include <string>

#include "src/benchmark/results.h"

namespace zerostart::benchmark::testing {

// A successful warm invoke of `workload`: REPORT Duration `ms`, the caller 0.1 ms more.
inline Sample Warm(const std::string& workload, double ms, uint64_t mb, bool warmup = false) {
  Sample s;
  s.kind = "warm";
  s.workload = workload;
  s.warmup = warmup;
  s.ok = true;
  s.client_ms = ms + 0.1;
  s.duration_ms = ms;
  s.max_memory_mb = mb;
  return s;
}

// A successful cold start of `ms` at the caller: Duration half of it, Init Duration a quarter.
inline Sample Cold(double ms, uint64_t mb) {
  Sample s;
  s.kind = "cold";
  s.workload = "cold";
  s.ok = true;
  s.client_ms = ms;
  s.duration_ms = ms / 2;
  s.init_duration_ms = ms / 4;
  s.max_memory_mb = mb;
  return s;
}

}  // namespace zerostart::benchmark::testing

#endif  // ZEROSTART_SRC_BENCHMARK_TESTING_SAMPLES_H_
