// cold: for each N, N invokes that sleep S ms sent at once to a fresh pool
// (`serve --concurrency N --no-limits -- faulty`), every environment cold, then N again on the
// warm pool; each round against its bound (see main.cc).

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "bench/concurrency/client.h"
#include "bench/concurrency/figures.h"
#include "bench/concurrency/parts.h"
#include "bench/concurrency/serve_process.h"
#include "src/benchmark/report_capture.h"

namespace zerostart::bench::concurrency {

using nlohmann::json;
using benchmark::ReportValues;

namespace {

// The allowance over (sleep + slowest Init Duration), and the warm round's over sleep.
constexpr double kSlack = 1.10;

// The REPORT records whose request ids are among `answers`' (the round's).
std::vector<ReportValues> ReportsOf(const std::vector<ReportValues>& reports, const std::vector<Answer>& answers) {
  std::set<std::string> ids;
  for (const Answer& a : answers) ids.insert(a.request_id);
  std::vector<ReportValues> round;
  for (const ReportValues& r : reports) {
    if (ids.count(r.request_id) > 0) round.push_back(r);
  }
  return round;
}

json ColdRound(ServeProcess& serve, std::vector<Client>& clients, const std::string& request, int sleep_ms,
               bool cold, bool* passed) {
  const size_t before = serve.ReportCount();
  std::vector<Answer> answers = SendAll(clients, std::vector<std::string>(clients.size(), request));
  size_t ok = 0;
  std::vector<double> latencies;
  for (const Answer& a : answers) {
    if (a.status == 200 && a.body == request.substr(request.find("\r\n\r\n") + 4)) ++ok;
    if (a.status != 0) latencies.push_back(a.latency_ms());
  }
  const bool reports_in = serve.WaitForReports(before + ok);
  std::vector<ReportValues> reports = ReportsOf(serve.Reports(), answers);
  double slowest_init = 0;
  size_t cold_starts = 0;
  for (const ReportValues& r : reports) {
    if (r.init_duration_ms) {
      ++cold_starts;
      slowest_init = std::max(slowest_init, *r.init_duration_ms);
    }
  }
  const Wall wall = WallOf(answers);
  const double bound = (sleep_ms + slowest_init) * kSlack;
  const bool complete = ok == clients.size() && reports_in && reports.size() == ok &&
                        cold_starts == (cold ? clients.size() : 0);
  const bool within = complete && wall.ms() <= bound;
  *passed = *passed && within;
  return {{"round", cold ? "cold" : "warm"},
          {"invokes", clients.size()},
          {"answered_200", ok},
          {"reports", reports.size()},
          {"cold_starts", cold_starts},
          {"slowest_init_ms", slowest_init},
          {"wall_ms", wall.ms()},
          {"bound_ms", bound},
          {"latency_min_ms", PercentileOf(latencies, 0)},
          {"latency_max_ms", PercentileOf(latencies, 100)},
          {"complete", complete},
          {"within_bound", within}};
}

}  // namespace

Result<json> RunCold(const Options& options, bool* passed) {
  json sizes = json::array();
  const std::string request =
      benchmark::InvokeBytes(R"({"action":"sleep_ms","ms":)" + std::to_string(options.sleep_ms) + "}");
  for (int n : options.cold_sizes) {
    std::fprintf(stderr, "zs_concurrency_bench: cold: %d at once, --concurrency %d --no-limits\n", n, n);
    ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                        ServeProcess::Start({options.bin + "/zerostart",
                                             {"--concurrency", std::to_string(n), "--no-limits", "--timeout", "30"},
                                             options.bin + "/faulty"}));
    ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), static_cast<size_t>(n)));
    json cold = ColdRound(*serve, clients, request, options.sleep_ms, true, passed);
    json warm = ColdRound(*serve, clients, request, options.sleep_ms, false, passed);
    clients.clear();
    ZS_RETURN_IF_ERROR(serve->Stop());
    sizes.push_back({{"n", n}, {"cold", cold}, {"warm", warm}});
  }
  return sizes;
}

void PrintCold(const Options& options, const json& sizes) {
  std::printf("### %d ms invokes sent at once, `--concurrency N --no-limits` (faulty `sleep_ms`)\n\n",
              options.sleep_ms);
  std::printf("| N | pool | 200s | cold starts | slowest Init Duration | wall: first sent → last answer |"
              " bound | within |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const json& size : sizes) {
    for (const char* round : {"cold", "warm"}) {
      const json& r = size[round];
      std::printf("| %d | %s | %zu | %zu | %s | **%s ms** | %s ms | %s |\n", size["n"].get<int>(), round,
                  r["answered_200"].get<size_t>(), r["cold_starts"].get<size_t>(),
                  r["cold_starts"].get<size_t>() > 0 ? (Fixed(r["slowest_init_ms"].get<double>(), 1) + " ms").c_str()
                                                    : "–",
                  Fixed(r["wall_ms"].get<double>(), 1).c_str(), Fixed(r["bound_ms"].get<double>(), 1).c_str(),
                  r["within_bound"].get<bool>() ? "yes" : "**no**");
    }
  }
  std::printf("\n");
}

}  // namespace zerostart::bench::concurrency
