// Series: the samples of one cell grouped by what was measured — the cold starts, and each warm
// workload — with their statistics. Warm-ups and failed invokes are counted (a failed warm-up
// too: it is an error of that setting) but left out of the statistics; outliers (Tukey, see stats.h) are flagged per sample on the series' main metric
// (REPORT Duration for warm series, client time for cold starts).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_SERIES_H_
#define ZEROSTART_SRC_BENCHMARK_SERIES_H_

#include <optional>
#include <string>
#include <vector>

#include "src/benchmark/results.h"
#include "src/benchmark/stats.h"

namespace zerostart::benchmark {

struct Series {
  std::string kind;      // "cold" | "warm"
  std::string workload;  // the workload label
  size_t warmups = 0;    // discarded
  size_t errors = 0;         // failed invokes among the kept samples
  size_t warmup_errors = 0;  // failed warm-ups (the spawning invoke, the discarded ones)
  size_t timeouts = 0;       // failed invokes, kept or warm-ups, where the function timed out
  std::vector<std::string> error_examples;  // distinct error texts, at most 3
  Summary client_ms;
  Summary duration_ms;
  Summary init_duration_ms;
  Summary max_memory_mb;
};

// The series of `cell`, in the order their first sample appears.
std::vector<Series> SeriesOf(const CellResult& cell);

// One flag per sample of `cell` (its order): an outlier within its series.
std::vector<bool> SampleOutliers(const CellResult& cell);

// The series (kind, workload) of `cell`, if measured.
std::optional<Series> FindSeries(const CellResult& cell, const std::string& kind,
                                 const std::string& workload);

// The cell of `function` at `memory_mb`, or nullptr.
const CellResult* FindCell(const BenchResults& results, const std::string& function, int memory_mb);
// Median warm REPORT Duration of `workload` in `cell`, if any sample succeeded.
std::optional<double> WarmMedian(const CellResult* cell, const std::string& workload);
// Median client cold start (the caller's send -> whole response of a fresh process) of `cell`.
std::optional<double> ColdMedian(const CellResult* cell);
// Max Memory Used of the cell's successful warm invokes (warm-ups included) of `workload`
// ("" = any payload), in MB, in sample order.
std::vector<double> WarmMemoryUsed(const CellResult& cell, const std::string& workload);
// Their median; nullopt when there is none.
std::optional<double> MemoryMedian(const CellResult* cell, const std::string& workload);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_SERIES_H_
