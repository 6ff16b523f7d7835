// Invocation: one invoke on its way through the emulator — what the caller sent, when it was
// handed to the function, and the one answer it gets.
// Thread safety: the fields marked "dispatcher" are guarded by the Dispatcher's mutex; the
// request fields are immutable once queued.
#ifndef ZEROSTART_SRC_EMULATOR_INVOCATION_H_
#define ZEROSTART_SRC_EMULATOR_INVOCATION_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace zerostart::emulator {

// What the caller asked for (validated by the invoke server).
struct InvokeRequest {
  std::string payload;         // JSON
  std::string trace_id;        // X-Amzn-Trace-Id, or one made up
  std::string client_context;  // X-Amz-Client-Context decoded from base64 (JSON), or empty
  std::string tenant_id;       // X-Amz-Tenant-Id, or empty
};

// The answer to the caller.
struct InvokeResult {
  int http_status = 200;
  std::string body;
  std::string content_type;
  bool function_error = false;  // send X-Amz-Function-Error: Unhandled
  std::string exception;        // X-Amzn-ErrorType, for service errors (status >= 400)
};

struct Invocation {
  using Clock = std::chrono::steady_clock;

  std::string request_id;
  InvokeRequest request;
  bool async = false;  // X-Amz-Invocation-Type: Event: nobody waits for the result

  // Set at hand-over (dispatcher), before the event is written to the runtime.
  Clock::time_point handed_over{};
  Clock::time_point deadline{};
  int64_t deadline_epoch_ms = 0;  // Lambda-Runtime-Deadline-Ms
  // Steady-clock nanoseconds when the event is about to be written (0 = not yet): Duration
  // starts here.
  std::atomic<int64_t> started_ns{0};

  // Called once with the answer, by the thread that produced it, before Invoke() returns
  // (optional). Lets the invoke server start sending the answer without waiting for its own
  // thread to be scheduled. Must not block for long.
  std::function<void(const InvokeResult&)> reply;

  // Completion (dispatcher): exactly one answer.
  bool done = false;       // `result` is final
  bool delivered = false;  // `reply` has run
  InvokeResult result;
  std::condition_variable done_cv;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_INVOCATION_H_
