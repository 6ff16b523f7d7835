// Results: what `zerostart bench` measured — every sample of every (function, memory setting),
// the prices it was costed at, the machine and the commit — as plain values, filled by RunBench
// and read by the report writers.
// Thread safety: value types.
#ifndef ZEROSTART_SRC_BENCHMARK_RESULTS_H_
#define ZEROSTART_SRC_BENCHMARK_RESULTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/benchmark/pricing.h"

namespace zerostart::benchmark {

// One invoke.
struct Sample {
  std::string kind;      // "cold" (a fresh function process) or "warm"
  std::string workload;  // the workload label ("cold" samples: the cold payload's)
  bool warmup = false;   // discarded from the statistics
  bool ok = false;       // false: the invoke failed (error set)
  std::string error;     // e.g. "Sandbox.Timedout", "Runtime.ExitError: ...", "connection: ..."
  double client_ms = 0;  // send -> whole response, as the caller saw it (cold: includes spawn)
  std::optional<double> duration_ms;       // REPORT Duration
  std::optional<double> init_duration_ms;  // REPORT Init Duration (first invoke of a process)
  std::optional<uint64_t> max_memory_mb;   // REPORT Max Memory Used
};

struct CellResult {
  std::string function;  // FunctionPlan::name
  int memory_mb = 0;
  std::vector<Sample> samples;
};

struct Machine {
  std::string cpu_model;
  int cores = 0;  // online CPUs
  std::string kernel;  // uname -srvm
  std::string hostname;
};

struct SkippedFunction {
  std::string function;
  std::string reason;
};

// A function as given: its name, what the user named (a binary or a zip), the bootstrap run and
// the architecture it is priced as ("x86_64" | "arm64": its ELF's, else x86_64).
struct FunctionInfo {
  std::string name;
  std::string source;
  std::string bootstrap;
  std::string arch;
};

struct BenchResults {
  bool quick = false;
  std::string arch;  // "x86_64" | "arm64" when --arch prices every function so; "" otherwise
  Prices prices;
  std::vector<FunctionInfo> functions;
  bool complete = false;     // false: interrupted (SIGINT) — the samples so far
  std::string commit;        // "" when unknown
  Machine machine;
  std::string started_utc;   // RFC 3339
  double wall_seconds = 0;
  std::vector<int> memory_mb;
  std::vector<SkippedFunction> skipped;
  std::vector<CellResult> cells;
};

// The machine this runs on, from /proc/cpuinfo, sysconf and uname(2).
Machine DescribeMachine();

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_RESULTS_H_
