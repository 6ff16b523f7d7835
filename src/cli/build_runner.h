// RunBuild: the user's build command for `zerostart watch`, run to its end with its output kept.
// Thread safety: independent calls may run concurrently.
#ifndef ZEROSTART_SRC_CLI_BUILD_RUNNER_H_
#define ZEROSTART_SRC_CLI_BUILD_RUNNER_H_

#include <string>
#include <vector>

namespace zerostart::cli {

struct BuildOutcome {
  bool ok = false;           // exited 0
  bool interrupted = false;  // stopped because `cancel_fd` became readable
  std::string what;          // "" when ok; else e.g. "exit status 2", "killed by signal 9", a spawn error
  std::string output;        // stdout and stderr interleaved, the last 64 KiB
  double seconds = 0;
};

// Runs `/bin/sh -c command` in `dir` with environment `env` ("K=V"), as the leader of its own
// process group, stdin from /dev/null. Returns when it has exited, or — when `cancel_fd` (e.g. a
// signalfd; -1: none) becomes readable first — after SIGTERM, then SIGKILL after 2 s, to its
// whole group, with interrupted set. Never leaves a process behind.
BuildOutcome RunBuild(const std::string& command, const std::string& dir, const std::vector<std::string>& env,
                      int cancel_fd);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_BUILD_RUNNER_H_
