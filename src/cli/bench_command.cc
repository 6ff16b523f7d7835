#include "src/cli/bench_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "src/benchmark/charts.h"
#include "src/benchmark/config.h"
#include "src/benchmark/output.h"
#include "src/benchmark/plan.h"
#include "src/benchmark/pricing.h"
#include "src/benchmark/progress.h"
#include "src/benchmark/report.h"
#include "src/benchmark/run_bench.h"
#include "src/benchmark/runner.h"
#include "src/benchmark/stats.h"
#include "src/benchmark/tuning.h"
#include "src/cli/temp_parent.h"
#include "src/package/file_io.h"
#include "src/package/function_source.h"

namespace zerostart::cli {
namespace {

constexpr int kExitInterrupted = 130;

// Config, payload and price files are small; a larger one is a mistake.
constexpr uint64_t kMaxInputBytes = 64ull << 20;

// The best settings, one line per function and payload, after the run (report.md has the rest).
void PrintBest(const benchmark::BenchResults& results) {
  auto setting = [](const std::optional<int>& mb) { return mb ? std::to_string(*mb) + " MB" : std::string("none"); };
  for (const benchmark::PayloadTuning& t : benchmark::TuningOf(results)) {
    std::fprintf(stderr, "zerostart bench: %s %s: fastest %s, cheapest %s, balanced %s\n", t.function.c_str(),
                 t.workload.c_str(), setting(t.best.speed).c_str(), setting(t.best.cost).c_str(),
                 setting(t.best.balanced).c_str());
  }
}

// Takes SIGINT/SIGTERM/SIGHUP on its own thread (they are blocked everywhere else) and cancels
// the runner; SIGUSR1 from Stop() ends it.
class SignalWatcher {
 public:
  explicit SignalWatcher(benchmark::Runner* runner) : runner_(runner) {
    sigemptyset(&signals_);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&signals_, s);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this] { Watch(); });
  }
  ~SignalWatcher() {
    stopping_ = true;
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  bool interrupted() const { return interrupted_; }

 private:
  void Watch() {
    while (true) {
      int signal_number = 0;
      if (sigwait(&signals_, &signal_number) != 0) continue;
      if (signal_number == SIGUSR1) {
        if (stopping_) return;
        continue;
      }
      interrupted_ = true;
      std::fprintf(stderr, "\nzerostart bench: interrupted; stopping the function and writing the samples so far\n");
      runner_->Cancel();
    }
  }

  benchmark::Runner* runner_;
  sigset_t signals_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

}  // namespace

CLI::App* AddBenchCommand(CLI::App& app, BenchOptions* options) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Measure functions at several memory settings, cold and warm, with the cost of each "
               "setting at Lambda's prices and the best one for speed, cost and both (local power "
               "tuning): results.json, report.md and charts");
  bench->add_option("FUNCTION", options->functions,
                    "[NAME=]PATH: an executable bootstrap or a Lambda zip (several: side by side)");
  bench->add_option("--payload", options->payloads, "JSON or @FILE: an event to invoke with (repeatable; default {})")
      ->allow_extra_args(false);
  bench->add_option("--memory", options->memory,
                    "Comma-separated memory settings in MB, 128-10240 (default: 128,256,512,1024,1769,3008)");
  bench->add_option("--cold", options->cold, "Cold starts per setting (default 10, --quick 3)")
      ->check(CLI::NonNegativeNumber);
  bench->add_option("--warm", options->warm, "Warm samples per setting and payload (default 20, --quick 5)")
      ->check(CLI::PositiveNumber);
  bench->add_option("--warmups", options->warmups, "Warm invokes discarded before the samples (default 2, --quick 1)")
      ->check(CLI::NonNegativeNumber);
  bench->add_option("--arch", options->arch, "x86_64 or arm64: the prices to use (default: the bootstrap's)");
  bench->add_option("--prices", options->prices_file,
                    "JSON price list: region, date, source, x86_64_per_gb_second, arm64_per_gb_second, per_million_requests");
  bench->add_option("--config", options->config_file, "JSON file describing the run (functions with their own payloads)");
  bench->add_option("--out", options->out_dir, "Output folder")->capture_default_str();
  bench->add_flag("--quick", options->quick, "Fewer samples (cold 3, warm 5)");
  bench->add_option("--timeout", options->timeout_seconds, "Function timeout per invoke, in seconds (default 60)")
      ->check(CLI::PositiveNumber);
  bench->add_option("--commit", options->commit, "A commit to record in the results");
  bench->add_flag("--no-charts", options->no_charts, "Do not draw charts");
  return bench;
}

