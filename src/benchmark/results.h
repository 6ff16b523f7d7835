// Results: what the study measured — every sample of every (function, memory setting), the
// machine and the commit — as plain values, filled by RunStudy and read by the report writers.
// Thread safety: value types.
#ifndef ZEROSTART_SRC_STUDY_RESULTS_H_
#define ZEROSTART_SRC_STUDY_RESULTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zerostart::study {

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
  std::string runtime;   // "native" | "jvm"
  std::string workload;  // "kmeans" | "sin" | "echo"
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

struct StudyResults {
  bool quick = false;
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

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_RESULTS_H_
