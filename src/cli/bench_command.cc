#include "src/cli/bench_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "src/study/plan.h"
#include "src/study/charts.h"
#include "src/study/output.h"
#include "src/study/progress.h"
#include "src/study/report.h"
#include "src/study/runner.h"
#include "src/study/study.h"

namespace zerostart::cli {
namespace {

constexpr int kExitInterrupted = 130;

std::string ExecutableDir() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return ".";
  std::string text(path, static_cast<size_t>(n));
  return text.substr(0, text.rfind('/'));
}

bool SplitPairs(const std::vector<std::string>& entries, const char* flag,
                std::map<std::string, std::string>* out) {
  for (const std::string& entry : entries) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      std::fprintf(stderr, "zerostart bench: %s expects NAME=VALUE, got '%s'\n", flag, entry.c_str());
      return false;
    }
    (*out)[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return true;
}

// Takes SIGINT/SIGTERM/SIGHUP on its own thread (they are blocked everywhere else) and cancels
// the runner; SIGUSR1 from Stop() ends it.
class SignalWatcher {
 public:
  explicit SignalWatcher(study::Runner* runner) : runner_(runner) {
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

  study::Runner* runner_;
  sigset_t signals_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

}  // namespace

CLI::App* AddBenchCommand(CLI::App& app, BenchOptions* options) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Run the study: every function at every memory setting, cold and warm, into "
               "results.json, report.md and charts");
  bench->add_flag("--quick", options->quick, "Fewer samples and smaller inputs (under 5 minutes)");
  bench->add_option("--out", options->out_dir, "Output folder")->capture_default_str();
  bench->add_option("--functions", options->functions,
                    "Comma-separated functions (default: kmeans,java-kmeans,sin,java-sin,echo)");
  bench->add_option("--memory", options->memory,
                    "Comma-separated memory settings in MB, 128-10240 (default: 128,256,512,1024,1769,3008)");
  bench->add_option("--runs", options->runs, "Cold starts and warm samples per measurement (default: sized per setting)")
      ->check(CLI::PositiveNumber);
  bench->add_option("--sin-iterations", options->sin_iterations,
                    "sin chain length (default 10000000, --quick 1000000)")
      ->check(CLI::PositiveNumber);
  bench->add_option("--timeout", options->timeout_seconds, "Timeout per invoke, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  bench->add_option("--bin-dir", options->bin_dir, "Where kmeans, sin and echo are (default: beside zerostart)");
  bench->add_option("--java-kmeans", options->java_kmeans, "The Java k-means bootstrap");
  bench->add_option("--java-sin", options->java_sin, "The Java sin bootstrap");
  bench->add_option("--bootstrap", options->bootstrap_overrides, "NAME=PATH: run PATH as function NAME (repeatable)")
      ->allow_extra_args(false);
  bench->add_option("--payload", options->payload_overrides,
                    "NAME=JSON: invoke function NAME with this one event instead of its workloads (repeatable)")
      ->allow_extra_args(false);
  bench->add_option("--commit", options->commit, "Commit to record (default: $ZS_COMMIT)");
  bench->add_flag("--no-charts", options->no_charts, "Do not draw charts");
  return bench;
}

int RunBench(const BenchOptions& options) {
  study::PlanOptions plan_options;
  plan_options.quick = options.quick;
  if (!options.functions.empty()) {
    auto functions = study::ParseFunctionList(options.functions);
    if (!functions.ok()) {
      std::fprintf(stderr, "zerostart bench: --functions: %s\n", functions.status().message().c_str());
      return 2;
    }
    plan_options.functions = *functions;
  }
  if (!options.memory.empty()) {
    auto memory = study::ParseMemoryList(options.memory);
    if (!memory.ok()) {
      std::fprintf(stderr, "zerostart bench: --memory: %s\n", memory.status().message().c_str());
      return 2;
    }
    plan_options.memory_mb = *memory;
  }
  plan_options.cold_starts = options.runs;
  plan_options.sin_iterations = options.sin_iterations;
  plan_options.timeout_seconds = options.timeout_seconds;
  const std::string exe_dir = ExecutableDir();
  plan_options.bin_dir = options.bin_dir.empty() ? exe_dir : options.bin_dir;
  plan_options.java_kmeans_bootstrap = options.java_kmeans.empty()
      ? exe_dir + "/../examples/java-kmeans/package/bootstrap" : options.java_kmeans;
  plan_options.java_sin_bootstrap = options.java_sin.empty()
      ? exe_dir + "/../examples/java-sin/package/bootstrap" : options.java_sin;
  if (!SplitPairs(options.bootstrap_overrides, "--bootstrap", &plan_options.bootstrap_overrides) ||
      !SplitPairs(options.payload_overrides, "--payload", &plan_options.payload_overrides)) {
    return 2;
  }
  auto plan = study::BuildPlan(plan_options);
  if (!plan.ok()) {
    std::fprintf(stderr, "zerostart bench: %s\n", plan.status().message().c_str());
    return 2;
  }
  // An unwritable output folder is found now, not after the study.
  study::ReportOptions report_options;
  report_options.out_dir = options.out_dir;
  if (Status ready = study::PrepareOutputDir(options.out_dir); !ready.ok()) {
    std::fprintf(stderr, "zerostart bench: %s\n", ready.message().c_str());
    return 1;
  }
  if (options.no_charts) {
    report_options.no_charts_reason = "--no-charts was given";
  } else {
    const char* path = std::getenv("PATH");
    auto gnuplot = study::FindProgram("gnuplot", path ? path : "/usr/bin:/bin");
    if (gnuplot.ok()) report_options.gnuplot = *gnuplot;
  }
  std::string commit = options.commit;
  if (commit.empty()) {
    const char* env = std::getenv("ZS_COMMIT");
    commit = env ? env : "";
  }
  signal(SIGPIPE, SIG_IGN);

  study::Runner runner(plan->timeout_seconds);
  study::StudyResults results;
  bool interrupted = false;
  {
    SignalWatcher watcher(&runner);  // blocks the stop signals before any thread starts
    study::Progress progress(stderr, isatty(STDERR_FILENO) != 0, study::TotalInvokes(*plan),
                             study::EstimatedSeconds(*plan) * 1000);
    progress.Note("zerostart bench: " + std::to_string(study::TotalInvokes(*plan)) + " invokes, estimated " +
                  study::Progress::FormatDuration(study::EstimatedSeconds(*plan)) +
                  " (with Lambda's CPU share per memory setting); output in " + options.out_dir);
    results = study::RunStudy(*plan, runner, progress, study::DescribeMachine(), commit);
    interrupted = watcher.interrupted() || runner.cancelled();
  }
  auto written = study::WriteReport(results, report_options);
  if (!written.ok()) {
    std::fprintf(stderr, "zerostart bench: cannot write the report: %s\n", written.status().message().c_str());
    return 1;
  }
  std::string files;
  for (const std::string& f : written->files) files += " " + f;
  std::fprintf(stderr, "zerostart bench: %s in %s:%s%s%s\n", interrupted ? "incomplete results" : "done",
               options.out_dir.c_str(), files.c_str(),
               written->charts_note.empty() ? "" : " (no charts: ", written->charts_note.empty() ? "" : (written->charts_note + ")").c_str());
  return interrupted ? kExitInterrupted : 0;
}

}  // namespace zerostart::cli
