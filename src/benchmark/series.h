// Series: the samples of one cell grouped by what was measured — the cold starts, and each warm
// workload — with their statistics. Warm-ups and failed invokes are counted but left out of the
// statistics; outliers (Tukey, see stats.h) are flagged per sample on the series' main metric
// (REPORT Duration for warm series, client time for cold starts).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_STUDY_SERIES_H_
#define ZEROSTART_SRC_STUDY_SERIES_H_

#include <optional>
#include <string>
#include <vector>

#include "src/study/results.h"
#include "src/study/stats.h"

namespace zerostart::study {

struct Series {
  std::string kind;      // "cold" | "warm"
  std::string workload;  // the workload label
  size_t warmups = 0;    // discarded
  size_t errors = 0;     // failed invokes (not warm-ups)
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

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_SERIES_H_
