// RunBench: the whole plan — every function (skipped ones noted), every memory setting — run
// through a Runner, with progress, into BenchResults (complete = false when cancelled).
// Thread safety: one call at a time; the runner may be cancelled from another thread.
#ifndef ZEROSTART_SRC_BENCHMARK_RUN_BENCH_H_
#define ZEROSTART_SRC_BENCHMARK_RUN_BENCH_H_

#include <string>

#include "src/benchmark/plan.h"
#include "src/benchmark/progress.h"
#include "src/benchmark/results.h"
#include "src/benchmark/runner.h"

namespace zerostart::benchmark {

// `results` comes in with what the caller knows (functions, arch, prices, machine, commit);
// RunBench adds the plan's settings, the samples, the start time and the wall time.
void RunBench(const Plan& plan, Runner& runner, Progress& progress, BenchResults* results);

// "2026-12-03T14:39:30Z".
std::string UtcNow();

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_RUN_BENCH_H_
