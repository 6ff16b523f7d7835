// Tuning: the power-tuning view of a run — for each function and payload, every memory
// setting's typical warm Duration and what an invocation costs there, and the settings that
// are fastest, cheapest and the balance of both (pricing.h).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_TUNING_H_
#define ZEROSTART_SRC_BENCHMARK_TUNING_H_

#include <string>
#include <vector>

#include "src/benchmark/pricing.h"
#include "src/benchmark/results.h"

namespace zerostart::benchmark {

struct SettingCost {
  SettingFigures figures;  // duration_ms: median warm REPORT Duration; cost: per invocation
  size_t samples = 0;      // warm samples kept
  size_t errors = 0;       // failed invokes of this payload at this setting: warm samples and
                           // warm-ups, and for the first payload the cold starts
  size_t timeouts = 0;     // of which Sandbox.Timedout
};

struct PayloadTuning {
  std::string function;
  std::string workload;               // the payload's label
  std::vector<SettingCost> settings;  // in the run's memory order, measured settings only
  BestSettings best;
};

// The architecture a function is priced as: the run's (--arch) if given, else the function's.
std::string ArchOf(const BenchResults& results, const std::string& function);

// One entry per (function, payload), in the order they were measured, priced at ArchOf. A
// setting with an error or a timeout, or without a kept sample, is not usable for the choice.
std::vector<PayloadTuning> TuningOf(const BenchResults& results);

// "$0.0000021", "$1.23": dollars with 2 significant digits past the leading zeros.
std::string FormatDollars(double usd);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_TUNING_H_
