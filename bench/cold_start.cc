// zs_cold_start: cold start of a Lambda runtime, measured as the quoted peer figures of
// docs/benchmarks/foundation.md were: from spawning the function process until a Runtime API
// server on 127.0.0.1 has received its first response. The server is bench/stub_runtime_api.h
// (src/http + src/common only, no emulator in the way). Each run: listen on 127.0.0.1:0, posix_spawn the function
// with AWS_LAMBDA_RUNTIME_API and the usual Lambda variables, answer GET /next with the event,
// stop the clock when POST .../response has arrived, read the child's VmHWM, kill and reap.
// The child is spawned as the emulator spawns functions (src/common/spawn.h) but with no output
// pipes, and its memory is read with the emulator's src/emulator/process_memory.h.
//
//   zs_cold_start [--runs N] [--warmup N] [--label NAME] [--payload JSON] [--timeout-ms MS]
//                 [--memory MB] [--env K=V]... [--show-output] [--no-check] -- COMMAND [ARGS...]
//
// Prints one JSON line on stdout:
//   {"label":..,"runs":N,"warmup":W,"cold_ms":{"min","p50","p90","max","mean"},
//    "peak_rss_kib":{"min","p50","max"},"group_peak_rss_kib":{...},"samples_ms":[...]}
// peak_rss_kib is the spawned process's VmHWM (a bootstrap script that execs its runtime keeps
// the pid); group_peak_rss_kib sums VmHWM over its process group at that instant (a bash
// runtime's curl children). Exit status: 0, 1 when a run failed, 2 for bad arguments.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/child_process.h"
#include "bench/stub_runtime_api.h"
#include "src/common/lambda_protocol.h"
#include "src/common/net.h"

namespace zerostart::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int runs = 20;
  int warmup = 2;  // discarded runs: page cache, dentries, the JVM's CDS archive mapped once
  std::string label;
  std::string payload = R"({"k":"abcdefgh"})";  // 16 bytes
  int timeout_ms = 10'000;
  int memory_mb = 128;
  std::vector<std::string> extra_env;
  bool show_output = false;
  bool check_echo = true;
  std::vector<std::string> command;
};

void Usage() {
  std::fputs(
      "usage: zs_cold_start [--runs N] [--warmup N] [--label NAME] [--payload JSON]\n"
      "                     [--timeout-ms MS] [--memory MB] [--env K=V]... [--show-output]\n"
      "                     [--no-check] -- COMMAND [ARGS...]\n",
      stderr);
}

bool ParseInt(const char* text, int min, int* out) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < min || value > 1'000'000) return false;
  *out = static_cast<int>(value);
  return true;
}

bool ParseArgs(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      options->command.assign(argv + i + 1, argv + argc);
      break;
    }
    const bool has_value = i + 1 < argc;
    if (arg == "--show-output") {
      options->show_output = true;
    } else if (arg == "--no-check") {
      options->check_echo = false;
    } else if (arg == "--runs" && has_value) {
      if (!ParseInt(argv[++i], 1, &options->runs)) return false;
    } else if (arg == "--warmup" && has_value) {
      if (!ParseInt(argv[++i], 0, &options->warmup)) return false;
    } else if (arg == "--timeout-ms" && has_value) {
      if (!ParseInt(argv[++i], 1, &options->timeout_ms)) return false;
    } else if (arg == "--memory" && has_value) {
      if (!ParseInt(argv[++i], 1, &options->memory_mb)) return false;
    } else if (arg == "--label" && has_value) {
      options->label = argv[++i];
    } else if (arg == "--payload" && has_value) {
      options->payload = argv[++i];
    } else if (arg == "--env" && has_value) {
      options->extra_env.emplace_back(argv[++i]);
      if (options->extra_env.back().find('=') == std::string::npos) return false;
    } else {
      return false;
    }
  }
  if (options->command.empty()) return false;
  if (options->label.empty()) {
    const std::string& path = options->command[0];
    options->label = path.substr(path.rfind('/') + 1);
  }
  return true;
}

std::string Var(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + std::string(value);
}

// What Lambda gives a provided.al2023 function (AWS docs "Defined runtime environment
// variables"), minus what does not exist here (LAMBDA_TASK_ROOT=/var/task), plus PATH so that
// bootstrap scripts find node/java/curl.
std::vector<std::string> FunctionEnvironment(const Options& options, uint16_t port) {
  const std::string name = "bench-" + options.label;
  std::vector<std::string> env = {
      Var(lambda::kRuntimeApiEnv, "127.0.0.1:" + std::to_string(port)),
      Var(lambda::kFunctionNameEnv, name),
      Var(lambda::kFunctionVersionEnv, lambda::kLatestVersion),
      Var(lambda::kMemorySizeEnv, std::to_string(options.memory_mb)),
      Var(lambda::kLogGroupNameEnv, std::string(lambda::kLogGroupPrefix) + name),
      Var(lambda::kLogStreamNameEnv, "2025/01/01/[$LATEST]00000000000000000000000000000000"),
      Var(lambda::kRegionEnv, lambda::kDefaultRegion),
      Var(lambda::kDefaultRegionEnv, lambda::kDefaultRegion),
      Var(lambda::kInitializationTypeEnv, lambda::kInitializationTypeOnDemand),
      Var("TZ", lambda::kLambdaTz),
  };
  if (const char* path = std::getenv("PATH")) env.push_back(Var("PATH", path));
  env.insert(env.end(), options.extra_env.begin(), options.extra_env.end());
  return env;
}

