#include "src/benchmark/series.h"

#include <algorithm>

#include "src/common/lambda_protocol.h"

namespace zerostart::benchmark {
namespace {

constexpr size_t kMaxErrorExamples = 3;

bool Counts(const Sample& s) { return s.ok && !s.warmup; }

// The value the series' outliers are judged on.
double MainMetric(const Sample& s) {
  if (s.kind == "warm" && s.duration_ms) return *s.duration_ms;
  return s.client_ms;
}

std::vector<std::pair<std::string, std::string>> Keys(const CellResult& cell) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const Sample& s : cell.samples) {
    std::pair<std::string, std::string> key{s.kind, s.workload};
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

Series Build(const CellResult& cell, const std::string& kind, const std::string& workload) {
  Series series;
  series.kind = kind;
  series.workload = workload;
  std::vector<double> client, duration, init, memory;
  for (const Sample& s : cell.samples) {
    if (s.kind != kind || s.workload != workload) continue;
    if (s.warmup) ++series.warmups;
    if (!s.ok) {
      ++(s.warmup ? series.warmup_errors : series.errors);
      if (s.error.starts_with(lambda::kErrorTypeTimeout)) ++series.timeouts;
      if (series.error_examples.size() < kMaxErrorExamples &&
          std::find(series.error_examples.begin(), series.error_examples.end(), s.error) ==
              series.error_examples.end()) {
        series.error_examples.push_back(s.error);
      }
      continue;
    }
    if (s.warmup) continue;
    client.push_back(s.client_ms);
    if (s.duration_ms) duration.push_back(*s.duration_ms);
    if (s.init_duration_ms) init.push_back(*s.init_duration_ms);
    if (s.max_memory_mb) memory.push_back(static_cast<double>(*s.max_memory_mb));
  }
  series.client_ms = Summarize(client);
  series.duration_ms = Summarize(duration);
  series.init_duration_ms = Summarize(init);
  series.max_memory_mb = Summarize(memory);
  return series;
}

}  // namespace

std::vector<Series> SeriesOf(const CellResult& cell) {
  std::vector<Series> out;
  for (const auto& [kind, workload] : Keys(cell)) out.push_back(Build(cell, kind, workload));
  return out;
}

std::optional<Series> FindSeries(const CellResult& cell, const std::string& kind,
                                 const std::string& workload) {
  for (const auto& key : Keys(cell)) {
    if (key.first == kind && key.second == workload) return Build(cell, kind, workload);
  }
  return std::nullopt;
}

std::vector<bool> SampleOutliers(const CellResult& cell) {
  std::vector<bool> flags(cell.samples.size(), false);
  for (const auto& [kind, workload] : Keys(cell)) {
    std::vector<size_t> index;
    std::vector<double> values;
    for (size_t i = 0; i < cell.samples.size(); ++i) {
      const Sample& s = cell.samples[i];
      if (s.kind == kind && s.workload == workload && Counts(s)) {
        index.push_back(i);
        values.push_back(MainMetric(s));
      }
    }
    const std::vector<bool> series_flags = OutlierFlags(values);
    for (size_t j = 0; j < index.size(); ++j) flags[index[j]] = series_flags[j];
  }
  return flags;
}

const CellResult* FindCell(const BenchResults& results, const std::string& function, int memory_mb) {
  for (const CellResult& cell : results.cells) {
    if (cell.function == function && cell.memory_mb == memory_mb) return &cell;
  }
  return nullptr;
}

std::optional<double> WarmMedian(const CellResult* cell, const std::string& workload) {
  if (cell == nullptr) return std::nullopt;
  const auto series = FindSeries(*cell, "warm", workload);
  if (!series || series->duration_ms.count == 0) return std::nullopt;
  return series->duration_ms.median;
}

std::optional<double> ColdMedian(const CellResult* cell) {
  if (cell == nullptr) return std::nullopt;
  const auto series = FindSeries(*cell, "cold", "cold");
  if (!series || series->client_ms.count == 0) return std::nullopt;
  return series->client_ms.median;
}

std::vector<double> WarmMemoryUsed(const CellResult& cell, const std::string& workload) {
  std::vector<double> values;
  for (const Sample& s : cell.samples) {
    if (s.ok && s.max_memory_mb && s.kind == "warm" && (workload.empty() || s.workload == workload)) {
      values.push_back(static_cast<double>(*s.max_memory_mb));
    }
  }
  return values;
}

std::optional<double> MemoryMedian(const CellResult* cell, const std::string& workload) {
  if (cell == nullptr) return std::nullopt;
  const std::vector<double> values = WarmMemoryUsed(*cell, workload);
  if (values.empty()) return std::nullopt;
  return Summarize(values).median;
}

}  // namespace zerostart::benchmark
