// warm: one kept-open connection, sequential invokes of echo, configurations (this build with
// and without freezing and cgroups, and the build in --before-bin) alternating round by round,
// a fresh serve each; each configuration against the build before under the same cgroup
// setting, round by round (see main.cc).

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/concurrency/client.h"
#include "bench/concurrency/figures.h"
#include "bench/concurrency/parts.h"
#include "bench/concurrency/serve_process.h"
#include "bench/proc_stats.h"

namespace zerostart::bench::concurrency {

using nlohmann::json;

namespace {

constexpr int kWarmUpInvokes = 500;
constexpr std::string_view kEchoPayload = R"({"k":"abcdefgh"})";  // 16 bytes, as foundation.md

struct WarmConfig {
  WarmConfig(std::string label, std::string bin, std::vector<std::string> options)
      : label(std::move(label)), bin(std::move(bin)), options(std::move(options)) {}
  std::string label;
  std::string bin;
  std::vector<std::string> options;
  std::vector<double> latencies_us;  // every round's, pooled
  json rounds = json::array();
};

Status WarmRound(WarmConfig& config, int count) {
  ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                      ServeProcess::Start({config.bin + "/zerostart", config.options, config.bin + "/echo",
                                           /*read_reports=*/false}));
  ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), 1));
  const std::string request = benchmark::InvokeBytes(std::string(kEchoPayload));
  auto invoke = [&]() -> Result<Answer> {
    ZS_ASSIGN_OR_RETURN(Answer answer, benchmark::InvokeOnce(clients[0], request));
    if (answer.status != 200 || answer.body != kEchoPayload) {
      return InternalError(config.label + ": HTTP " + std::to_string(answer.status) + " " + answer.body);
    }
    return answer;
  };
  for (int i = 0; i < kWarmUpInvokes; ++i) ZS_RETURN_IF_ERROR(invoke().status());
  const std::vector<pid_t> functions = Children(serve->pid());
  auto function_ticks = [&] {
    uint64_t ticks = 0;
    for (pid_t pid : functions) ticks += CpuTicks(pid);
    return ticks;
  };
  // How often the function was put to sleep: about twice per invoke (waiting for the event in
  // /next, and for the answer to its /response), about twice more per freeze it went through
  // (stopped, then back to waiting), cgroup freezer or SIGSTOP.
  auto function_switches = [&] {
    uint64_t switches = 0;
    for (pid_t pid : functions) {
      switches += StatusField(pid, "voluntary_ctxt_switches") + StatusField(pid, "nonvoluntary_ctxt_switches");
    }
    return switches;
  };
  const uint64_t serve0 = CpuTicks(serve->pid()), function0 = function_ticks(), switches0 = function_switches();
  std::vector<double> us;
  us.reserve(static_cast<size_t>(count));
  const int64_t begin = NowNs();
  for (int i = 0; i < count; ++i) {
    ZS_ASSIGN_OR_RETURN(Answer answer, invoke());
    us.push_back(static_cast<double>(answer.answered_ns - answer.sent_ns) / 1e3);
  }
  const double seconds = static_cast<double>(NowNs() - begin) / 1e9;
  const double us_per_tick = 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double serve_us = static_cast<double>(CpuTicks(serve->pid()) - serve0) * us_per_tick / count;
  const double function_us = static_cast<double>(function_ticks() - function0) * us_per_tick / count;
  const double switches = static_cast<double>(function_switches() - switches0) / count;
  clients.clear();
  ZS_RETURN_IF_ERROR(serve->Stop());
  config.latencies_us.insert(config.latencies_us.end(), us.begin(), us.end());
  config.rounds.push_back({{"p50_us", PercentileOf(us, 50)},
                           {"p90_us", PercentileOf(us, 90)},
                           {"p99_us", PercentileOf(us, 99)},
                           {"max_us", PercentileOf(us, 100)},
                           {"invokes_per_s", count / seconds},
                           {"serve_cpu_us_per_invoke", serve_us},
                           {"function_cpu_us_per_invoke", function_us},
                           {"function_context_switches_per_invoke", switches},
                           {"function_processes", functions.size()}});
  return OkStatus();
}

}  // namespace

