// `zerostart bench`: any function — a binary or a Lambda zip, or several side by side — at
// several memory settings under the emulator, cold and warm, with each setting's cost at
// Lambda's prices and the best setting for speed, for cost and for both (local power tuning),
// into results.json, report.md and SVG charts. src/benchmark does the work; this file parses
// arguments, reads the environment and wires signals.
#ifndef ZEROSTART_SRC_CLI_BENCH_COMMAND_H_
#define ZEROSTART_SRC_CLI_BENCH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace zerostart::cli {

struct BenchOptions {
  std::vector<std::string> functions;  // [NAME=]PATH
  std::vector<std::string> payloads;   // JSON or @FILE
  std::string memory;                  // comma-separated MB; empty: the defaults (or the config's)
  int cold = -1;                       // -1: the default (or the config's)
  int warm = 0;                        // 0: the default (or the config's / the payload's)
  int warmups = -1;
  std::string arch;                    // empty: the config's, else the first function's ELF, else x86_64
  std::string prices_file;
  std::string config_file;
  std::string out_dir = "zerostart-bench";
  bool quick = false;
  double timeout_seconds = 0;          // 0: the config's, else 60
  std::string commit;
  bool no_charts = false;
};

CLI::App* AddBenchCommand(CLI::App& app, BenchOptions* options);

// Runs the benchmark. Returns 0 when the report was written (failed invokes and timeouts are
// results, reported per setting, not failures), 1 when the output could not be written, 2 for
// bad arguments (before anything runs), 130 when interrupted by SIGINT/SIGTERM/SIGHUP (the
// samples so far are written, marked incomplete, and no function process is left running).
int RunBench(const BenchOptions& options);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_BENCH_COMMAND_H_
