#include "src/benchmark/tuning.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "src/benchmark/series.h"
#include "src/common/lambda_protocol.h"

namespace zerostart::benchmark {

std::string ArchOf(const BenchResults& results, const std::string& function) {
  if (!results.arch.empty()) return results.arch;
  for (const FunctionInfo& f : results.functions) {
    if (f.name == function && !f.arch.empty()) return f.arch;
  }
  return "x86_64";
}

std::vector<PayloadTuning> TuningOf(const BenchResults& results) {
  std::vector<PayloadTuning> out;
  auto entry = [&](const std::string& function, const std::string& workload) -> PayloadTuning& {
    for (PayloadTuning& t : out) {
      if (t.function == function && t.workload == workload) return t;
    }
    out.push_back(PayloadTuning{function, workload, {}, {}});
    return out.back();
  };
  for (const CellResult& cell : results.cells) {
    const std::string arch = ArchOf(results, cell.function);
    const std::vector<Series> series = SeriesOf(cell);
    size_t cold_errors = 0;
    size_t cold_timeouts = 0;
    for (const Series& s : series) {
      if (s.kind != "cold") continue;
      cold_errors += s.errors;
      cold_timeouts += s.timeouts;
    }
    // The cold starts invoke the first payload (unless a configuration gives them their own):
    // their failures count against it, not against the payloads measured after.
    bool first = true;
    for (const Series& s : series) {
      if (s.kind != "warm") continue;
      SettingCost setting;
      setting.figures.memory_mb = cell.memory_mb;
      setting.samples = s.duration_ms.count;
      setting.errors = s.errors + s.warmup_errors + (first ? cold_errors : 0);
      setting.timeouts = s.timeouts + (first ? cold_timeouts : 0);
      first = false;
      setting.figures.duration_ms = s.duration_ms.median;
      setting.figures.cost = InvocationCost(results.prices, arch, cell.memory_mb, s.duration_ms.median);
      setting.figures.duration_cost = DurationCost(results.prices, arch, cell.memory_mb, s.duration_ms.median);
      setting.figures.usable = setting.errors == 0 && setting.samples > 0;
      entry(cell.function, s.workload).settings.push_back(setting);
    }
  }
  for (PayloadTuning& t : out) {
    std::vector<SettingFigures> figures;
    for (const SettingCost& s : t.settings) figures.push_back(s.figures);
    t.best = ChooseSettings(figures);
  }
  return out;
}

std::string FormatDollars(double usd) {
  if (!(usd > 0)) return "$0";
  // Two significant digits, however small: a warm invoke costs millionths of a dollar.
  const int digits = std::max(2, 1 - static_cast<int>(std::floor(std::log10(usd))));
  char text[64];
  std::snprintf(text, sizeof text, "$%.*f", digits, usd);
  return text;
}

}  // namespace zerostart::benchmark
