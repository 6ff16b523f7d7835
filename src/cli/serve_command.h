// `zerostart serve`: runs a function under the local Lambda emulator until SIGINT/SIGTERM.
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
};

// Declares the subcommand and its flags; FUNCTION [ARGS...] end up in the subcommand's
// remaining() (everything from the first positional on, so ARGS may look like flags).
CLI::App* AddServeCommand(CLI::App& app, ServeOptions* options);

// Runs the emulator; returns the process exit code: 0 after SIGINT/SIGTERM, 2 for a bad
// FUNCTION or bad arguments, 1 when it cannot listen (port in use).
int RunServe(const ServeOptions& options, const std::vector<std::string>& command);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_SERVE_COMMAND_H_
