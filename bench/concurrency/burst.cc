// burst: B invokes sent at once over B open connections at `--concurrency C`, twice (a cold
// pool, then a warm one), each checked: answered once, 200 or 429; each 200 in exactly one
// REPORT record and carrying its own payload (see main.cc).

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/concurrency/client.h"
#include "bench/concurrency/figures.h"
#include "bench/concurrency/parts.h"
#include "bench/concurrency/serve_process.h"
#include "bench/proc_stats.h"
#include "src/common/lambda_protocol.h"
#include "src/benchmark/report_capture.h"

namespace zerostart::bench::concurrency {

using nlohmann::json;
using benchmark::ReportValues;

namespace {

struct BurstRound {
  std::vector<Answer> answers;
  std::vector<std::string> payloads;
};

// Checks a round against every REPORT record serve printed (read after it stopped, so a late or
// duplicated line is seen too).
json CheckBurst(const BurstRound& round, const std::vector<ReportValues>& all_reports,
                const std::map<std::string, int>& ids_answered_200, bool* passed) {
  std::map<std::string, int> report_count;
  for (const ReportValues& r : all_reports) ++report_count[r.request_id];
  size_t ok = 0, throttled = 0, other = 0, unanswered = 0, wrong_bodies = 0, missing_id = 0;
  size_t one_report = 0, no_report = 0, several_reports = 0, duplicate_ids = 0, cold_starts = 0;
  std::map<std::string, int> ids;
  std::vector<double> all_ms, ok_ms, throttled_ms;
  std::string first_failure;
  for (size_t i = 0; i < round.answers.size(); ++i) {
    const Answer& a = round.answers[i];
    if (a.status == 0) {
      ++unanswered;
      if (first_failure.empty()) first_failure = a.failure;
      continue;
    }
    all_ms.push_back(a.latency_ms());
    if (a.request_id.empty()) ++missing_id;
    else if (++ids[a.request_id] == 2) ++duplicate_ids;
    if (a.status == 200) {
      ++ok;
      ok_ms.push_back(a.latency_ms());
      if (a.body != round.payloads[i]) ++wrong_bodies;
      auto found = report_count.find(a.request_id);
      const int reports = found == report_count.end() ? 0 : found->second;
      (reports == 1 ? one_report : reports == 0 ? no_report : several_reports)++;
    } else if (a.status == 429 && a.error_type == lambda::kTooManyRequestsException) {
      ++throttled;
      throttled_ms.push_back(a.latency_ms());
    } else {
      ++other;
      if (first_failure.empty()) first_failure = "HTTP " + std::to_string(a.status) + " " + a.error_type + " " + a.body;
    }
  }
  std::vector<double> init_ms;
  for (const ReportValues& r : all_reports) {
    if (r.init_duration_ms && ids.count(r.request_id) > 0) init_ms.push_back(*r.init_duration_ms);
  }
  cold_starts = init_ms.size();
  // A REPORT whose id no caller got a 200 for (in any round): an invoke answered otherwise.
  size_t orphan_reports = 0;
  for (const auto& [id, count] : report_count) {
    if (ids_answered_200.count(id) == 0) orphan_reports += static_cast<size_t>(count);
  }
  const Wall wall = WallOf(round.answers);
  const bool ok_round = unanswered == 0 && other == 0 && missing_id == 0 && duplicate_ids == 0 && no_report == 0 &&
                        several_reports == 0 && wrong_bodies == 0 && orphan_reports == 0 &&
                        ok + throttled == round.answers.size();
  *passed = *passed && ok_round;
  return {{"sent", round.answers.size()},
          {"answered_200", ok},
          {"answered_429", throttled},
          {"answered_other", other},
          {"unanswered", unanswered},
          {"first_failure", first_failure},
          {"answers_without_request_id", missing_id},
          {"duplicate_request_ids", duplicate_ids},
          {"ok_with_one_report", one_report},
          {"ok_without_report", no_report},
          {"ok_with_several_reports", several_reports},
          {"reports_without_a_200", orphan_reports},
          {"wrong_bodies", wrong_bodies},
          {"cold_starts", cold_starts},
          {"init_duration_ms", {{"p50", PercentileOf(init_ms, 50)}, {"max", PercentileOf(init_ms, 100)}}},
          {"wall_ms", wall.ms()},
          {"answers_per_s", static_cast<double>(ok + throttled + other) / (wall.ms() / 1e3)},
          {"latency_ms", {{"p50", PercentileOf(all_ms, 50)}, {"p99", PercentileOf(all_ms, 99)},
                          {"max", PercentileOf(all_ms, 100)}}},
          {"latency_200_ms", {{"p50", PercentileOf(ok_ms, 50)}, {"p99", PercentileOf(ok_ms, 99)}}},
          {"latency_429_ms", {{"p50", PercentileOf(throttled_ms, 50)}, {"p99", PercentileOf(throttled_ms, 99)}}},
          {"passed", ok_round}};
}

}  // namespace

Result<json> RunBurst(const Options& options, bool no_limits, bool* passed) {
  const size_t count = static_cast<size_t>(options.burst);
  std::fprintf(stderr, "zs_concurrency_bench: burst: %zu at once, --concurrency %d%s\n", count,
               options.burst_concurrency, no_limits ? " --no-limits" : "");
  std::vector<std::string> serve_options = {"--concurrency", std::to_string(options.burst_concurrency)};
  if (no_limits) serve_options.push_back("--no-limits");
  ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                      ServeProcess::Start({options.bin + "/zerostart", serve_options, options.bin + "/echo"}));
  ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), count));
  std::vector<BurstRound> rounds(2);
  std::map<std::string, int> ids_answered_200;
  size_t reports_expected = 0;
  for (size_t r = 0; r < rounds.size(); ++r) {
    // Each invoke its own payload, so that a body given to the wrong caller is seen.
    std::vector<std::string> requests;
    for (size_t i = 0; i < count; ++i) {
      rounds[r].payloads.push_back(R"({"round":)" + std::to_string(r) + R"(,"i":)" + std::to_string(i) + "}");
      requests.push_back(benchmark::InvokeBytes(rounds[r].payloads.back()));
    }
    rounds[r].answers = SendAll(clients, requests);
    for (const Answer& a : rounds[r].answers) {
      if (a.status == 200) {
        ++ids_answered_200[a.request_id];
        ++reports_expected;
      }
    }
    // The next round starts on an idle pool: every environment has printed its REPORT.
    serve->WaitForReports(reports_expected);
  }
  const pid_t pid = serve->pid();
  const size_t functions = Children(pid).size();
  clients.clear();
  Status stopped = serve->Stop();
  std::vector<ReportValues> reports = serve->Reports();
  json out = {{"concurrency", options.burst_concurrency},
              {"limits", !no_limits},
              {"function_processes_after", functions},
              {"reports_total", reports.size()},
              {"serve_stopped", stopped.ok() ? "ok" : stopped.ToString()},
              {"rounds", json::array()}};
  size_t repeated = 0;  // a 200's request id given to more than one invoke, in any round
  for (const auto& [id, count] : ids_answered_200) repeated += count > 1 ? 1u : 0u;
  out["ok_request_ids_repeated"] = repeated;
  if (!stopped.ok() || repeated > 0) *passed = false;
  for (size_t r = 0; r < rounds.size(); ++r) {
    json checked = CheckBurst(rounds[r], reports, ids_answered_200, passed);
    checked["pool"] = r == 0 ? "cold" : "warm";
    out["rounds"].push_back(checked);
  }
  return out;
}

