#include "src/benchmark/report_md.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "src/benchmark/series.h"
#include "src/benchmark/stats.h"
#include "src/benchmark/tuning.h"

namespace zerostart::benchmark {
namespace {

std::string Spread(const Summary& s, const std::string& unit) {
  if (s.count == 0) return "–";
  std::string text = FormatNumber(s.median) + " " + unit;
  if (s.count > 1) text += " (" + FormatNumber(s.p10) + "–" + FormatNumber(s.p90) + ")";
  return text;
}

std::string Header(const BenchResults& r) {
  std::string out = "# zerostart bench\n\n";
  if (!r.complete) {
    out += "**INCOMPLETE: the run was interrupted; these are the samples taken so far.**\n\n";
  }
  out += "Run on " + r.started_utc + " in " + FormatNumber(r.wall_seconds) + " s" +
         (r.quick ? " (--quick)" : "") + (r.commit.empty() ? "" : ", commit `" + r.commit + "`") + ".\n\n";
  out += "Machine: " + (r.machine.cpu_model.empty() ? "unknown CPU" : r.machine.cpu_model) + ", " +
         std::to_string(r.machine.cores) + " cores, " + r.machine.kernel + ".\n\n";
  if (!r.functions.empty()) {
    out += "Functions:\n";
    for (const FunctionInfo& f : r.functions) {
      out += "- **" + f.name + "** (" + ArchOf(r, f.name) + "): `" + f.source + "`" +
             (f.bootstrap != f.source ? " (bootstrap `" + f.bootstrap + "`)" : "") + "\n";
    }
    out += "\n";
  }
  std::set<std::string> arches;
  for (const FunctionInfo& f : r.functions) arches.insert(ArchOf(r, f.name));
  if (arches.empty()) arches.insert(r.arch.empty() ? "x86_64" : r.arch);
  std::string per_gb_second;
  for (const std::string& arch : arches) {
    char price[48];
    std::snprintf(price, sizeof price, "$%.10f",
                  arch == "arm64" ? r.prices.arm64_per_gb_second : r.prices.x86_64_per_gb_second);
    std::string text = price;
    while (text.back() == '0') text.pop_back();  // $0.0000166667, not $0.0000166670
    per_gb_second += (per_gb_second.empty() ? "" : ", ") + text + " per GB-second on " + arch;
  }
  out += "Prices: " + r.prices.region + ", as of " + r.prices.date + ": " + per_gb_second + ", " +
         FormatDollars(r.prices.per_request * 1e6) + " per 1M requests; source: " + r.prices.source + ".\n\n";
  out += "Every sample is in [results.json](results.json).\n\n";
  return out;
}

std::string Setting(const PayloadTuning& t, const std::optional<int>& mb) {
  if (!mb) return "none usable";
  for (const SettingCost& s : t.settings) {
    if (s.figures.memory_mb != *mb) continue;
    return "**" + std::to_string(*mb) + " MB**: " + FormatNumber(s.figures.duration_ms) + " ms, " +
           FormatDollars(s.figures.cost * 1e6) + " per 1M";
  }
  return "–";
}

std::string Best(const std::vector<PayloadTuning>& tuning) {
  if (tuning.empty()) return "";
  std::string out = "## Best memory setting\n\n| function | payload | fastest | cheapest | balanced |\n|---|---|---|---|---|\n";
  for (const PayloadTuning& t : tuning) {
    out += "| " + TableCell(t.function) + " | `" + TableCell(t.workload) + "` | " + Setting(t, t.best.speed) + " | " +
           Setting(t, t.best.cost) + " | " + Setting(t, t.best.balanced) + " |\n";
  }
  out += "\nFastest: the shortest median warm Duration; cheapest: the lowest cost per invocation; "
         "balanced: the least 0.5 × cost / highest cost + 0.5 × Duration / longest Duration, as "
         "AWS Lambda Power Tuning weighs them. Settings where an invoke failed or timed out are left "
         "out of the choice; the choice weighs the duration's cost without the request fee, as "
         "Power Tuning does (the fee is the same at every setting).\n\n";
  return out;
}

std::string Method() {
  return "## Method\n\n"
         "- Each function runs under zerostart's emulator in-process, at each memory setting as "
         "`zerostart serve --memory MB` runs it (Lambda's CPU share for the setting, 1,769 MB = one "
         "vCPU, and its memory limit, where the machine's cgroups allow), invoked over loopback "
         "HTTP.\n"
         "- **Cold start**: a fresh emulator and function process per sample, invoked once with the "
         "first payload; *cold start* is the caller's time from sending the event to the whole "
         "response, spawn included; *Init Duration* and *first Duration* are the REPORT's fields for "
         "that invoke.\n"
         "- **Warm**: one more process per memory setting; its first invoke and each payload's "
         "warm-up invokes are discarded (`warmup` in results.json); *Duration* is REPORT's.\n"
         "- **Cost** per warm invocation: the request fee plus the median warm Duration rounded up "
         "to 1 ms, times the setting in GB (1,024 MB) times the price per GB-second of the "
         "function's architecture.\n"
         "- Statistics: median, p10–p90 in parentheses (linear interpolation between order "
         "statistics), n = samples kept; outliers are flagged (not removed) beyond 1.5 IQR outside "
         "the quartiles. Max Memory Used is REPORT's (peak RSS of the function's process tree).\n\n";
}

std::string Charts(const ChartsNote& charts) {
  std::string out = "## Charts\n\n";
  if (!charts.missing_reason.empty()) return out + "No charts: " + charts.missing_reason + ".\n\n";
  for (const std::string& file : charts.files) out += "![" + file + "](" + file + ")\n\n";
  return out;
}

std::string FunctionTables(const BenchResults& r, const std::string& function,
                           const std::vector<PayloadTuning>& tuning) {
  std::vector<const CellResult*> cells;
  for (const CellResult& cell : r.cells) {
    if (cell.function == function) cells.push_back(&cell);
  }
  if (cells.empty()) return "";
  std::string out = "### " + function + "\n\n| memory | cold start | Init Duration | first Duration | Max Memory Used | errors |\n|---|---|---|---|---|---|\n";
  for (const CellResult* cell : cells) {
    const auto cold = FindSeries(*cell, "cold", "cold");
    const auto memory = MemoryMedian(cell, "");
    out += "| " + std::to_string(cell->memory_mb) + " MB | ";
    if (cold) {
      out += Spread(cold->client_ms, "ms") + " n=" + std::to_string(cold->client_ms.count) + " | " +
             Spread(cold->init_duration_ms, "ms") + " | " + Spread(cold->duration_ms, "ms") + " | ";
    } else {
      out += "– | – | – | ";
    }
    out += (memory ? FormatNumber(*memory) + " MB" : "–") + " | " + std::to_string(cold ? cold->errors : 0) + " |\n";
  }
  out += "\n";
  for (const PayloadTuning& t : tuning) {
    if (t.function != function) continue;
    out += "Payload `" + TableCell(t.workload) + "`, warm:\n\n| memory | Duration | cost per invocation | per 1M invocations | errors | timeouts |\n|---|---|---|---|---|---|\n";
    for (const SettingCost& s : t.settings) {
      const CellResult* cell = FindCell(r, function, s.figures.memory_mb);
      const auto series = cell ? FindSeries(*cell, "warm", t.workload) : std::nullopt;
      std::string duration = "–";
      if (series && series->duration_ms.count > 0) {
        duration = Spread(series->duration_ms, "ms") + " n=" + std::to_string(series->duration_ms.count) +
                   (series->duration_ms.outliers ? ", " + std::to_string(series->duration_ms.outliers) + " outl." : "");
      }
      const bool costed = s.samples > 0;
      out += "| " + std::to_string(s.figures.memory_mb) + " MB | " + duration + " | " +
             (costed ? FormatDollars(s.figures.cost) : "–") + " | " + (costed ? FormatDollars(s.figures.cost * 1e6) : "–") +
             " | " + std::to_string(s.errors) + " | " + std::to_string(s.timeouts) + " |\n";
    }
    out += "\n";
  }
  return out;
}

std::string Errors(const BenchResults& r) {
  std::string out;
  for (const CellResult& cell : r.cells) {
    for (const Series& s : SeriesOf(cell)) {
      if (s.errors == 0 && s.warmup_errors == 0) continue;
      out += "- " + cell.function + " at " + std::to_string(cell.memory_mb) + " MB, " + s.kind + " " +
             s.workload + ": " + std::to_string(s.errors) + " failed invoke(s)";
      if (s.warmup_errors > 0) out += " and " + std::to_string(s.warmup_errors) + " failed warm-up(s)";
      for (const std::string& e : s.error_examples) out += "; `" + TableCell(e) + "`";
      out += "\n";
    }
  }
  return "## Errors\n\n" + (out.empty() ? "None.\n" : out) + "\n";
}

std::string Skipped(const BenchResults& r) {
  if (r.skipped.empty()) return "";
  std::string out = "## Skipped functions\n\n";
  for (const SkippedFunction& s : r.skipped) out += "- " + s.function + ": " + s.reason + "\n";
  return out + "\n";
}

}  // namespace

std::string TableCell(std::string text) {
  std::replace(text.begin(), text.end(), '|', '/');
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

std::string ReportMarkdown(const BenchResults& r, const ChartsNote& charts) {
  const std::vector<PayloadTuning> tuning = TuningOf(r);
  std::string out = Header(r) + Best(tuning) + Charts(charts) + "## Results per function\n\n";
  std::vector<std::string> functions;
  for (const CellResult& cell : r.cells) {
    if (std::find(functions.begin(), functions.end(), cell.function) == functions.end()) {
      functions.push_back(cell.function);
    }
  }
  for (const std::string& f : functions) out += FunctionTables(r, f, tuning);
  return out + Errors(r) + Skipped(r) + Method();
}

}  // namespace zerostart::benchmark
