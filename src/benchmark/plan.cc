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

Workload MakeWorkload(const PayloadSpec& spec, const PlanOptions& options, int memory_mb) {
  Workload w;
  w.label = spec.label.empty() ? PayloadLabel(spec.payload) : spec.label;
  w.payload = spec.payload;
  int full = options.warm > 0 ? options.warm : spec.warm > 0 ? spec.warm : kDefaultWarm;
  int warmups = options.warmups >= 0 ? options.warmups : spec.warmups >= 0 ? spec.warmups : kDefaultWarmups;
  if (options.quick) {
    // --quick keeps a quarter of a payload's own samples (the default count: kQuickWarm).
    full = options.warm > 0 ? options.warm : spec.warm > 0 ? std::max(2, spec.warm / 4) : kQuickWarm;
    warmups = std::min(warmups, options.warmups >= 0 ? options.warmups : kQuickWarmups);
  }
  // A payload that scales with the CPU share keeps about the same wall time per setting.
  w.samples = spec.min_warm > 0 && options.warm <= 0 ? SamplesAt(full, spec.min_warm, memory_mb) : full;
  w.warmups = warmups;
  w.cost_ms = (spec.estimated_ms > 0 ? spec.estimated_ms : kUnknownInvokeMs) * SlowdownAt(memory_mb);
  return w;
}

}  // namespace

const std::vector<int>& DefaultMemorySettings() {
  static const std::vector<int> kSettings = {128, 256, 512, 1024, 1769, 3008};
  return kSettings;
}

Status ValidateMemory(int memory_mb) {
  if (memory_mb < kMinMemoryMb || memory_mb > kMaxMemoryMb) {
    return InvalidArgumentError("memory setting " + std::to_string(memory_mb) +
                                " MB is outside Lambda's range " + std::to_string(kMinMemoryMb) +
                                "-" + std::to_string(kMaxMemoryMb) + " MB");
  }
  return OkStatus();
}

Result<std::vector<int>> ParseMemoryList(const std::string& text) {
  std::vector<int> out;
  for (const std::string& item : Split(text)) {
    size_t used = 0;
    int value = 0;
    try {
      value = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) {
      return InvalidArgumentError("memory setting '" + item + "' is not a number of MB");
    }
    ZS_RETURN_IF_ERROR(ValidateMemory(value));
    if (std::find(out.begin(), out.end(), value) != out.end()) {
      return InvalidArgumentError("memory setting " + item + " MB is given twice");
    }
    out.push_back(value);
  }
  if (out.empty()) return InvalidArgumentError("no memory setting given");
  return out;
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
  if (options.cold < -1) return InvalidArgumentError("the number of cold starts must be 0 or more");
  if (options.warm < 0) return InvalidArgumentError("the number of warm samples must be 1 or more");
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
    for (const PayloadSpec& p : spec.payloads.empty() ? shared : spec.payloads) {
      ZS_RETURN_IF_ERROR(ValidatePayload(p.payload, "the payload of " + spec.name));
      if (!options.quick || p.quick) payloads.push_back(p);
    }
    if (payloads.empty()) return InvalidArgumentError(spec.name + " has no payload to measure");
    if (!spec.cold_payload.empty()) ZS_RETURN_IF_ERROR(ValidatePayload(spec.cold_payload, "the cold payload of " + spec.name));
    if (!f.skip_reason.empty()) {
      plan.functions.push_back(std::move(f));
      continue;
    }
    for (int mb : plan.memory_mb) {
      Cell cell;
      cell.memory_mb = mb;
      cell.cold_starts = options.cold >= 0 ? options.cold : options.quick ? kQuickCold : kDefaultCold;
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
