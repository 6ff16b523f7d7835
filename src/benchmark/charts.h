// Charts: a run's charts as SVG, drawn by gnuplot (Debian gnuplot-nox) from a script and data
// files written next to them:
//   duration_vs_memory.svg  warm REPORT Duration p50 (p10–p90 bars) vs memory setting, one line
//                           per function and payload, log-log;
//   cost_vs_memory.svg      cost per 1M invocations at the median Duration vs memory setting,
//                           one line per function and payload, log-log;
//   cold_start.svg          cold start p50 per function vs memory setting, log y;
//   memory_used.svg         Max Memory Used p50 per function vs memory setting.
// Thread safety: one call at a time per scratch folder.
#ifndef ZEROSTART_SRC_BENCHMARK_CHARTS_H_
#define ZEROSTART_SRC_BENCHMARK_CHARTS_H_

#include <string>
#include <utility>
#include <vector>

#include "src/benchmark/results.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

// The gnuplot script for the charts, given the data files it reads (written by ChartData)
// under `scratch`. Exposed for tests.
struct ChartFiles {
  std::vector<std::pair<std::string, std::string>> data;  // (file name, content)
  std::string script;                                     // gnuplot commands
  std::vector<std::string> charts;                        // the SVG files it writes
};
ChartFiles ChartData(const BenchResults& results, const std::string& scratch);

// The file names of every chart ChartData can draw.
const std::vector<std::string>& ChartNames();

// The first executable `name` in the ':'-separated `path_list`; NotFound otherwise.
Result<std::string> FindProgram(const std::string& name, const std::string& path_list);

// Writes the data and script into `scratch` and runs `gnuplot` (a path) on it, at most 60 s.
// Returns the chart files made (paths under `scratch`). Internal when gnuplot fails.
Result<std::vector<std::string>> DrawCharts(const BenchResults& results, const std::string& gnuplot,
                                            const std::string& scratch);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_CHARTS_H_