Result<json> RunWarm(const Options& options) {
  std::vector<WarmConfig> configs;
  const bool before = !options.before_bin.empty();
  if (before) configs.push_back(WarmConfig("before the pool", options.before_bin, {}));
  configs.push_back(WarmConfig("pool, frozen while idle (default)", options.bin, {}));
  configs.push_back(WarmConfig("pool, --no-freeze", options.bin, {"--no-freeze"}));
  if (before) configs.push_back(WarmConfig("before the pool, --no-limits", options.before_bin, {"--no-limits"}));
  configs.push_back(WarmConfig("pool, --no-limits (frozen by SIGSTOP)", options.bin, {"--no-limits"}));
  configs.push_back(WarmConfig("pool, --no-limits --no-freeze", options.bin, {"--no-limits", "--no-freeze"}));
  for (int round = 0; round < options.warm_rounds; ++round) {
    std::fprintf(stderr, "zs_concurrency_bench: warm: round %d of %d (%zu configurations x %d invokes)\n", round + 1,
                 options.warm_rounds, configs.size(), options.warm_count);
    for (WarmConfig& config : configs) ZS_RETURN_IF_ERROR(WarmRound(config, options.warm_count));
  }
  json out = {{"invokes_per_round", options.warm_count}, {"rounds", options.warm_rounds},
              {"payload", kEchoPayload}, {"configurations", json::array()}};
  for (const WarmConfig& config : configs) {
    auto median_of = [&](const char* field) {
      std::vector<double> values;
      for (const json& r : config.rounds) values.push_back(r[field].get<double>());
      return PercentileOf(values, 50);
    };
    json item = {{"label", config.label},
                 {"bin", config.bin},
                 {"options", config.options},
                 {"pooled", {{"p50_us", PercentileOf(config.latencies_us, 50)},
                             {"p90_us", PercentileOf(config.latencies_us, 90)},
                             {"p99_us", PercentileOf(config.latencies_us, 99)},
                             {"max_us", PercentileOf(config.latencies_us, 100)}}},
                 {"median_round", {{"invokes_per_s", median_of("invokes_per_s")},
                                   {"serve_cpu_us_per_invoke", median_of("serve_cpu_us_per_invoke")},
                                   {"function_cpu_us_per_invoke", median_of("function_cpu_us_per_invoke")},
                                   {"function_context_switches_per_invoke",
                                    median_of("function_context_switches_per_invoke")}}},
                 {"rounds", config.rounds}};
    out["configurations"].push_back(item);
  }
  // Each configuration against the build before the pool under the same cgroup setting, round by
  // round: the rounds of a pair ran one after the other, so drift of the machine cancels.
  for (json& c : out["configurations"]) {
    const bool no_limits = std::find(c["options"].begin(), c["options"].end(), "--no-limits") != c["options"].end();
    const std::string base_label = no_limits ? "before the pool, --no-limits" : "before the pool";
    if (c["label"] == base_label) continue;
    for (const json& base : out["configurations"]) {
      if (base["label"] != base_label) continue;
      std::vector<double> ratios;
      for (size_t r = 0; r < c["rounds"].size(); ++r) {
        ratios.push_back(c["rounds"][r]["p50_us"].get<double>() / base["rounds"][r]["p50_us"].get<double>());
      }
      c["vs_before"] = {{"baseline", base_label},
                        {"p50_ratio_per_round", ratios},
                        {"p50_ratio_median", PercentileOf(ratios, 50)},
                        {"p99_ratio_pooled",
                         c["pooled"]["p99_us"].get<double>() / base["pooled"]["p99_us"].get<double>()}};
    }
  }
  return out;
}

void PrintWarm(const json& warm) {
  std::printf("### Warm invokes of echo, one kept-open connection (%d rounds of %d, configurations alternating)\n\n",
              warm["rounds"].get<int>(), warm["invokes_per_round"].get<int>());
  std::printf("| configuration | p50 (median round) | p50 per round | p99 (all rounds) | p50 vs before: median of"
              " per-round ratios (range) | p99 vs before | invokes/s | CPU µs per invoke: serve / function |"
              " function context switches per invoke |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (const json& c : warm["configurations"]) {
    std::vector<double> p50s;
    std::string each;
    for (const json& r : c["rounds"]) {
      p50s.push_back(r["p50_us"].get<double>());
      each += (each.empty() ? "" : ", ") + Fixed(p50s.back(), 1);
    }
    std::string ratio = "–", p99_ratio = "–";
    if (c.contains("vs_before")) {
      const json& v = c["vs_before"];
      const std::vector<double> ratios = v["p50_ratio_per_round"].get<std::vector<double>>();
      ratio = "**" + Fixed(v["p50_ratio_median"].get<double>(), 2) + "×** (" + Fixed(PercentileOf(ratios, 0), 2) +
              "–" + Fixed(PercentileOf(ratios, 100), 2) + ")";
      p99_ratio = Fixed(v["p99_ratio_pooled"].get<double>(), 2) + "×";
    }
    std::printf("| %s | **%s µs** | %s | %s µs | %s | %s | %s | %s / %s | %s |\n",
                c["label"].get<std::string>().c_str(), Fixed(PercentileOf(p50s, 50), 1).c_str(), each.c_str(),
                Fixed(c["pooled"]["p99_us"].get<double>(), 1).c_str(),
                ratio.c_str(), p99_ratio.c_str(), Fixed(c["median_round"]["invokes_per_s"].get<double>(), 0).c_str(),
                Fixed(c["median_round"]["serve_cpu_us_per_invoke"].get<double>(), 0).c_str(),
                Fixed(c["median_round"]["function_cpu_us_per_invoke"].get<double>(), 0).c_str(),
                Fixed(c["median_round"]["function_context_switches_per_invoke"].get<double>(), 2).c_str());
  }
  std::printf("\n");
}

}  // namespace zerostart::bench::concurrency
