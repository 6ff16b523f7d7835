// The chaos run: `zerostart serve` (a real process) under concurrent invokes while faults are
// injected from every side, then checked for Lambda's promise — every invoke answered exactly
// once, with the answer Lambda gives its fault — and for anything left behind.
//
// Faults: clients' invokes carry crashes (SIGSEGV), exits, hangs past the timeout and
// allocations over the memory limit (the test function faulty's actions); a killer SIGKILLs
// function processes at random; tokens make some environments' runtimes exit during init;
// vandal clients disconnect mid-request and mid-response, send malformed and truncated HTTP
// and stall mid-body. Every choice comes from one seed (the order in which threads meet is the
// machine's).
//
// Afterwards: a healthy phase (serve keeps serving), serve's REPORTs against the answers, its
// descriptors and threads back to where they started once its environments are reclaimed, and,
// after serve stops, no process of any environment's process group, no cgroup of serve's, no
// file in its TMPDIR.
//
// Thread safety: RunChaos may run on any thread; it uses threads of its own.
#ifndef ZEROSTART_TESTS_CHAOS_CHAOS_H_
#define ZEROSTART_TESTS_CHAOS_CHAOS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/chaos/outcome.h"
#include "zerostart/status.h"

namespace zerostart::chaos {

struct ChaosOptions {
  std::string zerostart;    // the zerostart binary
  std::string faulty;       // the test function faulty
  std::string scratch_dir;  // an empty directory of the run's own (serve's TMPDIR, the tokens)
  uint64_t seed = 1;
  double seconds = 40;      // the chaos phase (the checks after it take a few seconds more)
  int clients = 6;          // invoking clients, one kept-open connection each
  int vandals = 2;          // clients doing the client-side faults
  int memory_mb = 256;      // serve --memory
  int timeout_seconds = 4;  // serve --timeout (a hang costs its client this long)
  std::string protocol = "runtime-api";  // serve --protocol: runtime-api or go1x
  bool kill = true;  // SIGKILL function processes at random (false: no answer may say killed)
  std::function<void(const std::string&)> progress;  // a line now and then, if set
};

struct ChaosResult {
  uint64_t seed = 0;
  std::string protocol;
  double seconds = 0;
  bool limits_enforced = false;  // false: no memory limit here, so no over-the-limit faults
  // fault name -> answer name -> count.
  std::map<std::string, std::map<std::string, uint64_t>> answers;
  uint64_t kills = 0;            // SIGKILLs sent to function processes
  uint64_t init_exit_tokens = 0;  // laid out for an init to take
  uint64_t init_exits = 0;       // taken: that many runtimes exited during init
  uint64_t invokes = 0;          // whole invokes that reached serve (answered or not read)
  uint64_t answered = 0;         // answers read to them
  uint64_t reports = 0;          // serve's REPORT records (read after it stopped)
  uint64_t lost = 0;             // whole invokes whose answer never came
  uint64_t duplicated = 0;       // request ids answered or REPORTed twice
  uint64_t unexpected = 0;       // answers not Allowed for their fault
  uint64_t health_invokes = 0;   // after the chaos: all must be ok
  uint64_t health_ok = 0;
  size_t fds_before = 0, fds_after = 0, threads_before = 0, threads_after = 0;
  size_t environments_after = 0;  // once idle ones were reclaimed: 0
  std::vector<std::string> leftovers;  // processes, cgroups, files, in words
  std::string serve_stopped;           // "OK" or why not
  std::vector<std::string> problems;   // the first few of everything above, in words

  bool ok() const { return problems.empty(); }
  nlohmann::json ToJson() const;
  // A Markdown table: fault, count, answers.
  std::string Table() const;
};

// Runs it. An error when serve cannot be started or reached, or the scratch directory cannot be
// used; every finding about serve is in the result.
Result<ChaosResult> RunChaos(const ChaosOptions& options);

}  // namespace zerostart::chaos

#endif  // ZEROSTART_TESTS_CHAOS_CHAOS_H_
