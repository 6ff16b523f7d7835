// ResultsJson: results.json — every sample of the study (with its outlier flag), the statistics
// of each series, the method (warm-ups, outlier rule, percentiles), the machine and the commit.
// Layout (schema "zerostart-study/1"):
//   {"schema", "complete", "quick", "commit", "started", "wall_seconds", "machine": {...},
//    "method": {...}, "memory_mb": [..], "skipped": [{"function","reason"}],
//    "cells": [{"function","runtime","workload","memory_mb",
//               "series": [{"kind","workload","samples","warmups","errors","error_examples",
//                           "client_ms"|"duration_ms"|"init_duration_ms"|"max_memory_mb":
//                              {"count","min","p10","q1","median","q3","p90","max","mean","outliers"}}],
//               "samples": [{"kind","workload","warmup","ok","error","client_ms","duration_ms",
//                            "init_duration_ms","max_memory_mb","outlier"}]}]}
// Absent REPORT fields are null.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_STUDY_RESULTS_JSON_H_
#define ZEROSTART_SRC_STUDY_RESULTS_JSON_H_

#include <nlohmann/json.hpp>

#include "src/study/results.h"
#include "src/study/stats.h"

namespace zerostart::study {

inline constexpr char kResultsSchema[] = "zerostart-study/1";

nlohmann::json SummaryJson(const Summary& summary);
nlohmann::json ResultsJson(const StudyResults& results);

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_RESULTS_JSON_H_
