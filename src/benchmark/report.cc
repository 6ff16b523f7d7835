#include "src/benchmark/report.h"

#include <unistd.h>

#include <algorithm>

#include "src/benchmark/charts.h"
#include "src/benchmark/output.h"
#include "src/benchmark/report_md.h"
#include "src/benchmark/results_json.h"

namespace zerostart::benchmark {
namespace {

std::string FileName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

Result<ReportWritten> WriteReport(const BenchResults& results, const ReportOptions& options) {
  ZS_RETURN_IF_ERROR(PrepareOutputDir(options.out_dir));
  ReportWritten written;
  StagedFiles staged(options.out_dir);
  ChartsNote charts;
  std::string scratch;
  // The scratch folder goes on every way out, an error included.
  struct ScratchGuard {
    std::string* dir;
    ~ScratchGuard() {
      if (!dir->empty()) RemoveScratchDir(*dir);
    }
  } guard{&scratch};
  if (options.gnuplot.empty()) {
    charts.missing_reason = options.no_charts_reason;
  } else if (results.cells.empty()) {
    charts.missing_reason = "nothing was measured";
  } else {
    ZS_ASSIGN_OR_RETURN(scratch, MakeScratchDir(options.out_dir, "charts"));
    Result<std::vector<std::string>> drawn = DrawCharts(results, options.gnuplot, scratch);
    if (!drawn.ok()) {
      charts.missing_reason = drawn.status().message();
    } else {
      for (const std::string& path : *drawn) {
        ZS_RETURN_IF_ERROR(staged.AddFile(FileName(path), path));
        charts.files.push_back(FileName(path));
      }
      if (charts.files.empty()) charts.missing_reason = "no series to draw";
    }
  }
  ZS_RETURN_IF_ERROR(staged.Add("results.json", ResultsJson(results).dump(1) + "\n"));
  ZS_RETURN_IF_ERROR(staged.Add("report.md", ReportMarkdown(results, charts)));
  ZS_RETURN_IF_ERROR(staged.Commit());
  // Charts of an earlier run in the same folder would sit beside a report that does not show
  // them.
  for (const std::string& name : ChartNames()) {
    if (std::find(charts.files.begin(), charts.files.end(), name) == charts.files.end()) {
      unlink((options.out_dir + "/" + name).c_str());
    }
  }
  written.files = {"results.json", "report.md"};
  written.files.insert(written.files.end(), charts.files.begin(), charts.files.end());
  written.charts_note = charts.missing_reason;
  return written;
}

}  // namespace zerostart::benchmark
