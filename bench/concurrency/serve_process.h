// ServeProcess: one `zerostart serve` started by zs_concurrency_bench as a child process. Its
// ready line on stderr gives the port ("zerostart: serving FUNCTION on http://127.0.0.1:PORT",
// this build's and older ones'); its platform.start and platform.report records on stdout
// (`--log-format json`) are read as they come, by a thread of their own, so a part can wait for
// them instead of sleeping.
//
// Each serve leads a process group of its own, so a Ctrl-C to the benchmark does not reach it;
// StopServesOnSignal makes a stop signal to the benchmark SIGTERM every live serve first.
//
// Thread safety: the waiting and reading methods may be called from any thread; Stop() and the
// destructor from the owner only.
#ifndef ZEROSTART_BENCH_CONCURRENCY_SERVE_PROCESS_H_
#define ZEROSTART_BENCH_CONCURRENCY_SERVE_PROCESS_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/benchmark/report_capture.h"
#include "zerostart/status.h"

namespace zerostart::bench::concurrency {

// Installs handlers for SIGINT, SIGTERM and SIGHUP that SIGTERM every serve alive (serve then
// stops its functions and removes its cgroups), then end this program by the same signal.
void StopServesOnSignal();

struct ServeSpec {
  std::string zerostart;
  std::vector<std::string> options;  // after "serve --port 0"
  std::string function;
  bool read_reports = true;  // false: its stdout goes to /dev/null (no reader woken per invoke)
  std::vector<std::string> env = {};  // "K=V" for serve itself, over (and beside) this process's own
};

class ServeProcess {
 public:
  // Starts serve and waits for its ready line. Unavailable when it exits first or stays silent.
  static Result<std::unique_ptr<ServeProcess>> Start(const ServeSpec& spec);

  ~ServeProcess() { (void)Stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // SIGTERM, then waits for serve to exit (it stops its functions itself). DeadlineExceeded when
  // it does not exit within 15 s (it is then SIGKILLed); Internal when it exits other than with
  // 0. Idempotent.
  Status Stop();

  pid_t pid() const { return pid_; }
  uint16_t port();
  size_t ReportCount();
  // Waits until at least `count` platform.report records have arrived; false when 30 s pass first or serve
  // ends.
  bool WaitForReports(size_t count);
  // Waits until at least `count` platform.start records have arrived (an invoke reached its function); false
  // when 30 s pass first or serve ends.
  bool WaitForStarts(size_t count);
  // Every platform.report record so far, in the order serve printed them.
  std::vector<benchmark::ReportValues> Reports();
  // Everything serve wrote to stderr so far.
  std::string StderrText();

 private:
  explicit ServeProcess(pid_t pid) : pid_(pid) {}

  static void ReadLines(int fd, const std::function<void(std::string_view)>& on_line);
  void OnStdoutLine(std::string_view line);
  void OnStderrLine(std::string_view line);

  const pid_t pid_;
  bool stopped_ = false;
  std::thread out_reader_;
  std::thread err_reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  uint16_t port_ = 0;
  bool stderr_closed_ = false;
  std::string stderr_text_;
  std::vector<benchmark::ReportValues> reports_;
  size_t starts_ = 0;
};

}  // namespace zerostart::bench::concurrency

#endif  // ZEROSTART_BENCH_CONCURRENCY_SERVE_PROCESS_H_
