#include "src/benchmark/progress.h"

#include <algorithm>
#include <cmath>

namespace zerostart::benchmark {
namespace {

constexpr std::chrono::milliseconds kRedrawInterval{100};
constexpr size_t kMaxLine = 100;  // the redrawn line is cut to this many characters

}  // namespace

Progress::Progress(std::FILE* out, bool terminal, int total_invokes, double estimated_ms,
                   std::chrono::seconds plain_interval)
    : out_(out),
      terminal_(terminal),
      total_invokes_(total_invokes),
      estimated_ms_(estimated_ms),
      start_(std::chrono::steady_clock::now()),
      plain_interval_(plain_interval) {}

std::string Progress::FormatDuration(double seconds) {
  const long s = std::max(0L, std::lround(seconds));
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, s % 3600 / 60);
  } else if (s >= 60) {
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lds", s);
  }
  return text;
}

double Progress::SecondsLeft(double total_ms, double done_ms, double elapsed_s) {
  const double left_ms = std::max(0.0, total_ms - done_ms);
  // Until a tenth of the estimate is done the clock says little; trust the estimate.
  if (done_ms <= 0 || done_ms < total_ms / 10) return left_ms / 1000;
  return left_ms * (elapsed_s / done_ms);
}

void Progress::Step(const std::string& what, double estimated_ms) {
  ++done_invokes_;
  done_ms_ += estimated_ms;
  Draw(what, false);
}

void Progress::Note(const std::string& text) {
  if (line_open_) std::fputc('\n', out_);
  line_open_ = false;
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

void Progress::Finish() {
  if (line_open_) std::fputc('\n', out_);
  line_open_ = false;
  std::fflush(out_);
}

void Progress::Draw(const std::string& what, bool force) {
  const auto now = std::chrono::steady_clock::now();
  const bool last = done_invokes_ >= total_invokes_;
  const auto interval = terminal_ ? std::chrono::duration_cast<std::chrono::milliseconds>(kRedrawInterval)
                                  : std::chrono::duration_cast<std::chrono::milliseconds>(plain_interval_);
  if (!force && !last && now - last_draw_ < interval) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // snprintf, not operator+: GCC 12 reports a false -Wrestrict on that chain of temporaries.
  char head[96];
  std::snprintf(head, sizeof head, "[%d/%d invokes, %d left, ~%s to go] ", done_invokes_,
                total_invokes_, std::max(0, total_invokes_ - done_invokes_),
                FormatDuration(SecondsLeft(estimated_ms_, done_ms_, elapsed)).c_str());
  std::string line = head;
  line += what;
  if (terminal_) {
    if (line.size() > kMaxLine) line.resize(kMaxLine);
    std::fprintf(out_, "\r%-*s", static_cast<int>(kMaxLine), line.c_str());
    line_open_ = true;
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace zerostart::benchmark