namespace {

int BadArgument(const std::string& message) {
  std::fprintf(stderr, "zerostart bench: %s\n", message.c_str());
  return 2;
}

Result<std::string> ReadText(const std::string& path) {
  return package::ReadFileBytes(path, kMaxInputBytes);
}

}  // namespace

int RunBench(const BenchOptions& options) {
  // Stop signals wait (blocked) until the watcher takes them: one during the unpacking of a zip
  // then cancels the run, whose temporary task roots are removed on the way out.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  benchmark::PlanOptions plan_options;
  std::string arch = options.arch;
  std::vector<bool> optional;
  if (!options.config_file.empty()) {
    Result<std::string> text = ReadText(options.config_file);
    if (!text.ok()) return BadArgument("--config " + options.config_file + ": " + text.status().message());
    const std::string folder = std::filesystem::path(options.config_file).parent_path().string();
    auto config = benchmark::ParseConfig(*text, folder.empty() ? "." : folder, ReadText);
    if (!config.ok()) return BadArgument(options.config_file + ": " + config.status().message());
    plan_options = config->plan;
    if (arch.empty() && config->arch) arch = *config->arch;
    optional = config->optional;
  }
  if (!arch.empty()) {
    if (Status valid = benchmark::ValidateArch(arch); !valid.ok()) return BadArgument(valid.message());
  }
  plan_options.quick = options.quick;
  if (!options.functions.empty()) {
    plan_options.functions.clear();
    optional.clear();
    for (const std::string& argument : options.functions) {
      benchmark::FunctionSpec spec;
      const size_t equals = argument.find('=');
      const bool named = equals != std::string::npos && equals > 0 && argument.substr(0, equals).find('/') == std::string::npos;
      spec.bootstrap = named ? argument.substr(equals + 1) : argument;
      spec.name = named ? argument.substr(0, equals) : benchmark::DefaultFunctionName(argument);
      plan_options.functions.push_back(std::move(spec));
      optional.push_back(false);
    }
  }
  if (plan_options.functions.empty()) {
    return BadArgument("name a function to measure: zerostart bench [OPTIONS] FUNCTION... (a bootstrap or a zip)");
  }
  if (!options.payloads.empty()) {
    plan_options.payloads.clear();
    for (const std::string& argument : options.payloads) {
      auto payload = benchmark::ParsePayloadArgument(argument, ReadText);
      if (!payload.ok()) return BadArgument("--payload: " + payload.status().message());
      plan_options.payloads.push_back(std::move(payload).value());
    }
    for (benchmark::FunctionSpec& f : plan_options.functions) f.payloads.clear();
  }
  if (!options.memory.empty()) {
    auto memory = benchmark::ParseMemoryList(options.memory);
    if (!memory.ok()) return BadArgument("--memory: " + memory.status().message());
    plan_options.memory_mb = *memory;
  }
  plan_options.counts = {options.cold, options.warm, options.warmups};
  if (options.timeout_seconds > 0) plan_options.timeout_seconds = options.timeout_seconds;

  // Zips are unpacked now, so a bad one is refused before anything runs.
  const std::string temp_parent = TempParent();
  std::vector<package::FunctionSource> sources;
  benchmark::BenchResults results;
  for (size_t i = 0; i < plan_options.functions.size(); ++i) {
    benchmark::FunctionSpec& spec = plan_options.functions[i];
    auto source = package::FunctionSource::Open(spec.bootstrap, temp_parent);
    if (!source.ok()) {
      if (optional[i] && source.status().code() == StatusCode::kNotFound) {
        spec.skip_reason = source.status().message();
        continue;
      }
      std::string message = source.status().message();
      if (source.status().code() == StatusCode::kFailedPrecondition) {
        message += " (zips are unpacked under $TMPDIR, else /tmp)";
      }
      return BadArgument(message);
    }
    // Each function is priced as its ELF says, unless --arch (or the configuration) says for all.
    results.functions.push_back({spec.name, source->source(), source->bootstrap(),
                                 !arch.empty() ? arch : source->arch().empty() ? "x86_64" : source->arch()});
    spec.bootstrap = source->bootstrap();
    sources.push_back(std::move(source).value());
  }
  auto plan = benchmark::BuildPlan(plan_options);
  if (!plan.ok()) return BadArgument(plan.status().message());

  results.arch = arch;
  results.prices = benchmark::DefaultPrices();
  if (!options.prices_file.empty()) {
    Result<std::string> text = ReadText(options.prices_file);
    if (!text.ok()) return BadArgument("--prices " + options.prices_file + ": " + text.status().message());
    auto prices = benchmark::ParsePrices(*text, results.prices);
    if (!prices.ok()) return BadArgument(options.prices_file + ": " + prices.status().message());
    results.prices = *prices;
  }
  results.commit = options.commit;
  results.machine = benchmark::DescribeMachine();

  // An unwritable output folder is found now, not after the run.
  benchmark::ReportOptions report_options;
  report_options.out_dir = options.out_dir;
  if (Status ready = benchmark::PrepareOutputDir(options.out_dir); !ready.ok()) {
    std::fprintf(stderr, "zerostart bench: %s\n", ready.message().c_str());
    return 1;
  }
  if (options.no_charts) {
    report_options.no_charts_reason = "--no-charts was given";
  } else {
    const char* path = std::getenv("PATH");
    auto gnuplot = benchmark::FindProgram("gnuplot", path ? path : "/usr/bin:/bin");
    if (gnuplot.ok()) report_options.gnuplot = *gnuplot;
  }
  signal(SIGPIPE, SIG_IGN);

  benchmark::Runner runner(plan->timeout_seconds);
  bool interrupted = false;
  {
    SignalWatcher watcher(&runner);  // blocks the stop signals before any thread starts
    benchmark::Progress progress(stderr, isatty(STDERR_FILENO) != 0, benchmark::TotalInvokes(*plan),
                                 benchmark::EstimatedSeconds(*plan) * 1000);
    progress.Note("zerostart bench: " + std::to_string(benchmark::TotalInvokes(*plan)) + " invokes at " +
                  std::to_string(plan->memory_mb.size()) + " memory settings, estimated " +
                  benchmark::Progress::FormatDuration(benchmark::EstimatedSeconds(*plan)) +
                  " (with Lambda's CPU share per setting); output in " + options.out_dir);
    benchmark::RunBench(*plan, runner, progress, &results);
    interrupted = watcher.interrupted() || runner.cancelled();
  }
  auto written = benchmark::WriteReport(results, report_options);
  if (!written.ok()) {
    std::fprintf(stderr, "zerostart bench: cannot write the report: %s\n", written.status().message().c_str());
    return 1;
  }
  std::string files;
  for (const std::string& f : written->files) files += " " + f;
  std::fprintf(stderr, "zerostart bench: %s in %s:%s%s%s\n", interrupted ? "incomplete results" : "done",
               options.out_dir.c_str(), files.c_str(),
               written->charts_note.empty() ? "" : " (no charts: ", written->charts_note.empty() ? "" : (written->charts_note + ")").c_str());
  if (!interrupted) PrintBest(results);
  return interrupted ? kExitInterrupted : 0;
}

}  // namespace zerostart::cli
