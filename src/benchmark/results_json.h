// ResultsJson: results.json — every sample of a `zerostart bench` run (with its outlier flag),
// the statistics of each series, the cost per setting and the best settings, the method
// (warm-ups, outlier rule, percentiles, cost), the prices, the machine and the commit.
// Layout (schema "zerostart-bench/1"):
//   {"schema", "complete", "quick", "commit", "started", "wall_seconds", "machine": {...},
//    "method": {...}, "memory_mb": [..], "functions": [{"name","source","bootstrap","arch"}],
//    "arch" (--arch, or ""), "prices": {"region","date","source","x86_64_per_gb_second","arm64_per_gb_second",
//    "per_million_requests"}, "skipped": [{"function","reason"}],
//    "tuning": [{"function","workload","settings": [{"memory_mb","duration_ms",
//                "cost_per_invocation","cost_per_million","samples","errors","timeouts","usable"}],
//                "best": {"speed","cost","balanced"}}],
//    "cells": [{"function","memory_mb",
//               "series": [{"kind","workload","samples","warmups","errors","warmup_errors","timeouts","error_examples",
//                           "client_ms"|"duration_ms"|"init_duration_ms"|"max_memory_mb":
//                              {"count","min","p10","q1","median","q3","p90","max","mean","outliers"}}],
//               "samples": [{"kind","workload","warmup","ok","error","client_ms","duration_ms",
//                            "init_duration_ms","max_memory_mb","outlier"}]}]}
// Absent REPORT fields are null.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_RESULTS_JSON_H_
#define ZEROSTART_SRC_BENCHMARK_RESULTS_JSON_H_

#include <nlohmann/json.hpp>

#include "src/benchmark/results.h"
#include "src/benchmark/stats.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

inline constexpr char kResultsSchema[] = "zerostart-bench/1";

nlohmann::json SummaryJson(const Summary& summary);
nlohmann::json ResultsJson(const BenchResults& results);

// The results written by ResultsJson, read back (the samples and what describes the run; the
// statistics are computed again from the samples). InvalidArgument naming what is missing or
// malformed, or when the schema is not kResultsSchema.
Result<BenchResults> ResultsFromJson(const nlohmann::json& json);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_RESULTS_JSON_H_
