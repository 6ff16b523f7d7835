#include "src/study/study.h"

#include <chrono>
#include <ctime>

namespace zerostart::study {

std::string UtcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

StudyResults RunStudy(const Plan& plan, Runner& runner, Progress& progress, const Machine& machine,
                      const std::string& commit) {
  StudyResults results;
  results.quick = plan.quick;
  results.commit = commit;
  results.machine = machine;
  results.started_utc = UtcNow();
  results.memory_mb = plan.memory_mb;
  const auto start = std::chrono::steady_clock::now();
  for (const FunctionPlan& function : plan.functions) {
    if (!function.missing_reason.empty()) {
      results.skipped.push_back({function.name, function.missing_reason});
      progress.Note("zerostart bench: skipping " + function.name + ": " + function.missing_reason);
      continue;
    }
    for (const Cell& cell : function.cells) {
      if (runner.cancelled()) break;
      CellResult out;
      out.function = function.name;
      out.runtime = function.runtime;
      out.workload = function.workload;
      out.memory_mb = cell.memory_mb;
      runner.RunCell(function, cell, &out,
                     [&](const std::string& what, double ms) { progress.Step(what, ms); });
      if (!out.samples.empty()) results.cells.push_back(std::move(out));
    }
  }
  progress.Finish();
  results.complete = !runner.cancelled();
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return results;
}

}  // namespace zerostart::study
