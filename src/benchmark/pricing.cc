#include "src/benchmark/pricing.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zerostart::benchmark {
namespace {

// Lambda's GB of configured memory is 1,024 MB: the published price per 1 ms at 128 MB,
// $0.0000000021 on x86_64, is 0.0000166667 * 128 / 1024 / 1000 rounded.
constexpr double kMbPerGb = 1024;
constexpr double kRequestsPerMillion = 1e6;

}  // namespace

Prices DefaultPrices() {
  Prices prices;
  prices.region = "us-east-1";
  prices.date = "2026-12-07";
  prices.source = "https://aws.amazon.com/lambda/pricing/, the first tier of monthly GB-seconds";
  prices.x86_64_per_gb_second = 0.0000166667;
  prices.arm64_per_gb_second = 0.0000133334;
  prices.per_request = 0.20 / kRequestsPerMillion;
  return prices;
}

Result<Prices> ParsePrices(const std::string& json_text, const Prices& base) {
  const nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgumentError("prices: not a JSON object");
  static const std::vector<std::string> kKnown = {"region", "date", "source", "x86_64_per_gb_second",
                                                  "arm64_per_gb_second", "per_million_requests"};
  for (const auto& [key, value] : doc.items()) {
    // A misspelt price would otherwise leave the default in place without a word.
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      return InvalidArgumentError("prices: unknown field \"" + key + "\"");
    }
  }
  Prices prices = base;
  for (const char* field : {"region", "date", "source"}) {
    if (!doc.contains(field)) continue;
    if (!doc[field].is_string()) return InvalidArgumentError(std::string("prices: \"") + field + "\" is not a string");
  }
  if (doc.contains("region")) prices.region = doc["region"].get<std::string>();
  if (doc.contains("date")) prices.date = doc["date"].get<std::string>();
  if (doc.contains("source")) prices.source = doc["source"].get<std::string>();
  struct Number {
    const char* field;
    double* value;
  };
  double per_million = prices.per_request * kRequestsPerMillion;
  for (const Number& n : {Number{"x86_64_per_gb_second", &prices.x86_64_per_gb_second},
                          Number{"arm64_per_gb_second", &prices.arm64_per_gb_second},
                          Number{"per_million_requests", &per_million}}) {
    if (!doc.contains(n.field)) continue;
    if (!doc[n.field].is_number()) return InvalidArgumentError(std::string("prices: \"") + n.field + "\" is not a number");
    const double value = doc[n.field].get<double>();
    if (!(value >= 0) || !std::isfinite(value)) {
      return InvalidArgumentError(std::string("prices: \"") + n.field + "\" must be a price of 0 or more");
    }
    *n.value = value;
  }
  prices.per_request = per_million / kRequestsPerMillion;
  return prices;
}

Status ValidateArch(const std::string& arch) {
  if (arch == "x86_64" || arch == "arm64") return OkStatus();
  return InvalidArgumentError("architecture '" + arch + "' is not one of Lambda's: x86_64, arm64");
}

double DurationCost(const Prices& prices, const std::string& arch, int memory_mb, double billed_ms) {
  const double per_gb_second = arch == "arm64" ? prices.arm64_per_gb_second : prices.x86_64_per_gb_second;
  const double billed = std::ceil(std::max(0.0, billed_ms));
  // ms × MB first: a whole number, exact in a double, so settings that bill the same GB-ms
  // (4 ms at 128 MB, 2 ms at 256 MB) cost exactly the same and tie as they should.
  return billed * memory_mb / (1000 * kMbPerGb) * per_gb_second;
}

double InvocationCost(const Prices& prices, const std::string& arch, int memory_mb, double billed_ms) {
  return prices.per_request + DurationCost(prices, arch, memory_mb, billed_ms);
}

BestSettings ChooseSettings(const std::vector<SettingFigures>& settings, double balanced_weight) {
  std::vector<SettingFigures> usable;
  std::copy_if(settings.begin(), settings.end(), std::back_inserter(usable),
               [](const SettingFigures& s) { return s.usable; });
  BestSettings best;
  if (usable.empty()) return best;
  const double weight = std::clamp(balanced_weight, 0.0, 1.0);
  double max_cost = 0;
  double max_duration = 0;
  for (const SettingFigures& s : usable) {
    max_cost = std::max(max_cost, s.duration_cost);
    max_duration = std::max(max_duration, s.duration_ms);
  }
  auto ratio = [](double value, double max) { return max > 0 ? value / max : 0; };
  auto balanced = [&](const SettingFigures& s) {
    return weight * ratio(s.duration_cost, max_cost) + (1 - weight) * ratio(s.duration_ms, max_duration);
  };
  const SettingFigures* fastest = &usable.front();
  const SettingFigures* cheapest = &usable.front();
  const SettingFigures* balance = &usable.front();
  for (const SettingFigures& s : usable) {
    if (s.duration_ms < fastest->duration_ms ||
        (s.duration_ms == fastest->duration_ms && s.duration_cost < fastest->duration_cost)) {
      fastest = &s;
    }
    if (s.duration_cost < cheapest->duration_cost ||
        (s.duration_cost == cheapest->duration_cost && s.duration_ms < cheapest->duration_ms)) {
      cheapest = &s;
    }
    if (balanced(s) < balanced(*balance)) balance = &s;
  }
  best.speed = fastest->memory_mb;
  best.cost = cheapest->memory_mb;
  best.balanced = balance->memory_mb;
  return best;
}

}  // namespace zerostart::benchmark
