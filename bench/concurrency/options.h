// What a run of zs_concurrency_bench measures: parsed from the command line (main.cc), read by
// every part. Defaults are the documented run's (docs/benchmarks/concurrency.md).
#ifndef ZEROSTART_BENCH_CONCURRENCY_OPTIONS_H_
#define ZEROSTART_BENCH_CONCURRENCY_OPTIONS_H_

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace zerostart::bench::concurrency {

struct Options {
  std::string bin;         // zerostart, echo and faulty of the build measured
  std::string before_bin;  // zerostart and echo of another build (warm part); empty: none
  std::string json_path;   // where every figure goes; empty: nowhere
  std::set<std::string> parts = {"cold", "burst", "warm", "thaw", "memory"};
  std::vector<int> cold_sizes = {2, 4, 16, 64};
  int sleep_ms = 500;
  int burst = 1000;
  int burst_concurrency = 100;
  int warm_count = 2000;
  int warm_rounds = 10;
  int memory_environments = 100;
  int thaw_cycles = 2000;
  nlohmann::json notes = nlohmann::json::object();  // --note KEY=VALUE, copied into the JSON
};

}  // namespace zerostart::bench::concurrency

#endif  // ZEROSTART_BENCH_CONCURRENCY_OPTIONS_H_
