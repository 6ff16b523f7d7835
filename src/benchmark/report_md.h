// ReportMarkdown: report.md — the best memory setting per function and payload (fastest,
// cheapest, balanced), the charts (or why there are none), per function the cold starts (cold
// start, Init Duration, first Duration, Max Memory Used) and per payload the warm Duration p50
// (p10–p90), cost per invocation and per 1M, errors and timeouts, per memory setting; then the
// errors, skipped functions and the method.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_BENCHMARK_REPORT_MD_H_
#define ZEROSTART_SRC_BENCHMARK_REPORT_MD_H_

#include <string>
#include <vector>

#include "src/benchmark/results.h"

namespace zerostart::benchmark {

struct ChartsNote {
  std::vector<std::string> files;  // chart file names, relative to the report
  std::string missing_reason;      // why there are no charts ("" when there are)
};

std::string ReportMarkdown(const BenchResults& results, const ChartsNote& charts);

// `text` made fit for one cell of a Markdown table: '|' becomes '/', a newline a space.
std::string TableCell(std::string text);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_REPORT_MD_H_
