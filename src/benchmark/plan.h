// Plan: what `zerostart bench` measures — the functions (bootstraps), the memory settings, the
// workloads (payloads) per function and how many samples of each, sized so that the full study
// stays under 30 minutes and --quick under 5 on a 2-vCPU machine once the emulator throttles the
// CPU in proportion to memory (1,769 MB = one vCPU; 128 MB = 7.2 % of a core).
// Thread safety: value types and pure functions.
#ifndef ZEROSTART_SRC_STUDY_PLAN_H_
#define ZEROSTART_SRC_STUDY_PLAN_H_

#include <map>
#include <string>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "zerostart/status.h"

namespace zerostart::study {

// Lambda's memory range (MB) and the CPU reference point (one vCPU), named in lambda_protocol.h.
inline constexpr int kMinMemoryMb = lambda::kMinMemoryMb;
inline constexpr int kMaxMemoryMb = lambda::kMaxMemoryMb;
inline constexpr int kOneVcpuMemoryMb = lambda::kMemoryMbPerVcpu;

// One payload measured warm: `warmups` invokes discarded, then `samples` kept.
struct Workload {
  std::string label;    // e.g. "n=100000,d=3,k=8"
  std::string payload;  // the event JSON
  int warmups = 1;
  int samples = 1;
  double cost_ms = 1;   // estimated duration of one invoke at this memory setting (for the ETA)
};

// One function at one memory setting: the cold starts, then the warm workloads.
struct Cell {
  int memory_mb = 0;
  int cold_starts = 0;
  std::string cold_payload;  // the first (cold) invoke's event
  double cold_cost_ms = 1;   // estimated spawn + first invoke
  std::vector<Workload> workloads;
};

struct FunctionPlan {
  std::string name;      // "kmeans", "java-kmeans", "sin", "java-sin", "echo"
  std::string runtime;   // "native" or "jvm"
  std::string workload;  // "kmeans", "sin" or "echo": which functions are comparable
  std::string bootstrap; // path; empty when missing
  std::string missing_reason;  // why it is skipped ("" = it runs)
  std::vector<Cell> cells;     // one per memory setting, in the plan's order
};

struct Plan {
  bool quick = false;
  std::vector<int> memory_mb;
  std::vector<FunctionPlan> functions;
  double timeout_seconds = 120;  // per invoke
};

// What the command line chooses. Empty lists mean the defaults.
struct PlanOptions {
  bool quick = false;
  std::vector<std::string> functions;    // default: every known function
  std::vector<int> memory_mb;            // default: 128 256 512 1024 1769 3008
  int cold_starts = 0;                   // --runs: 0 = default (10, quick 2)
  int sin_iterations = 0;                // 0 = default (10,000,000, quick 1,000,000)
  double timeout_seconds = 120;
  std::string bin_dir;                   // where kmeans, sin, echo are
  std::string java_kmeans_bootstrap;     // examples/java-kmeans/package/bootstrap
  std::string java_sin_bootstrap;        // examples/java-sin/package/bootstrap
  std::map<std::string, std::string> bootstrap_overrides;  // --bootstrap NAME=PATH
  std::map<std::string, std::string> payload_overrides;    // --payload NAME=JSON
};

// The functions `zerostart bench` knows, in report order.
const std::vector<std::string>& KnownFunctions();
// 128, 256, 512, 1024, 1769, 3008.
const std::vector<int>& DefaultMemorySettings();

// InvalidArgument (message fit for the user) unless 128 <= mb <= 10240.
Status ValidateMemory(int memory_mb);
// "128,256" -> {128, 256}; InvalidArgument for a non-number or a setting out of range.
Result<std::vector<int>> ParseMemoryList(const std::string& text);
// "echo,sin" -> {"echo", "sin"}; InvalidArgument for a function not in KnownFunctions().
Result<std::vector<std::string>> ParseFunctionList(const std::string& text);

// Warm samples at `memory_mb`: `full` at 1,769 MB and above, fewer below (in proportion to
// the CPU share), never below `floor`.
int SamplesAt(int full, int floor, int memory_mb);
// How much slower a single-threaded invoke runs at `memory_mb` than at one vCPU (1 from 1,769
// MB up): the CPU share Lambda gives is memory / 1,769 MB.
double SlowdownAt(int memory_mb);

// The plan for `options`. A function whose bootstrap is missing stays in the plan with
// `missing_reason` set and no cells. InvalidArgument for bad options (memory, runs, lists).
Result<Plan> BuildPlan(const PlanOptions& options);

// Estimated wall time of the whole plan, in seconds (the sum of the cells' cost estimates).
double EstimatedSeconds(const Plan& plan);
// Number of invokes the plan makes (cold starts + warm-ups + samples).
int TotalInvokes(const Plan& plan);

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_PLAN_H_
