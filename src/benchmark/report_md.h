// ReportMarkdown: report.md — the study's tables (per function: cold start, Init Duration,
// first-invoke Duration, warm Duration p50 (p10–p90) per workload, Max Memory Used, per memory
// setting), the study's targets as met / not met, the original study's claims beside ours, the
// charts (or why there are none), errors and skipped functions.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_STUDY_REPORT_MD_H_
#define ZEROSTART_SRC_STUDY_REPORT_MD_H_

#include <string>
#include <vector>

#include "src/study/results.h"

namespace zerostart::study {

struct ChartsNote {
  std::vector<std::string> files;  // chart file names, relative to the report
  std::string missing_reason;      // why there are no charts ("" when there are)
};

std::string ReportMarkdown(const StudyResults& results, const ChartsNote& charts);

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_REPORT_MD_H_
