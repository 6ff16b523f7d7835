// Progress: what a run is measuring, how many invokes are left and an estimate of the time
// left, on a stream. On a terminal one line is redrawn (\r, at most every 100 ms); otherwise a
// plain line is written per step, at most one every `plain_interval` (so logs stay short).
// The time left is the plan's estimate of the remaining work, scaled by how the estimate has
// compared with the clock so far.
// Thread safety: one thread.
#ifndef ZEROSTART_SRC_BENCHMARK_PROGRESS_H_
#define ZEROSTART_SRC_BENCHMARK_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <string>

namespace zerostart::benchmark {

class Progress {
 public:
  // `out` is not owned. `total_invokes` and `estimated_ms` are the plan's (TotalInvokes,
  // EstimatedSeconds * 1000).
  Progress(std::FILE* out, bool terminal, int total_invokes, double estimated_ms,
           std::chrono::seconds plain_interval = std::chrono::seconds(5));

  // One invoke done: `what` it was, `estimated_ms` its share of the estimate.
  void Step(const std::string& what, double estimated_ms);
  // A line that is not progress (e.g. "skipping java-sin: ..."), kept on screen.
  void Note(const std::string& text);
  // Ends the redrawn line.
  void Finish();

  // "1h02m", "3m05s", "42s".
  static std::string FormatDuration(double seconds);
  // The estimated seconds left after `done_ms` of `total_ms` estimated work took `elapsed_s`.
  static double SecondsLeft(double total_ms, double done_ms, double elapsed_s);

 private:
  void Draw(const std::string& what, bool force);

  std::FILE* out_;
  bool terminal_;
  int total_invokes_;
  int done_invokes_ = 0;
  double estimated_ms_;
  double done_ms_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::seconds plain_interval_;
  bool line_open_ = false;
};

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_PROGRESS_H_
