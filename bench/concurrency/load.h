// The machine a run of zs_concurrency_bench ran on, and the load around each part: the load
// average before and after, and the CPU time other processes took meanwhile (all busy CPU time
// of the machine minus this benchmark's and its reaped children's), so that a reader can tell a
// quiet run from a shared one.
#ifndef ZEROSTART_BENCH_CONCURRENCY_LOAD_H_
#define ZEROSTART_BENCH_CONCURRENCY_LOAD_H_

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/concurrency/figures.h"
#include "zerostart/status.h"

namespace zerostart::bench::concurrency {

// {"cpu_model", "cpus", "kernel"} of this machine.
nlohmann::json Machine();

// /proc/loadavg's three averages, "a b c".
std::string LoadAverage();
// CPU time the whole machine spent busy so far (/proc/stat: user, nice, system, irq, softirq),
// in seconds.
double MachineBusySeconds();
// CPU time this process and its reaped descendants spent so far, in seconds.
double OwnSeconds();

// Runs `part` (returning Result<json>) and returns {"result": its figures, "load": the load
// around it}; its error when it fails. Prints the part's time on stderr.
template <typename Part>
Result<nlohmann::json> Measured(const char* name, Part part) {
  const std::string load_before = LoadAverage();
  const double machine0 = MachineBusySeconds(), own0 = OwnSeconds();
  const int64_t begin = NowNs();
  ZS_ASSIGN_OR_RETURN(nlohmann::json result, part());
  const double wall = static_cast<double>(NowNs() - begin) / 1e9;
  const double own = OwnSeconds() - own0;
  const double other = std::max(0.0, MachineBusySeconds() - machine0 - own);
  std::fprintf(stderr, "zs_concurrency_bench: %s: %.1f s, other processes %.1f CPU s\n", name, wall, other);
  return nlohmann::json{{"result", result},
                        {"load", {{"load_average_before", load_before},
                                  {"load_average_after", LoadAverage()},
                                  {"seconds", wall},
                                  {"cpu_seconds_this_benchmark", own},
                                  {"cpu_seconds_other_processes", other}}}};
}

// One line under a part's table: Measured()'s "load".
void PrintLoad(const char* name, const nlohmann::json& part);

}  // namespace zerostart::bench::concurrency

#endif  // ZEROSTART_BENCH_CONCURRENCY_LOAD_H_
