// WriteReport: a run's output folder — results.json, report.md and the charts — written
// whole or not at all (see output.h): a failure leaves the folder as it was.
// Thread safety: one call at a time per folder.
#ifndef ZEROSTART_SRC_BENCHMARK_REPORT_H_
#define ZEROSTART_SRC_BENCHMARK_REPORT_H_

#include <string>
#include <vector>

#include "src/benchmark/results.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

struct ReportOptions {
  std::string out_dir;
  std::string gnuplot;  // path to gnuplot; empty: no charts
  std::string no_charts_reason = "gnuplot not found (apt install gnuplot-nox)";
};

struct ReportWritten {
  std::vector<std::string> files;  // names written into out_dir
  std::string charts_note;         // "" or why there are no charts
};

// Errors: FailedPrecondition / ResourceExhausted (full disk) from the file system, with the
// folder named. A failing gnuplot is not an error: the report says why it has no charts.
Result<ReportWritten> WriteReport(const BenchResults& results, const ReportOptions& options);

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_REPORT_H_
