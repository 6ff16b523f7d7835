// Checks: the study's targets (the figures it must show), and the original study's claims, each
// computed from the measurements (never asserted): "met", "not met" or "not measured", with the
// numbers behind the verdict.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_STUDY_CHECKS_H_
#define ZEROSTART_SRC_STUDY_CHECKS_H_

#include <optional>
#include <string>
#include <vector>

#include "src/study/results.h"

namespace zerostart::study {

struct Check {
  std::string figure;   // what is checked
  std::string verdict;  // "met" | "not met" | "not measured"
  std::string detail;   // the measured numbers
};

struct ClaimRow {
  std::string claim;     // the original study's claim
  std::string original;  // its figure
  std::string ours;      // what we measured ("not measured" when we could not)
};

// The k-means shapes the checks refer to (plan.cc's labels).
inline constexpr char kKmeansMedium[] = "n=100000,d=3,k=8";
inline constexpr char kKmeansLarge[] = "n=300000,d=3,k=8";

// The study's targets, in report order, each with its verdict.
std::vector<Check> TargetChecks(const StudyResults& results);
std::vector<ClaimRow> OriginalClaims(const StudyResults& results);

// The cell of `function` at `memory_mb`, or nullptr.
const CellResult* FindCell(const StudyResults& results, const std::string& function, int memory_mb);
// Median warm REPORT Duration of `workload` in `cell`, if any sample succeeded.
std::optional<double> WarmMedian(const CellResult* cell, const std::string& workload);
// Median client cold start (spawn -> first response) of `cell`.
std::optional<double> ColdMedian(const CellResult* cell);
// Median Max Memory Used over the cell's successful samples of `workload` ("" = any warm).
std::optional<double> MemoryMedian(const CellResult* cell, const std::string& workload);

// 3 significant digits: "0.812", "12.3", "1,234".
std::string FormatNumber(double value);

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_CHECKS_H_
