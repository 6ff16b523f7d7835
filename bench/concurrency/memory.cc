// memory: serve's own cost of an idle environment: `serve --concurrency E --idle-timeout 0 --
// faulty`, E connections kept open; serve's VmRSS, threads and descriptors with no environment,
// with one, and with E, each held by an invoke until all E have reached their functions (see
// main.cc).

#include <errno.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bench/concurrency/client.h"
#include "bench/concurrency/figures.h"
#include "bench/concurrency/parts.h"
#include "bench/concurrency/serve_process.h"
#include "bench/proc_stats.h"
#include "src/benchmark/report_capture.h"

namespace zerostart::bench::concurrency {

using nlohmann::json;
using benchmark::ReportValues;

namespace {

json ServeFootprint(pid_t serve) {
  uint64_t function_rss = 0;
  const std::vector<pid_t> functions = Children(serve);
  for (pid_t pid : functions) function_rss += StatusField(pid, "VmRSS");
  return {{"vm_rss_kib", StatusField(serve, "VmRSS")},
          {"threads", StatusField(serve, "Threads")},
          {"fds", OpenFds(serve)},
          {"function_processes", functions.size()},
          {"function_rss_kib", function_rss}};
}

}  // namespace

Result<json> RunMemory(const Options& options, bool no_limits, bool* passed) {
  const size_t count = static_cast<size_t>(options.memory_environments);
  std::fprintf(stderr, "zs_concurrency_bench: memory: 1 then %zu idle environments%s\n", count,
               no_limits ? ", --no-limits" : "");
  std::vector<std::string> serve_options = {"--concurrency", std::to_string(count), "--idle-timeout", "0"};
  if (no_limits) serve_options.push_back("--no-limits");
  ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                      ServeProcess::Start({options.bin + "/zerostart", serve_options, options.bin + "/faulty"}));
  ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), count));
  json out = {{"limits", !no_limits}, {"connections_open", count}};
  out["no_environment"] = ServeFootprint(serve->pid());
  // One at a time: every invoke finds the one warm environment.
  const std::string echo = benchmark::InvokeBytes(R"({"action":"echo"})");
  for (Client& client : clients) {
    ZS_ASSIGN_OR_RETURN(Answer answer, benchmark::InvokeOnce(client, echo));
    if (answer.status != 200) return InternalError("memory: HTTP " + std::to_string(answer.status));
  }
  if (!serve->WaitForReports(count)) return InternalError("memory: REPORT records missing");
  out["one_environment"] = ServeFootprint(serve->pid());
  // All at once, each held until every one has reached its function: each connection needs an
  // environment of its own. faulty's wait_file returns once the file exists.
  char dir_template[] = "/tmp/zs-concurrency-bench.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return InternalError(std::string("mkdtemp: ") + std::strerror(errno));
  const std::string release = std::string(dir_template) + "/release";
  bool all_started = false;
  const std::string wait_event = R"({"action":"wait_file","path":")" + release + "\"}";
  std::vector<Answer> answers =
      SendAll(clients, std::vector<std::string>(count, benchmark::InvokeBytes(wait_event)),
              [&] {
                all_started = serve->WaitForStarts(2 * count);
                std::ofstream(release).put('\n');
              });
  std::filesystem::remove_all(dir_template);
  if (!all_started) return InternalError("memory: not every held invoke reached its function");
  for (const Answer& a : answers) {
    if (a.status != 200) return InternalError("memory: HTTP " + std::to_string(a.status) + " " + a.failure);
  }
  if (!serve->WaitForReports(2 * count)) return InternalError("memory: REPORT records missing");
  size_t cold_starts = 0;
  for (const ReportValues& r : serve->Reports()) cold_starts += r.init_duration_ms ? 1u : 0u;
  out["cold_starts"] = cold_starts;
  out["many_environments"] = ServeFootprint(serve->pid());
  const json& one = out["one_environment"];
  const json& many = out["many_environments"];
  const double added = static_cast<double>(many["function_processes"].get<size_t>()) -
                       static_cast<double>(one["function_processes"].get<size_t>());
  auto per = [&](const char* field) {
    return (static_cast<double>(many[field].get<uint64_t>()) - static_cast<double>(one[field].get<uint64_t>())) /
           added;
  };
  out["environments_added"] = added;
  out["per_environment"] = {{"vm_rss_kib", per("vm_rss_kib")},
                            {"threads", per("threads")},
                            {"fds", per("fds")},
                            {"function_rss_kib", per("function_rss_kib")}};
  if (cold_starts != count || added != static_cast<double>(count - 1)) *passed = false;
  clients.clear();
  ZS_RETURN_IF_ERROR(serve->Stop());
  return out;
}

void PrintMemory(const json& memory) {
  std::printf("### serve's footprint per idle environment (`--idle-timeout 0`, faulty, connections kept open)\n\n");
  std::printf("| cgroups | state | function processes | serve VmRSS | serve threads | serve fds |"
              " functions' VmRSS (sum) |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const json& m : memory) {
    const char* limits = m["limits"].get<bool>() ? "yes (default)" : "`--no-limits`";
    const std::string many = std::to_string(m["connections_open"].get<size_t>()) + " environments, idle";
    const std::pair<const char*, std::string> states[] = {{"no_environment", "before any invoke"},
                                                          {"one_environment", "1 environment, idle"},
                                                          {"many_environments", many}};
    for (const auto& [state, label] : states) {
      const json& s = m[state];
      std::printf("| %s | %s | %zu | %s MiB | %zu | %zu | %s MiB |\n", limits, label.c_str(),
                  s["function_processes"].get<size_t>(), Fixed(s["vm_rss_kib"].get<double>() / 1024, 1).c_str(),
                  s["threads"].get<size_t>(), s["fds"].get<size_t>(),
                  Fixed(s["function_rss_kib"].get<double>() / 1024, 1).c_str());
    }
    const json& per = m["per_environment"];
    std::printf("| %s | **per environment** (%s added) | 1 | **%s KiB** | **%s** | **%s** | %s KiB |\n", limits,
                Fixed(m["environments_added"].get<double>(), 0).c_str(),
                Fixed(per["vm_rss_kib"].get<double>(), 0).c_str(), Fixed(per["threads"].get<double>(), 2).c_str(),
                Fixed(per["fds"].get<double>(), 2).c_str(), Fixed(per["function_rss_kib"].get<double>(), 0).c_str());
  }
  std::printf("\n");
}

}  // namespace zerostart::bench::concurrency
