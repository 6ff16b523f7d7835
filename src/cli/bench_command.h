// `zerostart bench`: the study as one command — every reference function at every
// memory setting under the emulator, cold and warm — into results.json, report.md and charts
// (src/study does the work; this file parses arguments and wires signals).
#ifndef ZEROSTART_SRC_CLI_BENCH_COMMAND_H_
#define ZEROSTART_SRC_CLI_BENCH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace zerostart::cli {

struct BenchOptions {
  bool quick = false;
  std::string out_dir = "docs/benchmarks/study";
  std::string functions;  // comma-separated; empty: all
  std::string memory;     // comma-separated MB; empty: 128,256,512,1024,1769,3008
  int runs = 0;           // 0: the plan's defaults
  int sin_iterations = 0;
  double timeout_seconds = 120;
  std::string bin_dir;            // empty: the directory of this executable
  std::string java_kmeans;        // empty: <bin>/../examples/java-kmeans/package/bootstrap
  std::string java_sin;           // empty: <bin>/../examples/java-sin/package/bootstrap
  std::vector<std::string> bootstrap_overrides;  // NAME=PATH
  std::vector<std::string> payload_overrides;    // NAME=JSON
  std::string commit;             // empty: $ZS_COMMIT
  bool no_charts = false;
};

CLI::App* AddBenchCommand(CLI::App& app, BenchOptions* options);

// Runs the study. Returns 0 when the report was written (failed invokes are results, not
// failures), 1 when the output could not be written, 2 for bad arguments (before anything
// runs), 130 when interrupted by SIGINT/SIGTERM/SIGHUP (the samples so far are written, marked
// incomplete).
int RunBench(const BenchOptions& options);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_BENCH_COMMAND_H_
