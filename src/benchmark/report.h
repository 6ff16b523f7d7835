// WriteReport: the study's output folder — results.json, report.md and the charts — written
// whole or not at all (see output.h): a failure leaves the folder as it was.
// Thread safety: one call at a time per folder.
#ifndef ZEROSTART_SRC_STUDY_REPORT_H_
#define ZEROSTART_SRC_STUDY_REPORT_H_

#include <string>
#include <vector>

#include "src/study/results.h"
#include "zerostart/status.h"

namespace zerostart::study {

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
Result<ReportWritten> WriteReport(const StudyResults& results, const ReportOptions& options);

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_REPORT_H_
