// Plan: what `zerostart bench` measures — the functions (bootstraps), the memory settings, the
// payloads (workloads) and how many samples of each — and the estimate of how long it takes
// once the emulator gives each setting Lambda's CPU share (1,769 MB = one vCPU; 128 MB = 7.2 %
// of a core).
//
// For every function × memory setting: `cold` fresh processes, each invoked once with the cold
// payload (the function's `cold_payload`, by default its first payload); then one more process,
// invoked with each payload `warmups` times (discarded) and `warm` times (kept).
// Thread safety: value types and pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_PLAN_H_
#define ZEROSTART_SRC_BENCHMARK_PLAN_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

// Lambda's memory range (MB) and the CPU reference point (one vCPU), named in lambda_protocol.h.
inline constexpr int kMinMemoryMb = lambda::kMinMemoryMb;
inline constexpr int kMaxMemoryMb = lambda::kMaxMemoryMb;
inline constexpr int kOneVcpuMemoryMb = lambda::kMemoryMbPerVcpu;

// One payload and how to sample it. Zero or negative counts mean "the plan's default".
struct PayloadSpec {
  std::string label;    // "" = derived from the payload (PayloadLabel)
  std::string payload;  // the event: JSON text
  int warm = 0;         // samples kept per setting
  int warmups = -1;     // invokes discarded before them
  int min_warm = 0;     // > 0: `warm` applies at one vCPU and shrinks with the CPU share, never below this
  double estimated_ms = 0;  // one invoke at one vCPU, for the time estimate (0 = unknown)
  bool quick = true;        // measured by --quick too
};

// One function to measure. `bootstrap` is an executable (a zip is unpacked before the plan).
struct FunctionSpec {
  std::string name;
  std::string bootstrap;
  std::vector<PayloadSpec> payloads;  // empty: the plan's payloads
  std::string cold_payload;           // the cold starts' event; "" = the first payload
  double estimated_cold_ms = 0;       // process start to ready, for the estimate (0 = unknown)
  std::string skip_reason;            // non-empty: listed as skipped, not measured
};

struct Workload {
  std::string label;
  std::string payload;
  int warmups = 1;
  int samples = 1;
  double cost_ms = 1;  // estimated duration of one invoke at this setting (for the ETA)
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
  std::string name;
  std::string bootstrap;
  std::string skip_reason;  // non-empty: not measured (no cells)
  std::vector<Cell> cells;  // one per memory setting, in the plan's order
};

struct Plan {
  bool quick = false;
  std::vector<int> memory_mb;
  std::vector<FunctionPlan> functions;
  double timeout_seconds = 60;  // per invoke
};

// Counts of one run. -1 (cold, warmups) and 0 (warm) mean "not given".
struct Counts {
  int cold = -1;
  int warm = 0;
  int warmups = -1;
};

// Where a count comes from, first found wins: the command line (`counts`), the payload's own
// (PayloadSpec), the configuration file's (`config_counts`), the built-in default (cold 10,
// warm 20, warm-ups 2). --quick keeps what the command line gives and scales the rest: cold 3,
// warm a quarter (at least 2, never more than given; built-in 5), warm-ups at most 1.
struct PlanOptions {
  bool quick = false;
  std::vector<FunctionSpec> functions;
  std::vector<PayloadSpec> payloads;  // default: one payload, {}
  std::vector<int> memory_mb;         // default: 128 256 512 1024 1769 3008
  Counts counts;                      // from the command line
  Counts config_counts;               // from a configuration file
  double timeout_seconds = 60;
};

// 128, 256, 512, 1024, 1769, 3008 (Power Tuning's usual choice, with one vCPU's 1,769).
const std::vector<int>& DefaultMemorySettings();

// InvalidArgument (message fit for the user) unless 128 <= mb <= 10240.
Status ValidateMemory(int memory_mb);
// "128,256" -> {128, 256}; InvalidArgument for a non-number, a setting out of range, or a
// setting given twice.
Result<std::vector<int>> ParseMemoryList(const std::string& text);

// A payload as given on the command line: JSON text, or @FILE for a file's contents (the label
// is then the file's name). `read_file` returns a file's bytes (NotFound etc. with the OS
// reason). InvalidArgument when the text (or the file) is not JSON: Lambda refuses such an
// event (InvalidRequestContentException).
Result<PayloadSpec> ParsePayloadArgument(const std::string& argument,
                                         const std::function<Result<std::string>(const std::string&)>& read_file);
// The function's name when none is given: the file's name, without ".zip".
std::string DefaultFunctionName(const std::string& path);

// A short label for a payload: its JSON compacted, cut to 40 characters with "…".
std::string PayloadLabel(const std::string& payload);

// Warm samples at `memory_mb`: `full` at 1,769 MB and above, fewer below (in proportion to
// the CPU share), never below `floor`.
int SamplesAt(int full, int floor, int memory_mb);
// How much slower a single-threaded invoke runs at `memory_mb` than at one vCPU (1 from 1,769
// MB up): the CPU share Lambda gives is memory / 1,769 MB.
double SlowdownAt(int memory_mb);

// The plan for `options`. InvalidArgument for no function, two functions of one name, two
// payloads of one function with one label, bad memory settings, counts or timeout, or a payload
// that is not JSON.
Result<Plan> BuildPlan(const PlanOptions& options);

// Estimated wall time of the whole plan, in seconds (the sum of the cells' cost estimates).
double EstimatedSeconds(const Plan& plan);
// Number of invokes the plan makes (cold starts + warm-ups + samples).
int TotalInvokes(const Plan& plan);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_PLAN_H_
