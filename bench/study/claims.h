// Claims: the study's targets (the figures it must show), and the original study's claims, each
// computed from a `zerostart bench` run of bench/study/study.json (never asserted): "met",
// "not met" or "not measured", with the numbers behind the verdict.
// Thread safety: pure functions.
#ifndef ZEROSTART_BENCH_STUDY_CLAIMS_H_
#define ZEROSTART_BENCH_STUDY_CLAIMS_H_

#include <optional>
#include <string>
#include <vector>

#include "src/benchmark/results.h"

namespace zerostart::study {

using benchmark::BenchResults;

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

// The k-means shapes the checks refer to (the payload labels in study.json).
inline constexpr char kKmeansMedium[] = "n=100000,d=3,k=8";
inline constexpr char kKmeansLarge[] = "n=300000,d=3,k=8";

// The study's targets, in report order, each with its verdict.
std::vector<Check> TargetChecks(const BenchResults& results);
std::vector<ClaimRow> OriginalClaims(const BenchResults& results);

}  // namespace zerostart::study

#endif  // ZEROSTART_BENCH_STUDY_CLAIMS_H_
