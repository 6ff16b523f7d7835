// Pricing: what Lambda charges for one invocation at a memory setting, and the setting a
// Power Tuning run would pick. Prices are data (the published list for one region and date,
// overridable from a JSON file), never constants scattered through the report.
//
// Lambda bills a request fee per invocation and the duration, rounded up to the next 1 ms, at
// a price per GB-second by architecture, a GB being 1,024 MB of configured memory
// (https://aws.amazon.com/lambda/pricing/: "Duration is calculated from the time your code
// begins executing until it returns or otherwise terminates, rounded up to the nearest 1 ms").
// The initialization phase is billed as well (for on-demand functions since 2025-08-01); the
// costs here are of warm invocations.
//
// Thread safety: value types and pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_PRICING_H_
#define ZEROSTART_SRC_BENCHMARK_PRICING_H_

#include <optional>
#include <string>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::benchmark {

// One price list. `per_gb_second` are USD for the first tier of monthly usage.
struct Prices {
  std::string region;
  std::string date;    // when the list was read, YYYY-MM-DD
  std::string source;  // where it was read
  double x86_64_per_gb_second = 0;
  double arm64_per_gb_second = 0;
  double per_request = 0;  // USD per invocation (not per million)
};

// The published list for US East (N. Virginia): $0.0000166667 per GB-second on x86_64,
// $0.0000133334 on arm64, $0.20 per 1M requests (https://aws.amazon.com/lambda/pricing/).
Prices DefaultPrices();

// A price list from JSON: {"region","date","source","x86_64_per_gb_second",
// "arm64_per_gb_second","per_million_requests"}; a field left out keeps its value from `base`.
// InvalidArgument naming the field when the text is not JSON, a field has the wrong type or a
// price is negative.
Result<Prices> ParsePrices(const std::string& json_text, const Prices& base);

// "x86_64" or "arm64"; InvalidArgument for anything else.
Status ValidateArch(const std::string& arch);

// USD for the duration of one invocation of `billed_ms` (before rounding up) at `memory_mb` on
// `arch`: ceil(billed_ms) ms of memory_mb / 1024 GB. `arch` must be valid.
double DurationCost(const Prices& prices, const std::string& arch, int memory_mb, double billed_ms);
// The whole invocation: the request fee plus DurationCost.
double InvocationCost(const Prices& prices, const std::string& arch, int memory_mb, double billed_ms);

// One memory setting as the choice sees it.
struct SettingFigures {
  int memory_mb = 0;
  double duration_ms = 0;    // the typical warm Duration (median)
  double cost = 0;           // InvocationCost at that duration (what the report shows)
  double duration_cost = 0;  // DurationCost at that duration (what the choice weighs)
  bool usable = true;        // false: an invoke failed or timed out at this setting
};

// The settings Power Tuning's three strategies pick (github.com/alexcasalboni/
// aws-lambda-power-tuning, lambda/analyzer.js), among the usable ones, on the duration cost as
// Power Tuning computes it (utils.js computePrice: no request fee, which is the same at every
// setting but would flatten the balanced ratio of a short function):
//   speed:    the shortest duration (on a tie, the cheaper);
//   cost:     the cheapest (on a tie, the faster);
//   balanced: the least  weight * cost / max cost + (1 - weight) * duration / max duration;
// a tie goes to the first setting in the list.
// nullopt members when no setting is usable.
struct BestSettings {
  std::optional<int> speed;
  std::optional<int> cost;
  std::optional<int> balanced;
};
BestSettings ChooseSettings(const std::vector<SettingFigures>& settings, double balanced_weight = 0.5);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_PRICING_H_