struct Sample {
  double cold_ms = 0;
  uint64_t rss_kib = 0;
  uint64_t group_rss_kib = 0;
};

Result<Sample> RunOnce(const Options& options, int index) {
  ZS_ASSIGN_OR_RETURN(UniqueFd listener, net::Listen({"127.0.0.1", 0}));
  ZS_ASSIGN_OR_RETURN(uint16_t port, net::LocalPort(listener.get()));
  std::vector<std::string> argv = options.command;
  const ChildOptions child_options{argv, FunctionEnvironment(options, port), options.show_output};
  char request_id[48];
  std::snprintf(request_id, sizeof request_id, "8476a536-e9f4-11e8-9739-%012d", index);
  const StubEvent event{options.payload, request_id,
                        "arn:aws:lambda:" + std::string(lambda::kDefaultRegion) + ":" +
                            std::string(lambda::kEmulatorAccountId) + ":function:bench-" +
                            options.label};

  Sample sample;
  const Clock::time_point start = Clock::now();
  ZS_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(child_options));
  ZS_ASSIGN_OR_RETURN(
      FirstResponse response,
      ServeFirstInvoke(listener.get(), event, child,
                       start + std::chrono::milliseconds(options.timeout_ms), [&] {
                         sample.rss_kib = child.PeakRssKib();
                         sample.group_rss_kib = child.GroupPeakRssKib();
                       }));
  sample.cold_ms = std::chrono::duration<double, std::milli>(response.arrived - start).count();
  child.KillAndReap();
  ReapOrphans();
  if (options.check_echo && response.body != options.payload) {
    return FailedPreconditionError("the response is not the event: " + response.body);
  }
  return sample;
}

template <typename T>
T Rank(const std::vector<T>& sorted, double q) {
  size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::string JsonNumber(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", x);
  return buffer;
}

// Appends {"min":..,"p50":..,"max":..}. (Built with += throughout: GCC 12 reports a false
// -Wrestrict on `"literal" + std::string&&`.)
void AppendRssJson(std::vector<uint64_t> values, std::string& out) {
  std::sort(values.begin(), values.end());
  out += "{\"min\":";
  out += std::to_string(values.front());
  out += ",\"p50\":";
  out += std::to_string(Rank(values, 0.5));
  out += ",\"max\":";
  out += std::to_string(values.back());
  out += '}';
}

void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  out += '"';
}

std::string Report(const Options& options, const std::vector<Sample>& samples) {
  std::vector<double> ms;
  std::vector<uint64_t> rss;
  std::vector<uint64_t> group_rss;
  double sum = 0;
  for (const Sample& s : samples) {
    ms.push_back(s.cold_ms);
    rss.push_back(s.rss_kib);
    group_rss.push_back(s.group_rss_kib);
    sum += s.cold_ms;
  }
  std::string out = "{\"label\":";
  AppendJsonString(options.label, out);
  out += ",\"command\":[";
  for (size_t i = 0; i < options.command.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(options.command[i], out);
  }
  out += "],\"runs\":";
  out += std::to_string(samples.size());
  out += ",\"warmup\":";
  out += std::to_string(options.warmup);
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  out += ",\"cold_ms\":{\"min\":";
  out += JsonNumber(sorted.front());
  out += ",\"p50\":";
  out += JsonNumber(Rank(sorted, 0.5));
  out += ",\"p90\":";
  out += JsonNumber(Rank(sorted, 0.9));
  out += ",\"max\":";
  out += JsonNumber(sorted.back());
  out += ",\"mean\":";
  out += JsonNumber(sum / static_cast<double>(sorted.size()));
  out += "},\"peak_rss_kib\":";
  AppendRssJson(rss, out);
  out += ",\"group_peak_rss_kib\":";
  AppendRssJson(group_rss, out);
  out += ",\"samples_ms\":[";
  for (size_t i = 0; i < ms.size(); ++i) {
    if (i > 0) out += ',';
    out += JsonNumber(ms[i]);
  }
  out += "]}\n";
  return out;
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    Usage();
    return 2;
  }
  BecomeSubreaper();
  std::vector<Sample> samples;
  for (int i = 0; i < options.warmup + options.runs; ++i) {
    Result<Sample> sample = RunOnce(options, i);
    if (!sample.ok()) {
      std::fprintf(stderr, "zs_cold_start: %s: run %d: %s\n", options.label.c_str(), i,
                   sample.status().ToString().c_str());
      return 1;
    }
    if (i >= options.warmup) samples.push_back(*sample);
  }
  const std::string report = Report(options, samples);
  std::fwrite(report.data(), 1, report.size(), stdout);
  return 0;
}

}  // namespace
}  // namespace zerostart::bench

int main(int argc, char** argv) { return zerostart::bench::Main(argc, argv); }
