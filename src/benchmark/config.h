// Config: a `zerostart bench` run described in a JSON file (`--config FILE`), for runs that
// give each function its own payloads and sample counts, or are kept beside a project:
//   {"memory": [128, 256, ...], "cold": 10, "warm": 20, "warmups": 2, "timeout": 60,
//    "arch": "x86_64" | "arm64",
//    "payloads": [PAYLOAD, ...],                       // for functions without their own
//    "functions": [{"name": "kmeans", "path": "build/bin/kmeans",
//                   "optional": false,                 // true: a missing path is skipped
//                   "cold_payload": <JSON value>,      // the cold starts' event (default: the first payload)
//                   "estimated_cold_ms": 5,            // for the time estimate only
//                   "payloads": [PAYLOAD, ...]}]}
//   PAYLOAD: {"label": "small", "payload": <JSON value> | "file": "event.json",
//             "warm": 30, "warmups": 3, "min_warm": 10, "estimated_ms": 0.2, "quick": true}
// (fields as in plan.h's PayloadSpec; "min_warm" makes "warm" the count at one vCPU, shrinking
// with the CPU share). Every field but "functions" and a function's "path" may be left out.
// Relative paths are taken from the config file's folder. Options given on the command line
// win over the file's; the file's counts are defaults below each payload's own (plan.h).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_CONFIG_H_
#define ZEROSTART_SRC_BENCHMARK_CONFIG_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/benchmark/plan.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

struct BenchConfig {
  PlanOptions plan;                // functions, payloads, memory, config_counts, timeout
  std::optional<std::string> arch;
  std::vector<bool> optional;      // per plan.functions entry: a missing path is skipped
};

// The run described by `json_text`, read from a file in `base_dir`. `read_file` returns a
// payload file's bytes. InvalidArgument naming the field (e.g. "functions[1].payloads[0]:
// \"warm\" must be a whole number of 1 or more") for anything malformed.
Result<BenchConfig> ParseConfig(const std::string& json_text, const std::string& base_dir,
                                const std::function<Result<std::string>(const std::string&)>& read_file);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_CONFIG_H_
