// Runner: measures one function at one memory setting with an in-process emulator (the one
// `zerostart serve --memory MB` runs: the function's CPU and memory limits are the emulator's)
// invoked over loopback HTTP, as a Lambda caller would.
//   cold: `cold_starts` times a fresh Emulator (not eager) whose first invoke spawns the
//         function: client send -> response (spawn included), REPORT Init Duration, Duration,
//         Max Memory Used;
//   warm: one more Emulator; its first invoke (the spawn) and each workload's warm-ups are
//         recorded as warm-ups, then the samples.
// A failed invoke (function error, crash, Sandbox.Timedout, connection error) is recorded with
// its error and the run goes on. Cancel() (from any thread, e.g. on SIGINT) stops the current
// emulator — which kills the function's process group — and makes the Run* calls return.
// Thread safety: Run* from one thread at a time; Cancel() and cancelled() from any thread.
#ifndef ZEROSTART_SRC_BENCHMARK_RUNNER_H_
#define ZEROSTART_SRC_BENCHMARK_RUNNER_H_

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "src/emulator/emulator.h"
#include "src/benchmark/plan.h"
#include "src/benchmark/results.h"

namespace zerostart::benchmark {

// Called after each invoke with what was measured and the estimate of its cost (ms).
using SampleCallback = std::function<void(const std::string& what, double estimated_ms)>;

class Runner {
 public:
  explicit Runner(double timeout_seconds) : timeout_seconds_(timeout_seconds) {}
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Appends the cell's cold samples, then its warm samples, to `out` (the samples taken before
  // a Cancel() stay). Returns early once cancelled.
  void RunCell(const FunctionPlan& function, const Cell& cell, CellResult* out,
               const SampleCallback& on_sample);

  void Cancel();
  bool cancelled() const { return cancelled_.load(); }

 private:
  // A started emulator for `function` at `memory_mb`, registered for Cancel(); nullptr (and an
  // error sample appended to `out`) when it cannot start.
  std::unique_ptr<emulator::Emulator> Start(const FunctionPlan& function, int memory_mb,
                                            emulator::LogSink* sink, std::string* error);
  void Release(std::unique_ptr<emulator::Emulator> emulator);

  const double timeout_seconds_;
  std::atomic<bool> cancelled_{false};
  std::mutex mutex_;
  emulator::Emulator* current_ = nullptr;  // guarded by mutex_
};

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_RUNNER_H_
