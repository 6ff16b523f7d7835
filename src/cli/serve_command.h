// `zerostart serve`: runs a function (a bootstrap or a Lambda zip), or the functions of a SAM
// template, under the local Lambda emulator until SIGINT/SIGTERM.
#ifndef ZEROSTART_SRC_CLI_SERVE_COMMAND_H_
#define ZEROSTART_SRC_CLI_SERVE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace zerostart::cli {

struct ServeOptions {
  uint16_t port = 9000;
  std::string host = "127.0.0.1";
  int memory_mb = 1024;
  double timeout_seconds = 30;
  std::vector<std::string> env;  // K=V
  bool eager = false;
  std::string function_name;
  std::string protocol = "auto";  // auto | runtime-api | go1x
  bool no_limits = false;         // measure only: no CPU share or memory limit (no cgroup)
  // Streamed responses past the first 6 MiB: at most this many bytes/s (0: uncapped).
  uint64_t stream_bandwidth = 2ull * 1024 * 1024;
  // The pool of execution environments.
  int concurrency = 10;             // environments at most; more concurrent invokes get 429
  int max_concurrency = 0;          // Lambda Managed Instances: invokes per environment (0: off)
  bool no_freeze = false;           // keep idle environments running
  double idle_timeout_seconds = 300;  // reclaim an environment idle this long (0: never)
  // Event invokes.
  int max_retry_attempts = 2;
  double max_event_age_seconds = 21600;
  double event_retry_delay_seconds = 60;
  std::string on_failure;           // JSON lines file for events that finally failed
  // The environment's lifecycle.
  std::string extensions_dir;       // external extensions (Lambda's /opt/extensions)
  std::string log_format = "text";  // text | json (Lambda's LoggingConfig.LogFormat)
  std::string log_level;            // JSON only: the function's level (ApplicationLogLevel)
  std::string system_log_level;     // JSON only: Lambda's own records (SystemLogLevel)
  // A SAM template instead of FUNCTION, and the one function of it to serve ("" all).
  std::string template_path;
  std::string template_function;
  std::vector<std::string> template_parameters;  // K=V: a parameter's value instead of its Default
};

// Declares the subcommand and its flags; FUNCTION [ARGS...] end up in the subcommand's
// remaining() (everything from the first positional on, so ARGS may look like flags).
CLI::App* AddServeCommand(CLI::App& app, ServeOptions* options);

// Runs the emulator for `command` (FUNCTION [ARGS...]: an executable or a Lambda zip) or for
// options.template_path's functions; returns the process exit code: 0 after SIGINT/SIGTERM, 2
// for a bad FUNCTION, zip or template or bad arguments (nothing unpacked is left then), 1 when
// it cannot listen (port in use). An unpacked zip is removed before returning.
int RunServe(const ServeOptions& options, const std::vector<std::string>& command);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_SERVE_COMMAND_H_
