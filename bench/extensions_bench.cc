// zs_extensions_bench: what one external extension costs a function under `zerostart serve`,
// against the same function without it, in one run (configurations alternating round by round
// on a fresh serve each, so machine noise falls on both):
//   cold   the first invoke of a new environment: the caller's round trip (`zerostart bench`'s
//          definition of a cold start, measured here because bench runs no extensions) and
//          REPORT's Init Duration (init now waits for the extension to register and ask for its
//          first event);
//   warm   sequential invokes on one kept-open connection: the caller's round trip (the answer
//          does not wait for the extension) and REPORT's Duration (which does: an invoke ends when
//          every INVOKE-subscribed extension has asked for its next event), p50 and p99.
//
//   zs_extensions_bench --zerostart BIN --function BIN --extension BIN [--rounds N]
//                       [--warm-invokes N] [--json FILE]
//
// The extension is given to serve as the one executable of a scratch --extensions directory.
// Prints a Markdown table; --json writes the raw figures.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/concurrency/client.h"
#include "bench/concurrency/figures.h"
#include "bench/concurrency/serve_process.h"

namespace zerostart::bench {
namespace {

using concurrency::Answer;
using concurrency::Client;
using concurrency::Fixed;
using concurrency::PercentileOf;
using concurrency::ServeProcess;

constexpr std::string_view kPayload = R"({"k":"abcdefgh"})";

struct Samples {
  std::vector<double> cold_caller_ms;
  std::vector<double> init_ms;
  std::vector<double> warm_caller_us;
  std::vector<double> warm_report_ms;
};

struct Config {
  std::string label;
  std::vector<std::string> options;
  Samples samples;
};

Status Round(const std::string& zerostart, const std::string& function, int warm_invokes, Config& config) {
  ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                      ServeProcess::Start({zerostart, config.options, function, /*read_reports=*/true}));
  ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, concurrency::OpenClients(serve->port(), 1));
  const std::string request = benchmark::InvokeBytes(std::string(kPayload));
  auto invoke = [&]() -> Result<Answer> {
    ZS_ASSIGN_OR_RETURN(Answer answer, benchmark::InvokeOnce(clients[0], request));
    if (answer.status != 200 || answer.body != kPayload) {
      return InternalError(config.label + ": HTTP " + std::to_string(answer.status) + " " + answer.body);
    }
    return answer;
  };
  ZS_ASSIGN_OR_RETURN(Answer cold, invoke());
  config.samples.cold_caller_ms.push_back(cold.latency_ms());
  if (!serve->WaitForReports(1)) return InternalError(config.label + ": no REPORT for the cold invoke");
  const std::vector<benchmark::ReportValues> first = serve->Reports();
  if (first.empty() || !first[0].init_duration_ms) return InternalError(config.label + ": no Init Duration");
  config.samples.init_ms.push_back(*first[0].init_duration_ms);
  for (int i = 0; i < warm_invokes; ++i) {
    ZS_ASSIGN_OR_RETURN(Answer warm, invoke());
    config.samples.warm_caller_us.push_back(warm.latency_ms() * 1000);
  }
  if (!serve->WaitForReports(static_cast<size_t>(warm_invokes) + 1)) {
    return InternalError(config.label + ": REPORT records missing");
  }
  std::vector<benchmark::ReportValues> reports = serve->Reports();
  for (size_t i = 1; i < reports.size(); ++i) {
    if (reports[i].duration_ms) config.samples.warm_report_ms.push_back(*reports[i].duration_ms);
  }
  return serve->Stop();
}

nlohmann::json Summary(const std::vector<double>& values) {
  return {{"n", values.size()},
          {"p50", PercentileOf(values, 50)},
          {"p99", PercentileOf(values, 99)}};
}

}  // namespace
}  // namespace zerostart::bench

int main(int argc, char** argv) {
  using namespace zerostart::bench;
  CLI::App app{"What one external extension costs a function under zerostart serve"};
  std::string zerostart_bin, function, extension, json_path;
  int rounds = 10;
  int warm_invokes = 200;
  app.add_option("--zerostart", zerostart_bin, "the zerostart binary")->required();
  app.add_option("--function", function, "the function (e.g. build/bin/echo)")->required();
  app.add_option("--extension", extension, "the extension executable")->required();
  app.add_option("--rounds", rounds, "rounds per configuration")->capture_default_str();
  app.add_option("--warm-invokes", warm_invokes, "warm invokes per round")->capture_default_str();
  app.add_option("--json", json_path, "write the raw figures here");
  CLI11_PARSE(app, argc, argv);
  zerostart::bench::concurrency::StopServesOnSignal();

  char dir_template[] = "/tmp/zs_extensions_bench_XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return 1;
  const std::string extensions_dir = std::string(dir_template) + "/extensions";
  std::filesystem::create_directories(extensions_dir);
  std::filesystem::copy_file(extension, extensions_dir + "/" + std::filesystem::path(extension).filename().string());

  std::vector<Config> configs = {
      {"no extension", {"--no-limits"}, {}},
      {"one no-op external extension", {"--no-limits", "--extensions", extensions_dir}, {}},
  };
  for (int round = 0; round < rounds; ++round) {
    for (Config& config : configs) {
      zerostart::Status done = Round(zerostart_bin, function, warm_invokes, config);
      if (!done.ok()) {
        std::fprintf(stderr, "zs_extensions_bench: %s\n", done.ToString().c_str());
        return 1;
      }
    }
  }
  std::filesystem::remove_all(dir_template);

  std::printf("| configuration | cold: caller ms p50 | cold: Init Duration ms p50 | warm: caller µs p50 / p99 | "
              "warm: REPORT Duration ms p50 / p99 |\n|---|---:|---:|---:|---:|\n");
  nlohmann::json out = nlohmann::json::object();
  for (const Config& config : configs) {
    const Samples& s = config.samples;
    std::printf("| %s | %s | %s | %s / %s | %s / %s |\n", config.label.c_str(),
                Fixed(PercentileOf(s.cold_caller_ms, 50), 2).c_str(), Fixed(PercentileOf(s.init_ms, 50), 2).c_str(),
                Fixed(PercentileOf(s.warm_caller_us, 50), 1).c_str(), Fixed(PercentileOf(s.warm_caller_us, 99), 1).c_str(),
                Fixed(PercentileOf(s.warm_report_ms, 50), 3).c_str(), Fixed(PercentileOf(s.warm_report_ms, 99), 3).c_str());
    out[config.label] = {{"cold_caller_ms", Summary(s.cold_caller_ms)},
                         {"init_duration_ms", Summary(s.init_ms)},
                         {"warm_caller_us", Summary(s.warm_caller_us)},
                         {"warm_report_duration_ms", Summary(s.warm_report_ms)}};
  }
  const Samples& none = configs[0].samples;
  const Samples& one = configs[1].samples;
  std::printf("\nadded by the extension (p50): init %s ms, cold caller %s ms, warm caller %s µs, warm REPORT %s ms\n",
              Fixed(PercentileOf(one.init_ms, 50) - PercentileOf(none.init_ms, 50), 2).c_str(),
              Fixed(PercentileOf(one.cold_caller_ms, 50) - PercentileOf(none.cold_caller_ms, 50), 2).c_str(),
              Fixed(PercentileOf(one.warm_caller_us, 50) - PercentileOf(none.warm_caller_us, 50), 1).c_str(),
              Fixed(PercentileOf(one.warm_report_ms, 50) - PercentileOf(none.warm_report_ms, 50), 3).c_str());
  if (!json_path.empty()) std::ofstream(json_path) << out.dump(2) << "\n";
  return 0;
}
