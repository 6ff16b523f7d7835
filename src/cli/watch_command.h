// `zerostart watch [OPTIONS] FUNCTION`: serve FUNCTION as `zerostart serve` would, and rebuild
// it when a source under the project folder changes: the user's build command runs, and the next
// invoke gets a fresh environment from the new binary. A failed build keeps the previous binary
// and prints the build's output. The work: src/cli/file_watcher (inotify), src/cli/build_runner
// (the build's process group), src/emulator (the Emulator; a rebuild retires its environments).
#ifndef ZEROSTART_SRC_CLI_WATCH_COMMAND_H_
#define ZEROSTART_SRC_CLI_WATCH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace zerostart::cli {

struct WatchOptions {
  std::string function;            // the binary the build makes, e.g. build/my-fn
  std::string project = ".";       // the folder whose sources are watched
  std::string build_dir = "build"; // relative to `project`; not watched
  std::string build_command;       // "" -> cmake --build <build_dir>
  std::string host = "127.0.0.1";
  uint16_t port = 9000;
  int memory_mb = 1024;
  double timeout_seconds = 30;
  std::vector<std::string> env;    // --env K=V
  bool no_limits = false;
};

CLI::App* AddWatchCommand(CLI::App& app, WatchOptions* options);

// Builds, serves, and rebuilds on change until SIGINT, SIGTERM or SIGHUP (returns 0, leaving no
// process, cgroup or temporary file). `env` is the environment the build runs with ("K=V").
// Returns 2 for refused options (a missing project folder, a bad --env) and 1 when the first
// build fails with no binary to serve, the port cannot be bound, or the project folder disappears.
int RunWatch(const WatchOptions& options, const std::vector<std::string>& env);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_WATCH_COMMAND_H_
