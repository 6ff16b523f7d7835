// zs_concurrency_bench: the pool of execution environments of `zerostart serve`, as callers see
// it. Each part starts its own `zerostart serve` as a child process — its ready line on stderr
// gives the port, its platform.start and platform.report records (--log-format json) are read
// as they come — and drives it from this process over loopback. Every client connection is opened and proven served (a request
// to an unknown path, which the connection's own thread answers 404 without touching the pool)
// before any invoke is sent, so no figure includes the listener's accept backlog. Nothing here
// sleeps to synchronise: it waits for the ready line, for answers and for START/REPORT lines.
//
//   cold    for each N: `serve --concurrency N --no-limits -- faulty`, N connections, N invokes
//           that sleep S ms sent at once (every environment cold), then N again (all warm).
//           Wall time = the first request written -> the last answer read; the slowest Init
//           Duration = the largest among that round's platform.report records. A cold round
//           passes when it ends within (S + slowest Init Duration) x 1.1, a warm one within S x 1.1.
//   burst   `serve --concurrency C -- echo`, with cgroups (the default) and with --no-limits; B
//           connections, B invokes sent at once, twice (a cold pool, then a warm one). Each
//           invoke must be answered exactly once, 200 or 429 TooManyRequestsException; each
//           200's X-Amzn-RequestId must be in exactly one REPORT line, no REPORT may lack its
//           200, and each 200's body must be its own payload. Latency = an invoke's request
//           written -> its answer read; throughput = answers / (first written -> last read).
//   warm    one kept-open connection, K sequential invokes of echo per round after 500 untimed
//           ones; configurations (this build with and without freezing and cgroups, and the build
//           in --before-bin) alternate round by round, a fresh serve each (stdout to /dev/null);
//           the CPU time serve and the function spent per invoke (/proc/PID/stat) and the
//           function's context switches per invoke (each freeze adds about two).
//   thaw    the cost of a freeze to the invoke after it, without serve: see thaw.cc.
//   memory  `serve --concurrency E --idle-timeout 0 -- faulty`, with and without cgroups, E
//           connections kept open: invokes one at a time (one environment), then E at once,
//           each held until all E have reached their functions (E environments); serve's VmRSS,
//           threads and descriptors once every REPORT is in.
//
//   zs_concurrency_bench --bin DIR [--before-bin DIR] [--json FILE]
//       [--parts cold,burst,warm,thaw,memory] [--cold-sizes 2,4,16,64] [--sleep-ms 500]
//       [--burst 1000] [--burst-concurrency 100] [--warm-count 2000] [--warm-rounds 10]
//       [--thaw-cycles 2000] [--memory-environments 100] [--note KEY=VALUE]...
//
// Each part is a file of this directory (cold.cc, burst.cc, warm.cc, thaw.cc, memory.cc; parts.h);
// serve_process.h runs serve and reads its lines, client.h is the callers' side.
// DIR holds zerostart, echo and faulty; --before-bin's DIR zerostart and echo (warm part only).
// Prints Markdown tables on stdout, progress on stderr, and writes every figure to --json.
// SIGINT/SIGTERM/SIGHUP stop the serve in progress before ending this program.
// Exit status: 0; 1 when a serve cannot be run or a check fails (the tables say which); 2 for
// bad arguments.
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/concurrency/load.h"
#include "bench/concurrency/options.h"
#include "bench/concurrency/parts.h"
#include "bench/concurrency/serve_process.h"

