// zs_study_claims: the study's page from a `zerostart bench --config bench/study/study.json` run.
//
//   zs_study_claims RESULTS_JSON TEMPLATE OUT
//
// Reads the run's results.json, checks the study's targets and sets the original study's
// claims beside the figures measured (bench/study/claims.h), and writes OUT from TEMPLATE with
// @TARGETS@ and @CLAIMS@ replaced by those tables and @RUN@ by one line about the run. Exits 1
// when a file cannot be read or written or the results are not a bench run's; verdicts never
// change the exit status (a "not met" is a finding, written down).
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/study/claims.h"
#include "src/benchmark/report_md.h"
#include "src/benchmark/results_json.h"
#include "src/benchmark/stats.h"
#include "src/package/file_io.h"

namespace {

using zerostart::benchmark::BenchResults;
using zerostart::benchmark::TableCell;

// The study's results and its page template: well under this.
constexpr uint64_t kMaxInputBytes = 64ull << 20;

std::string Targets(const BenchResults& r) {
  std::string out = "| figure | verdict | measured |\n|---|---|---|\n";
  for (const zerostart::study::Check& c : zerostart::study::TargetChecks(r)) {
    out += "| " + TableCell(c.figure) + " | **" + c.verdict + "** | " + TableCell(c.detail) + " |\n";
  }
  return out;
}

std::string Claims(const BenchResults& r) {
  std::string out = "| claim | original study | zerostart, this run |\n|---|---|---|\n";
  for (const zerostart::study::ClaimRow& c : zerostart::study::OriginalClaims(r)) {
    out += "| " + TableCell(c.claim) + " | " + TableCell(c.original) + " | " + TableCell(c.ours) + " |\n";
  }
  return out;
}

std::string Run(const BenchResults& r) {
  std::string line = "Measured on " + r.started_utc + " in " + zerostart::benchmark::FormatNumber(r.wall_seconds) +
                     " s" + (r.quick ? " (--quick)" : "") + (r.complete ? "" : ", INCOMPLETE (interrupted)") +
                     ", " + (r.machine.cpu_model.empty() ? "unknown CPU" : r.machine.cpu_model) + ", " +
                     std::to_string(r.machine.cores) + " cores" +
                     (r.commit.empty() ? "" : ", commit `" + r.commit + "`") + ".";
  for (const auto& skipped : r.skipped) line += " Not measured: " + skipped.function + " (" + skipped.reason + ").";
  return line;
}

void Replace(std::string* text, const std::string& marker, const std::string& with) {
  for (size_t at = text->find(marker); at != std::string::npos; at = text->find(marker, at + with.size())) {
    text->replace(at, marker.size(), with);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: zs_study_claims RESULTS_JSON TEMPLATE OUT\n");
    return 2;
  }
  auto results_text = zerostart::package::ReadFileBytes(argv[1], kMaxInputBytes);
  auto page_text = zerostart::package::ReadFileBytes(argv[2], kMaxInputBytes);
  if (!results_text.ok() || !page_text.ok()) {
    std::fprintf(stderr, "zs_study_claims: %s\n",
                 (results_text.ok() ? page_text.status() : results_text.status()).message().c_str());
    return 1;
  }
  std::string page = std::move(page_text).value();
  auto results = zerostart::benchmark::ResultsFromJson(
      nlohmann::json::parse(*results_text, nullptr, /*allow_exceptions=*/false));
  if (!results.ok()) {
    std::fprintf(stderr, "zs_study_claims: %s: %s\n", argv[1], results.status().message().c_str());
    return 1;
  }
  Replace(&page, "@RUN@", Run(*results));
  Replace(&page, "@TARGETS@", Targets(*results));
  Replace(&page, "@CLAIMS@", Claims(*results));
  std::ofstream out(argv[3]);
  out << page;
  if (!out.flush()) {
    std::fprintf(stderr, "zs_study_claims: cannot write %s\n", argv[3]);
    return 1;
  }
  return 0;
}
