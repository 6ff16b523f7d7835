#include "src/study/results_json.h"

#include "src/study/series.h"

namespace zerostart::study {
namespace {

template <typename T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json CellJson(const CellResult& cell) {
  nlohmann::json series = nlohmann::json::array();
  for (const Series& s : SeriesOf(cell)) {
    series.push_back({{"kind", s.kind},
                      {"workload", s.workload},
                      {"samples", s.client_ms.count},
                      {"warmups", s.warmups},
                      {"errors", s.errors},
                      {"error_examples", s.error_examples},
                      {"client_ms", SummaryJson(s.client_ms)},
                      {"duration_ms", SummaryJson(s.duration_ms)},
                      {"init_duration_ms", SummaryJson(s.init_duration_ms)},
                      {"max_memory_mb", SummaryJson(s.max_memory_mb)}});
  }
  const std::vector<bool> outliers = SampleOutliers(cell);
  nlohmann::json samples = nlohmann::json::array();
  for (size_t i = 0; i < cell.samples.size(); ++i) {
    const Sample& s = cell.samples[i];
    samples.push_back({{"kind", s.kind},
                       {"workload", s.workload},
                       {"warmup", s.warmup},
                       {"ok", s.ok},
                       {"error", s.error},
                       {"client_ms", s.client_ms},
                       {"duration_ms", OrNull(s.duration_ms)},
                       {"init_duration_ms", OrNull(s.init_duration_ms)},
                       {"max_memory_mb", OrNull(s.max_memory_mb)},
                       {"outlier", static_cast<bool>(outliers[i])}});
  }
  return {{"function", cell.function},
          {"runtime", cell.runtime},
          {"workload", cell.workload},
          {"memory_mb", cell.memory_mb},
          {"series", std::move(series)},
          {"samples", std::move(samples)}};
}

}  // namespace

nlohmann::json SummaryJson(const Summary& s) {
  return {{"count", s.count}, {"min", s.min},   {"p10", s.p10}, {"q1", s.q1},
          {"median", s.median}, {"q3", s.q3}, {"p90", s.p90}, {"max", s.max},
          {"mean", s.mean},   {"outliers", s.outliers}};
}

nlohmann::json ResultsJson(const StudyResults& results) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const SkippedFunction& s : results.skipped) {
    skipped.push_back({{"function", s.function}, {"reason", s.reason}});
  }
  nlohmann::json cells = nlohmann::json::array();
  for (const CellResult& cell : results.cells) cells.push_back(CellJson(cell));
  return {
      {"schema", kResultsSchema},
      {"complete", results.complete},
      {"quick", results.quick},
      {"commit", results.commit},
      {"started", results.started_utc},
      {"wall_seconds", results.wall_seconds},
      {"machine",
       {{"cpu_model", results.machine.cpu_model},
        {"cores", results.machine.cores},
        {"kernel", results.machine.kernel},
        {"hostname", results.machine.hostname}}},
      {"method",
       {{"warmups", "the first invoke of each warm series (the spawn) and each workload's warm-up "
                    "invokes are recorded with warmup=true and left out of the statistics"},
        {"outliers", "flagged (not removed) beyond 1.5 IQR outside the quartiles (Tukey), per "
                     "series, on REPORT Duration (warm) or client time (cold)"},
        {"percentiles", "linear interpolation between order statistics (type 7)"},
        {"cold_start", "a fresh emulator and function process per sample; client time = request "
                       "written -> response read, spawn included"}}},
      {"memory_mb", results.memory_mb},
      {"skipped", std::move(skipped)},
      {"cells", std::move(cells)},
  };
}

}  // namespace zerostart::study
