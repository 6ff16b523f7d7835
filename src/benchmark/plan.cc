#include "src/study/plan.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace zerostart::study {
namespace {

// Estimated cost (ms) of one invoke at one vCPU, from docs/benchmarks/{kmeans,jni}.md; used only
// to size samples and for the progress display's first estimate of the time left.
struct Shape {
  const char* label;
  const char* payload;
  double native_ms;
  double jvm_ms;
};
constexpr Shape kKmeansSmall{"n=1000,d=2,k=4", R"({"n":1000,"d":2,"k":4})", 0.2, 3};
constexpr Shape kKmeansMedium{"n=100000,d=3,k=8", R"({"n":100000,"d":3,"k":8})", 35, 800};
// Large enough that the JVM's start-up (~0.3 s, unthrottled) is small beside one invoke at
// 128 MB (~14x slower than at one vCPU), small enough for the 30-minute budget and the 128 MB
// JVM heap (0.3 M points of 3 doubles).
constexpr Shape kKmeansLarge{"n=300000,d=3,k=8", R"({"n":300000,"d":3,"k":8})", 110, 2500};
constexpr double kNativeColdMs = 5;
constexpr double kJvmColdMs = 400;  // JVM start + class loading, before the first invoke
constexpr double kNativeSinMsPerMillion = 11;
constexpr double kJvmSinMsPerMillion = 15;

bool Executable(const std::string& path) { return !path.empty() && access(path.c_str(), X_OK) == 0; }

Workload MakeWorkload(std::string label, std::string payload, int warmups, int full, int floor,
                      double cost_at_vcpu_ms, int memory_mb, int runs_override) {
  Workload w;
  w.label = std::move(label);
  w.payload = std::move(payload);
  w.samples = runs_override > 0 ? runs_override : SamplesAt(full, floor, memory_mb);
  w.warmups = runs_override > 0 ? std::min(warmups, runs_override) : warmups;
  w.cost_ms = cost_at_vcpu_ms * SlowdownAt(memory_mb);
  return w;
}

std::vector<Workload> KmeansWorkloads(bool jvm, bool quick, int memory_mb, int runs) {
  std::vector<Workload> out;
  auto cost = [jvm](const Shape& s) { return jvm ? s.jvm_ms : s.native_ms; };
  out.push_back(MakeWorkload(kKmeansSmall.label, kKmeansSmall.payload, jvm ? (quick ? 5 : 10) : 3,
                             quick ? 10 : 30, 10, cost(kKmeansSmall), memory_mb, runs));
  out.push_back(MakeWorkload(kKmeansMedium.label, kKmeansMedium.payload, quick ? 1 : 2,
                             quick ? (jvm ? 2 : 3) : (jvm ? 5 : 15), quick ? 1 : (jvm ? 2 : 3),
                             cost(kKmeansMedium), memory_mb, runs));
  if (!quick) {
    out.push_back(MakeWorkload(kKmeansLarge.label, kKmeansLarge.payload, 1, jvm ? 3 : 5,
                               jvm ? 1 : 2, cost(kKmeansLarge), memory_mb, runs));
  }
  return out;
}

FunctionPlan Describe(const std::string& name, const PlanOptions& options) {
  FunctionPlan f;
  f.name = name;
  f.runtime = name.rfind("java-", 0) == 0 ? "jvm" : "native";
  f.workload = f.runtime == "jvm" ? name.substr(5) : name;
  if (f.runtime == "native") {
    f.bootstrap = options.bin_dir.empty() ? "" : options.bin_dir + "/" + name;
  } else {
    f.bootstrap = name == "java-kmeans" ? options.java_kmeans_bootstrap : options.java_sin_bootstrap;
  }
  if (auto it = options.bootstrap_overrides.find(name); it != options.bootstrap_overrides.end()) {
    f.bootstrap = it->second;
  }
  if (!Executable(f.bootstrap)) {
    f.missing_reason = f.bootstrap.empty()
                           ? "no bootstrap given"
                           : "bootstrap " + f.bootstrap + " is missing or not executable";
    if (f.runtime == "jvm") f.missing_reason += " (it needs the JDK and the JNI bridge built)";
  }
  return f;
}

Cell MakeCell(const FunctionPlan& f, const PlanOptions& options, int memory_mb) {
  const bool jvm = f.runtime == "jvm";
  const int runs = options.cold_starts;
  Cell cell;
  cell.memory_mb = memory_mb;
  cell.cold_starts = runs > 0 ? runs : (options.quick ? 2 : 10);
  const double start_ms = jvm ? kJvmColdMs : kNativeColdMs;
  auto override_payload = options.payload_overrides.find(f.name);
  if (override_payload != options.payload_overrides.end()) {
    cell.cold_payload = override_payload->second;
    cell.cold_cost_ms = start_ms;
    cell.workloads.push_back(MakeWorkload("custom", override_payload->second, 1, options.quick ? 5 : 20,
                                          3, 1, memory_mb, runs));
    return cell;
  }
  if (f.workload == "kmeans") {
    cell.cold_payload = kKmeansSmall.payload;
    cell.cold_cost_ms = start_ms + 20 * (jvm ? 5 : 0.1) * SlowdownAt(memory_mb);
    cell.workloads = KmeansWorkloads(jvm, options.quick, memory_mb, runs);
  } else if (f.workload == "sin") {
    const int iterations =
        options.sin_iterations > 0 ? options.sin_iterations : (options.quick ? 1'000'000 : 10'000'000);
    const double cost = (jvm ? kJvmSinMsPerMillion : kNativeSinMsPerMillion) * iterations / 1e6;
    cell.cold_payload = R"({"iterations":1000})";
    cell.cold_cost_ms = start_ms + 1;
    cell.workloads.push_back(MakeWorkload("iterations=" + std::to_string(iterations),
                                          R"({"iterations":)" + std::to_string(iterations) + "}",
                                          jvm ? 2 : 1, options.quick ? 3 : 10, options.quick ? 2 : 3,
                                          cost, memory_mb, runs));
  } else {  // echo
    cell.cold_payload = R"({"hello":"world"})";
    cell.cold_cost_ms = start_ms;
    cell.workloads.push_back(MakeWorkload("hello", R"({"hello":"world"})", options.quick ? 5 : 10,
                                          options.quick ? 20 : 100, 20, 0.2, memory_mb, runs));
  }
  return cell;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& KnownFunctions() {
  static const std::vector<std::string> kFunctions = {"kmeans", "java-kmeans", "sin", "java-sin",
                                                      "echo"};
  return kFunctions;
}

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
    if (Status s = ValidateMemory(value); !s.ok()) return s;
    out.push_back(value);
  }
  if (out.empty()) return InvalidArgumentError("no memory setting given");
  return out;
}