namespace zerostart::bench::concurrency {
namespace {

using nlohmann::json;

int Run(const Options& options, const std::string& self) {
  // Serve's threads and ours each hold a descriptor per connection.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  ::signal(SIGPIPE, SIG_IGN);
  StopServesOnSignal();

  bool passed = true;
  json results = {{"machine", Machine()}, {"notes", options.notes}};
  auto fail = [](const char* part, const Status& status) {
    std::fprintf(stderr, "zs_concurrency_bench: %s: %s\n", part, status.ToString().c_str());
    return 1;
  };
  if (options.parts.count("cold") > 0) {
    Result<json> cold = Measured("cold", [&] { return RunCold(options, &passed); });
    if (!cold.ok()) return fail("cold", cold.status());
    results["cold"] = *cold;
    PrintCold(options, (*cold)["result"]);
    PrintLoad("cold", *cold);
  }
  if (options.parts.count("burst") > 0) {
    Result<json> burst = Measured("burst", [&]() -> Result<json> {
      json both = json::array();
      for (bool no_limits : {false, true}) {
        ZS_ASSIGN_OR_RETURN(json one, RunBurst(options, no_limits, &passed));
        both.push_back(one);
      }
      return both;
    });
    if (!burst.ok()) return fail("burst", burst.status());
    results["burst"] = *burst;
    PrintBurst((*burst)["result"]);
    PrintLoad("burst", *burst);
  }
  if (options.parts.count("warm") > 0) {
    Result<json> warm = Measured("warm", [&] { return RunWarm(options); });
    if (!warm.ok()) return fail("warm", warm.status());
    results["warm"] = *warm;
    PrintWarm((*warm)["result"]);
    PrintLoad("warm", *warm);
  }
  if (options.parts.count("thaw") > 0) {
    Result<json> thaw = Measured("thaw", [&] { return RunThaw(options, self); });
    if (!thaw.ok()) return fail("thaw", thaw.status());
    results["thaw"] = *thaw;
    PrintThaw((*thaw)["result"]);
    PrintLoad("thaw", *thaw);
  }
  if (options.parts.count("memory") > 0) {
    Result<json> memory = Measured("memory", [&]() -> Result<json> {
      json both = json::array();
      for (bool no_limits : {false, true}) {
        ZS_ASSIGN_OR_RETURN(json one, RunMemory(options, no_limits, &passed));
        both.push_back(one);
      }
      return both;
    });
    if (!memory.ok()) return fail("memory", memory.status());
    results["memory"] = *memory;
    PrintMemory((*memory)["result"]);
    PrintLoad("memory", *memory);
  }
  results["passed"] = passed;
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << results.dump(2) << "\n";
  }
  std::printf("All checks %s.\n", passed ? "passed" : "**did not pass** (see the tables)");
  return passed ? 0 : 1;
}

void Usage() {
  std::fputs(
      "usage: zs_concurrency_bench --bin DIR [--before-bin DIR] [--json FILE]\n"
      "           [--parts cold,burst,warm,thaw,memory] [--cold-sizes 2,4,16,64] [--sleep-ms 500]\n"
      "           [--burst 1000] [--burst-concurrency 100] [--warm-count 2000] [--warm-rounds 10]\n"
      "           [--thaw-cycles 2000] [--memory-environments 100] [--note KEY=VALUE]...\n",
      stderr);
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

int Main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--pong") return Pong();
  Options options;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      Usage();
      return 2;
    }
    const std::string value = argv[i + 1];
    const int number = std::atoi(value.c_str());
    if (arg == "--bin") options.bin = value;
    else if (arg == "--before-bin") options.before_bin = value;
    else if (arg == "--json") options.json_path = value;
    else if (arg == "--sleep-ms") options.sleep_ms = number;
    else if (arg == "--burst") options.burst = number;
    else if (arg == "--burst-concurrency") options.burst_concurrency = number;
    else if (arg == "--warm-count") options.warm_count = number;
    else if (arg == "--warm-rounds") options.warm_rounds = number;
    else if (arg == "--memory-environments") options.memory_environments = number;
    else if (arg == "--thaw-cycles") options.thaw_cycles = number;
    else if (arg == "--parts") {
      std::vector<std::string> parts = SplitComma(value);
      options.parts = std::set<std::string>(parts.begin(), parts.end());
    } else if (arg == "--cold-sizes") {
      options.cold_sizes.clear();
      for (const std::string& size : SplitComma(value)) options.cold_sizes.push_back(std::atoi(size.c_str()));
    } else if (arg == "--note" && value.find('=') != std::string::npos) {
      options.notes[value.substr(0, value.find('='))] = value.substr(value.find('=') + 1);
    } else {
      std::fprintf(stderr, "zs_concurrency_bench: unknown option '%s'\n", argv[i]);
      Usage();
      return 2;
    }
  }
  const bool sizes_ok = std::all_of(options.cold_sizes.begin(), options.cold_sizes.end(), [](int n) { return n >= 1; });
  if (options.bin.empty() || !sizes_ok || options.sleep_ms < 1 || options.burst < 1 || options.burst_concurrency < 1 ||
      options.warm_count < 1 || options.warm_rounds < 1 || options.memory_environments < 2 ||
      options.thaw_cycles < 1) {
    Usage();
    return 2;
  }
  return Run(options, "/proc/self/exe");
}

}  // namespace
}  // namespace zerostart::bench::concurrency

int main(int argc, char** argv) { return zerostart::bench::concurrency::Main(argc, argv); }
