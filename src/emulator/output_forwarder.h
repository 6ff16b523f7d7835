// OutputForwarder: copies a function process's stdout and stderr, line by line, to a LogSink
// (stdout lines to WriteStdout, stderr lines to WriteStderr), as Lambda captures a function's
// output into its log. A line longer than kMaxLineBytes is cut into pieces of that size.
//
// One thread per forwarder waits on both pipes. Flush() lets the invoke path forward, in its own
// thread and in order, every byte the function wrote before it answered (so those lines come
// before END).
// Thread safety: Flush() and Stop() may be called from any thread.
#ifndef ZEROSTART_SRC_EMULATOR_OUTPUT_FORWARDER_H_
#define ZEROSTART_SRC_EMULATOR_OUTPUT_FORWARDER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "src/common/unique_fd.h"
#include "src/emulator/log_sink.h"

namespace zerostart::emulator {

class OutputForwarder {
 public:
  // Lambda cuts log events at 256 KiB.
  static constexpr size_t kMaxLineBytes = 256 * 1024;

  // Takes the read ends of the two pipes (made non-blocking here) and starts the thread.
  // `sink` must outlive this object.
  OutputForwarder(UniqueFd stdout_pipe, UniqueFd stderr_pipe, LogSink* sink);
  // Stop(0).
  ~OutputForwarder();
  OutputForwarder(const OutputForwarder&) = delete;
  OutputForwarder& operator=(const OutputForwarder&) = delete;

  // Forwards every byte now readable from the pipes; a last line without '\n' is forwarded too
  // (with a '\n' added). Returns when done; does not wait for more output.
  void Flush();

  // Waits up to `grace` for both pipes to reach end of stream (every writer gone: the process
  // and any descendant holding them), then forwards what is left and stops the thread.
  // Idempotent.
  void Stop(std::chrono::milliseconds grace);

 private:
  struct Stream {
    UniqueFd fd;
    std::string partial;  // bytes after the last '\n'
    bool open = false;
    bool is_stdout = true;
  };

  void Run();
  // REQUIRES: mutex_ held. Reads until the pipe is empty or closed, forwarding whole lines.
  void Drain(Stream& stream, bool flush_partial);

  LogSink* sink_;
  std::mutex mutex_;  // guards streams_ (reading and forwarding happen under it)
  Stream streams_[2];
  UniqueFd wake_read_;
  UniqueFd wake_write_;
  std::mutex state_mutex_;
  std::condition_variable finished_cv_;
  bool finished_ = false;  // guarded by state_mutex_
  bool stopped_ = false;   // guarded by state_mutex_
  std::thread thread_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_OUTPUT_FORWARDER_H_
