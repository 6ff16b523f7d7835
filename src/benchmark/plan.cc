#include "src/benchmark/plan.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace zerostart::benchmark {
namespace {

// Counts when neither the payload nor the command line gives one.
constexpr int kDefaultCold = 10;
constexpr int kDefaultWarm = 20;
constexpr int kDefaultWarmups = 2;
constexpr int kQuickCold = 3;
constexpr int kQuickWarm = 5;
constexpr int kQuickWarmups = 1;
// Estimates for a function that says nothing of itself: a native process starts in a few ms;
// the progress line rescales every estimate by how the first ones compared with the clock.
constexpr double kUnknownColdMs = 10;
constexpr double kUnknownInvokeMs = 5;
constexpr size_t kLabelChars = 40;

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Status ValidatePayload(const std::string& payload, const std::string& where) {
  if (nlohmann::json::accept(payload)) return OkStatus();
  return InvalidArgumentError(where + " is not JSON (Lambda takes a JSON event): " + PayloadLabel(payload));
}

// The first count given: the command line's, the payload's, the configuration's; `fallback`
// when none is. A count is given when it is at least `min`.
int FirstGiven(std::initializer_list<int> counts, int min, int fallback) {
  for (int count : counts) {
    if (count >= min) return count;
  }
  return fallback;
}

Workload MakeWorkload(const PayloadSpec& spec, const PlanOptions& options, int memory_mb) {
  Workload w;
  w.label = spec.label.empty() ? PayloadLabel(spec.payload) : spec.label;
  w.payload = spec.payload;
  const Counts& line = options.counts;
  const Counts& config = options.config_counts;
  const int given_warm = FirstGiven({spec.warm, config.warm}, 1, 0);
  int full = FirstGiven({line.warm}, 1, given_warm > 0 ? given_warm : kDefaultWarm);
  int warmups = FirstGiven({line.warmups, spec.warmups, config.warmups}, 0, kDefaultWarmups);
  if (options.quick) {
    if (line.warm < 1) full = given_warm > 0 ? std::min(given_warm, std::max(2, given_warm / 4)) : kQuickWarm;
    if (line.warmups < 0) warmups = std::min(warmups, kQuickWarmups);
  }
  // A payload that scales with the CPU share keeps about the same wall time per setting.
  w.samples = spec.min_warm > 0 && line.warm < 1 ? SamplesAt(full, spec.min_warm, memory_mb) : full;
  w.warmups = warmups;
  w.cost_ms = (spec.estimated_ms > 0 ? spec.estimated_ms : kUnknownInvokeMs) * SlowdownAt(memory_mb);
  return w;
}

// `shown`: the setting as the user wrote it (a value too large for an int is shown as given).
Status OutOfRange(const std::string& shown) {
  return InvalidArgumentError("memory setting " + shown + " MB is outside Lambda's range " +
                              std::to_string(kMinMemoryMb) + "-" + std::to_string(kMaxMemoryMb) + " MB");
}

}  // namespace

const std::vector<int>& DefaultMemorySettings() {
  static const std::vector<int> kSettings = {128, 256, 512, 1024, 1769, 3008};
  return kSettings;
}

Status ValidateMemory(int memory_mb) {
  if (memory_mb < kMinMemoryMb || memory_mb > kMaxMemoryMb) return OutOfRange(std::to_string(memory_mb));
  return OkStatus();
}

Result<std::vector<int>> ParseMemoryList(const std::string& text) {
  std::vector<int> out;
  for (const std::string& item : Split(text)) {
    size_t used = 0;
    long long value = 0;
    bool too_large = false;
    try {
      value = std::stoll(item, &used);
    } catch (const std::out_of_range&) {
      too_large = true;
      used = item.size();
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) {
      return InvalidArgumentError("memory setting '" + item + "' is not a number of MB");
    }
    if (too_large || value < kMinMemoryMb || value > kMaxMemoryMb) return OutOfRange(item);
    if (std::find(out.begin(), out.end(), value) != out.end()) {
      return InvalidArgumentError("memory setting " + item + " MB is given twice");
    }
    out.push_back(static_cast<int>(value));
  }
  if (out.empty()) return InvalidArgumentError("no memory setting given");
  return out;
}

std::string DefaultFunctionName(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.size() > 4 && name.ends_with(".zip")) name.resize(name.size() - 4);
  return name;
}

std::string PayloadLabel(const std::string& payload) {
  // ordered_json keeps the keys in the user's order (json would sort them).
  const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(payload, nullptr, /*allow_exceptions=*/false);
  std::string text = doc.is_discarded() ? payload : doc.dump();
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() <= kLabelChars) return text;
  return text.substr(0, kLabelChars - 1) + "\u2026";
}

Result<PayloadSpec> ParsePayloadArgument(const std::string& argument,
                                         const std::function<Result<std::string>(const std::string&)>& read_file) {
  PayloadSpec spec;
  if (!argument.empty() && argument[0] == '@') {
    const std::string path = argument.substr(1);
    if (path.empty()) return InvalidArgumentError("--payload @FILE needs a file name after @");
    Result<std::string> bytes = read_file(path);
    if (!bytes.ok()) return Status(bytes.status().code(), "payload file " + path + ": " + bytes.status().message());
    spec.payload = std::move(bytes).value();
    spec.label = path.substr(path.rfind('/') + 1);
    ZS_RETURN_IF_ERROR(ValidatePayload(spec.payload, "payload file " + path));
    return spec;
  }
  spec.payload = argument;
  ZS_RETURN_IF_ERROR(ValidatePayload(spec.payload, "payload"));
  return spec;
}

