#include "src/benchmark/run_bench.h"

#include <chrono>
#include <ctime>

namespace zerostart::benchmark {

std::string UtcNow() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void RunBench(const Plan& plan, Runner& runner, Progress& progress, BenchResults* out) {
  BenchResults& results = *out;
  results.quick = plan.quick;
  results.started_utc = UtcNow();
  results.memory_mb = plan.memory_mb;
  const auto start = std::chrono::steady_clock::now();
  for (const FunctionPlan& function : plan.functions) {
    if (!function.skip_reason.empty()) {
      results.skipped.push_back({function.name, function.skip_reason});
      progress.Note("zerostart bench: skipping " + function.name + ": " + function.skip_reason);
      continue;
    }
    for (const Cell& cell : function.cells) {
      if (runner.cancelled()) break;
      CellResult measured;
      measured.function = function.name;
      measured.memory_mb = cell.memory_mb;
      runner.RunCell(function, cell, &measured,
                     [&](const std::string& what, double ms) { progress.Step(what, ms); });
      if (!measured.samples.empty()) results.cells.push_back(std::move(measured));
    }
  }
  progress.Finish();
  results.complete = !runner.cancelled();
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace zerostart::benchmark
