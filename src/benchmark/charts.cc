#include "src/study/charts.h"

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
#include "src/study/series.h"

namespace zerostart::study {
namespace {

constexpr std::chrono::seconds kGnuplotTimeout{60};

struct Line {
  std::string title;
  std::string file;
  bool jvm = false;  // drawn dashed: native solid, JVM dashed
};

// gnuplot single-quoted string: a quote is doubled.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Number(double v) { return std::to_string(v); }

std::string Preamble(const StudyResults& r, const std::string& output, const std::string& ylabel,
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
           Quote(lines[i].title) + (lines[i].jvm ? " dashtype 2" : "") + " linewidth 1.5";
  }
  return out + "\n";
}

}  // namespace

ChartFiles ChartData(const StudyResults& r, const std::string& scratch) {
  ChartFiles files;
  // (function, workload) -> rows "memory p50 p10 p90", per metric.
  std::vector<Line> duration_lines, cold_lines, memory_lines;
  std::vector<std::string> functions;
  for (const CellResult& c : r.cells) {
    if (std::find(functions.begin(), functions.end(), c.function) == functions.end()) functions.push_back(c.function);
  }
  int next = 0;
  auto add = [&](std::vector<Line>& lines, const std::string& title, const std::string& rows, bool jvm) {
    if (rows.empty()) return;
    const std::string name = "series" + std::to_string(next++) + ".dat";
    files.data.emplace_back(name, rows);
    lines.push_back({title, scratch + "/" + name, jvm});
  };
  for (const std::string& f : functions) {
    std::vector<std::string> workloads;
    std::string cold_rows, memory_rows, runtime;
    for (const CellResult& c : r.cells) {
      if (c.function != f) continue;
      runtime = c.runtime;
      for (const Series& s : SeriesOf(c)) {
        if (s.kind == "warm" && std::find(workloads.begin(), workloads.end(), s.workload) == workloads.end()) {
          workloads.push_back(s.workload);
        }
        if (s.kind == "cold" && s.client_ms.count > 0) {
          cold_rows += std::to_string(c.memory_mb) + " " + Number(s.client_ms.median) + " " +
                       Number(s.client_ms.p10) + " " + Number(s.client_ms.p90) + "\n";
        }
      }
      std::vector<double> mem;
      for (const Sample& s : c.samples) {
        if (s.ok && s.max_memory_mb) mem.push_back(static_cast<double>(*s.max_memory_mb));
      }
      const Summary m = Summarize(mem);
      if (m.count > 0) {
        memory_rows += std::to_string(c.memory_mb) + " " + Number(m.median) + " " + Number(m.p10) +
                       " " + Number(m.p90) + "\n";
      }
    }
    add(cold_lines, f + " (" + runtime + ")", cold_rows, runtime == "jvm");
    add(memory_lines, f + " (" + runtime + ")", memory_rows, runtime == "jvm");
    for (const std::string& w : workloads) {
      std::string rows;
      for (const CellResult& c : r.cells) {
        if (c.function != f) continue;
        const auto s = FindSeries(c, "warm", w);
        if (!s || s->duration_ms.count == 0) continue;
        rows += std::to_string(c.memory_mb) + " " + Number(s->duration_ms.median) + " " +
                Number(s->duration_ms.p10) + " " + Number(s->duration_ms.p90) + "\n";
      }
      add(duration_lines, f + " (" + runtime + ") " + w, rows, runtime == "jvm");
    }
  }
  auto chart = [&](const std::vector<Line>& lines, const std::string& name, const std::string& ylabel, bool log_y) {
    if (lines.empty()) return;
    files.script += Preamble(r, scratch + "/" + name, ylabel, log_y) + Plot(lines, "yerrorlines") + "unset output\n";
    files.charts.push_back(name);
  };
  chart(duration_lines, "duration_vs_memory.svg", "warm Duration p50, p10-p90 (ms, log)", true);
  chart(cold_lines, "cold_start.svg", "cold start p50, p10-p90 (ms, log)", true);
  chart(memory_lines, "memory_used.svg", "Max Memory Used p50, p10-p90, all warm invokes (MB)", false);
  return files;
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

Result<std::vector<std::string>> DrawCharts(const StudyResults& results, const std::string& gnuplot,
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

}  // namespace zerostart::study