void PrintBurst(const json& bursts) {
  std::printf("### %zu invokes of echo sent at once over %zu open connections, `--concurrency %d`\n\n",
              bursts[0]["rounds"][0]["sent"].get<size_t>(), bursts[0]["rounds"][0]["sent"].get<size_t>(),
              bursts[0]["concurrency"].get<int>());
  std::printf("| cgroups | pool | 200 | 429 | other / unanswered | duplicate ids | 200s with exactly one REPORT |"
              " REPORTs without a 200 | wrong bodies | cold starts | Init Duration p50 / max | p50 | p99 |"
              " p50 / p99 of the 200s |"
              " p50 / p99 of the 429s | wall | answers/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const json& burst : bursts) {
    for (const json& r : burst["rounds"]) {
      const std::string init = r["cold_starts"].get<size_t>() == 0
                                   ? std::string("–")
                                   : Fixed(r["init_duration_ms"]["p50"].get<double>(), 1) + " / " +
                                         Fixed(r["init_duration_ms"]["max"].get<double>(), 1) + " ms";
      std::printf("| %s | %s | %zu | %zu | %zu / %zu | %zu | %zu | %zu | %zu | %zu | %s | %s ms | %s ms | %s / %s ms |"
                  " %s / %s ms | %s ms | **%s** |\n",
                  burst["limits"].get<bool>() ? "yes (default)" : "`--no-limits`", r["pool"].get<std::string>().c_str(),
                  r["answered_200"].get<size_t>(),
                  r["answered_429"].get<size_t>(), r["answered_other"].get<size_t>(), r["unanswered"].get<size_t>(),
                  r["duplicate_request_ids"].get<size_t>(), r["ok_with_one_report"].get<size_t>(),
                  r["reports_without_a_200"].get<size_t>(), r["wrong_bodies"].get<size_t>(),
                  r["cold_starts"].get<size_t>(), init.c_str(), Fixed(r["latency_ms"]["p50"].get<double>(), 2).c_str(),
                  Fixed(r["latency_ms"]["p99"].get<double>(), 2).c_str(),
                  Fixed(r["latency_200_ms"]["p50"].get<double>(), 2).c_str(),
                  Fixed(r["latency_200_ms"]["p99"].get<double>(), 2).c_str(),
                  Fixed(r["latency_429_ms"]["p50"].get<double>(), 2).c_str(),
                  Fixed(r["latency_429_ms"]["p99"].get<double>(), 2).c_str(),
                  Fixed(r["wall_ms"].get<double>(), 1).c_str(),
                  Fixed(r["answers_per_s"].get<double>(), 0).c_str());
    }
  }
  std::printf("\n");
  for (const json& burst : bursts) {
    std::printf("%s: REPORT records in all %zu; function processes alive after the bursts %zu; serve stopped: %s.\n",
                burst["limits"].get<bool>() ? "With cgroups" : "With `--no-limits`",
                burst["reports_total"].get<size_t>(),
                burst["function_processes_after"].get<size_t>(), burst["serve_stopped"].get<std::string>().c_str());
  }
  std::printf("\n");
}

}  // namespace zerostart::bench::concurrency