Result<std::vector<std::string>> ParseFunctionList(const std::string& text) {
  std::vector<std::string> out = Split(text);
  for (const std::string& name : out) {
    const auto& known = KnownFunctions();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return InvalidArgumentError("unknown function '" + name + "' (known: " + list + ")");
    }
  }
  if (out.empty()) return InvalidArgumentError("no function given");
  return out;
}

double SlowdownAt(int memory_mb) {
  return memory_mb >= kOneVcpuMemoryMb ? 1.0 : static_cast<double>(kOneVcpuMemoryMb) / memory_mb;
}

int SamplesAt(int full, int floor, int memory_mb) {
  const double share = 1.0 / SlowdownAt(memory_mb);
  return std::max(std::min(floor, full), static_cast<int>(std::lround(full * share)));
}

Result<Plan> BuildPlan(const PlanOptions& options) {
  if (options.cold_starts < 0) return InvalidArgumentError("--runs must be positive");
  if (!(options.timeout_seconds > 0)) return InvalidArgumentError("--timeout must be positive");
  if (options.sin_iterations < 0) return InvalidArgumentError("--sin-iterations must be >= 0");
  Plan plan;
  plan.quick = options.quick;
  plan.timeout_seconds = options.timeout_seconds;
  plan.memory_mb = options.memory_mb.empty() ? DefaultMemorySettings() : options.memory_mb;
  for (int mb : plan.memory_mb) {
    if (Status s = ValidateMemory(mb); !s.ok()) return s;
  }
  const std::vector<std::string>& names =
      options.functions.empty() ? KnownFunctions() : options.functions;
  for (const std::string& name : names) {
    const auto& known = KnownFunctions();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return InvalidArgumentError("unknown function '" + name + "'");
    }
    FunctionPlan f = Describe(name, options);
    if (f.missing_reason.empty()) {
      for (int mb : plan.memory_mb) f.cells.push_back(MakeCell(f, options, mb));
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

}  // namespace zerostart::study
