#include "src/benchmark/charts.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <thread>

#include "src/common/spawn.h"
#include "src/benchmark/series.h"
#include "src/benchmark/tuning.h"

namespace zerostart::benchmark {
namespace {

constexpr std::chrono::seconds kGnuplotTimeout{60};

struct Line {
  std::string title;
  std::string file;
  int dash = 1;  // one dash type per function, so a function's payloads share a pattern
};

// gnuplot single-quoted string: a quote is doubled.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Number(double v) { return std::to_string(v); }

std::string Preamble(const BenchResults& r, const std::string& output, const std::string& ylabel,
                     bool log_y) {
  std::string xtics;
  for (int mb : r.memory_mb) xtics += (xtics.empty() ? "" : ",") + std::to_string(mb);
  return "set terminal svg size 960,680 dynamic noenhanced font 'sans,12' background '#ffffff'\n"
         "set output " + Quote(output) + "\nset key below\nset grid\n"
         "set logscale x 2\nset xtics (" + xtics + ")\nset xlabel 'memory setting (MB)'\n"
         "set ylabel " + Quote(ylabel) + "\n" + (log_y ? "set logscale y\n" : "unset logscale y\nset yrange [0:*]\n");
}

std::string Plot(const std::vector<Line>& lines, const std::string& style) {
  std::string out = "plot ";
  for (size_t i = 0; i < lines.size(); ++i) {
    out += (i ? ", \\\n     " : "") + Quote(lines[i].file) + " using 1:2:3:4 with " + style + " title " +
           Quote(lines[i].title) + " dashtype " + std::to_string(lines[i].dash) + " linewidth 1.5";
  }
  return out + "\n";
}

}  // namespace

ChartFiles ChartData(const BenchResults& r, const std::string& scratch) {
  ChartFiles files;
  // Rows "memory p50 p10 p90" per line; cost rows "memory cost cost cost" (no spread).
  std::vector<Line> duration_lines, cost_lines, cold_lines, memory_lines;
  std::vector<std::string> functions;
  for (const CellResult& c : r.cells) {
    if (std::find(functions.begin(), functions.end(), c.function) == functions.end()) functions.push_back(c.function);
  }
  int next = 0;
  auto add = [&](std::vector<Line>& lines, const std::string& title, const std::string& rows, int dash) {
    if (rows.empty()) return;
    const std::string name = "series" + std::to_string(next++) + ".dat";
    files.data.emplace_back(name, rows);
    lines.push_back({title, scratch + "/" + name, dash});
  };
  auto row = [](int mb, double mid, double low, double high) {
    return std::to_string(mb) + " " + Number(mid) + " " + Number(low) + " " + Number(high) + "\n";
  };
  const std::vector<PayloadTuning> tuning = TuningOf(r);
  for (size_t i = 0; i < functions.size(); ++i) {
    const std::string& f = functions[i];
    const int dash = static_cast<int>(i % 5) + 1;
    std::string cold_rows, memory_rows;
    for (const CellResult& c : r.cells) {
      if (c.function != f) continue;
      const auto cold = FindSeries(c, "cold", "cold");
      if (cold && cold->client_ms.count > 0) {
        cold_rows += row(c.memory_mb, cold->client_ms.median, cold->client_ms.p10, cold->client_ms.p90);
      }
      const Summary m = Summarize(WarmMemoryUsed(c, ""));  // what the report's table shows the median of
      if (m.count > 0) memory_rows += row(c.memory_mb, m.median, m.p10, m.p90);
    }
    add(cold_lines, f, cold_rows, dash);
    add(memory_lines, f, memory_rows, dash);
    for (const PayloadTuning& t : tuning) {
      if (t.function != f) continue;
      std::string duration_rows, cost_rows;
      for (const SettingCost& s : t.settings) {
        if (s.samples == 0) continue;
        const CellResult* cell = FindCell(r, f, s.figures.memory_mb);
        const auto series = cell ? FindSeries(*cell, "warm", t.workload) : std::nullopt;
        if (!series) continue;
        duration_rows += row(s.figures.memory_mb, series->duration_ms.median, series->duration_ms.p10,
                             series->duration_ms.p90);
        const double per_million = s.figures.cost * 1e6;
        cost_rows += row(s.figures.memory_mb, per_million, per_million, per_million);
      }
      const std::string title = t.workload == "{}" && tuning.size() == functions.size() ? f : f + " " + t.workload;
      add(duration_lines, title, duration_rows, dash);
      add(cost_lines, title, cost_rows, dash);
    }
  }
  auto chart = [&](const std::vector<Line>& lines, const std::string& name, const std::string& ylabel, bool log_y) {
    if (lines.empty()) return;
    files.script += Preamble(r, scratch + "/" + name, ylabel, log_y) + Plot(lines, "yerrorlines") + "unset output\n";
    files.charts.push_back(name);
  };
  chart(duration_lines, "duration_vs_memory.svg", "warm Duration p50, p10-p90 (ms, log)", true);
  chart(cost_lines, "cost_vs_memory.svg", "cost per 1M invocations (USD, log)", true);
  chart(cold_lines, "cold_start.svg", "cold start p50, p10-p90 (ms, log)", true);
  chart(memory_lines, "memory_used.svg", "Max Memory Used p50, p10-p90, warm invokes (MB)", false);
  return files;
}

const std::vector<std::string>& ChartNames() {
  static const std::vector<std::string> kNames = {"duration_vs_memory.svg", "cost_vs_memory.svg", "cold_start.svg",
                                                  "memory_used.svg"};
  return kNames;
}

Result<std::string> FindProgram(const std::string& name, const std::string& path_list) {
  size_t start = 0;
  while (start <= path_list.size()) {
    size_t colon = path_list.find(':', start);
    if (colon == std::string::npos) colon = path_list.size();
    const std::string dir = path_list.substr(start, colon - start);
    start = colon + 1;
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return NotFoundError(name + " not found in PATH");
}

Result<std::vector<std::string>> DrawCharts(const BenchResults& results, const std::string& gnuplot,
                                            const std::string& scratch) {
  const ChartFiles files = ChartData(results, scratch);
  if (files.charts.empty()) return std::vector<std::string>{};
  for (const auto& [name, content] : files.data) {
    std::ofstream out(scratch + "/" + name);
    out << content;
    if (!out.flush()) return InternalError("cannot write " + scratch + "/" + name);
  }
  const std::string script = scratch + "/charts.gp";
  {
    std::ofstream out(script);
    out << files.script;
    if (!out.flush()) return InternalError("cannot write " + script);
  }
  SpawnSpec spec;
  spec.argv = {gnuplot, script};
  spec.env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
  spec.stderr_fd = kSpawnDevNull;
  ZS_ASSIGN_OR_RETURN(pid_t pid, SpawnProcessGroup(spec));
  const auto deadline = std::chrono::steady_clock::now() + kGnuplotTimeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return InternalError("waiting for gnuplot failed");
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      return InternalError("gnuplot did not finish within 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return InternalError("gnuplot failed on " + script);
  std::vector<std::string> made;
  for (const std::string& chart : files.charts) made.push_back(scratch + "/" + chart);
  return made;
}

}  // namespace zerostart::benchmark