double SlowdownAt(int memory_mb) {
  return memory_mb >= kOneVcpuMemoryMb ? 1.0 : static_cast<double>(kOneVcpuMemoryMb) / memory_mb;
}

int SamplesAt(int full, int floor, int memory_mb) {
  const double share = 1.0 / SlowdownAt(memory_mb);
  return std::max(std::min(floor, full), static_cast<int>(std::lround(full * share)));
}

Result<Plan> BuildPlan(const PlanOptions& options) {
  for (const Counts& counts : {options.counts, options.config_counts}) {
    if (counts.cold < -1) return InvalidArgumentError("the number of cold starts must be 0 or more");
    if (counts.warm < 0) return InvalidArgumentError("the number of warm samples must be 1 or more");
    if (counts.warmups < -1) return InvalidArgumentError("the number of warm-ups must be 0 or more");
  }
  if (!(options.timeout_seconds > 0)) return InvalidArgumentError("the timeout must be positive");
  if (options.functions.empty()) return InvalidArgumentError("no function given");
  Plan plan;
  plan.quick = options.quick;
  plan.timeout_seconds = options.timeout_seconds;
  plan.memory_mb = options.memory_mb.empty() ? DefaultMemorySettings() : options.memory_mb;
  for (int mb : plan.memory_mb) ZS_RETURN_IF_ERROR(ValidateMemory(mb));
  std::vector<PayloadSpec> shared = options.payloads;
  if (shared.empty()) {
    PayloadSpec empty_event;
    empty_event.label = "{}";
    empty_event.payload = "{}";
    shared.push_back(empty_event);
  }
  std::set<std::string> names;
  for (const FunctionSpec& spec : options.functions) {
    if (spec.name.empty()) return InvalidArgumentError("a function has no name");
    if (!names.insert(spec.name).second) {
      return InvalidArgumentError("two functions are named '" + spec.name + "': name them NAME=PATH");
    }
    FunctionPlan f;
    f.name = spec.name;
    f.bootstrap = spec.bootstrap;
    f.skip_reason = spec.skip_reason;
    std::vector<PayloadSpec> payloads;
    std::set<std::string> labels;
    for (const PayloadSpec& p : spec.payloads.empty() ? shared : spec.payloads) {
      ZS_RETURN_IF_ERROR(ValidatePayload(p.payload, "the payload of " + spec.name));
      // Samples are grouped by label: two payloads under one would be mixed in one series.
      const std::string label = p.label.empty() ? PayloadLabel(p.payload) : p.label;
      if (!labels.insert(label).second) {
        return InvalidArgumentError("two payloads of " + spec.name + " are labelled '" + label +
                                    "': give them different files, or labels in a --config file");
      }
      if (!options.quick || p.quick) payloads.push_back(p);
    }
    if (payloads.empty()) {
      return InvalidArgumentError(spec.name + " has no payload to measure with --quick (every one says \"quick\": false)");
    }
    if (!spec.cold_payload.empty()) ZS_RETURN_IF_ERROR(ValidatePayload(spec.cold_payload, "the cold payload of " + spec.name));
    if (!f.skip_reason.empty()) {
      plan.functions.push_back(std::move(f));
      continue;
    }
    for (int mb : plan.memory_mb) {
      Cell cell;
      cell.memory_mb = mb;
      cell.cold_starts = FirstGiven({options.counts.cold}, 0,
                                    options.quick ? kQuickCold : FirstGiven({options.config_counts.cold}, 0, kDefaultCold));
      cell.cold_payload = spec.cold_payload.empty() ? payloads.front().payload : spec.cold_payload;
      for (const PayloadSpec& p : payloads) cell.workloads.push_back(MakeWorkload(p, options, mb));
      cell.cold_cost_ms = (spec.estimated_cold_ms > 0 ? spec.estimated_cold_ms : kUnknownColdMs) +
                          cell.workloads.front().cost_ms;
      f.cells.push_back(std::move(cell));
    }
    plan.functions.push_back(std::move(f));
  }
  return plan;
}

double EstimatedSeconds(const Plan& plan) {
  double ms = 0;
  for (const FunctionPlan& f : plan.functions) {
    for (const Cell& c : f.cells) {
      ms += c.cold_starts * c.cold_cost_ms + c.cold_cost_ms;  // + the warm series' own spawn
      for (const Workload& w : c.workloads) ms += (w.warmups + w.samples) * w.cost_ms;
    }
  }
  return ms / 1000;
}

int TotalInvokes(const Plan& plan) {
  int n = 0;
  for (const FunctionPlan& f : plan.functions) {
    for (const Cell& c : f.cells) {
      n += c.cold_starts + 1;
      for (const Workload& w : c.workloads) n += w.warmups + w.samples;
    }
  }
  return n;
}

}  // namespace zerostart::benchmark
