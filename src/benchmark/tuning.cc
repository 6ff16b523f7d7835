#include "src/benchmark/tuning.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "src/benchmark/series.h"
#include "src/common/lambda_protocol.h"

namespace zerostart::benchmark {

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
    const std::vector<Series> series = SeriesOf(cell);
    size_t cold_errors = 0;
    size_t cold_timeouts = 0;
    for (const Series& s : series) {
      if (s.kind != "cold") continue;
      cold_errors += s.errors;
      cold_timeouts += s.timeouts;
    }
    for (const Series& s : series) {
      if (s.kind != "warm") continue;
      SettingCost setting;
      setting.figures.memory_mb = cell.memory_mb;
      setting.samples = s.duration_ms.count;
      setting.errors = cold_errors + s.errors;
      setting.timeouts = cold_timeouts + s.timeouts;
      setting.figures.duration_ms = s.duration_ms.median;
      setting.figures.cost = InvocationCost(results.prices, results.arch, cell.memory_mb, s.duration_ms.median);
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
