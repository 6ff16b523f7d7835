// Invocation: one invoke on its way through the emulator — what the caller sent, when it was
// handed to the function, and the one answer it gets.
// Thread safety: the fields marked "pool" are guarded by the Pool's mutex; the request fields
// are immutable once queued.
#ifndef ZEROSTART_SRC_EMULATOR_INVOCATION_H_
#define ZEROSTART_SRC_EMULATOR_INVOCATION_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "src/emulator/log_tail.h"
#include "src/emulator/stream_sink.h"

namespace zerostart::emulator {

// What the caller asked for (validated by the invoke server).
struct InvokeRequest {
  std::string payload;         // JSON
  std::string trace_id;        // X-Amzn-Trace-Id, or one made up
  std::string client_context;  // X-Amz-Client-Context decoded from base64 (JSON), or empty
  std::string tenant_id;       // X-Amz-Tenant-Id, or empty
  bool log_tail = false;       // X-Amz-Log-Type: Tail
};

// The answer to the caller.
struct InvokeResult {
  int http_status = 200;
  std::string body;
  std::string content_type;
  bool function_error = false;  // send X-Amz-Function-Error: Unhandled
  std::string exception;        // X-Amzn-ErrorType, for service errors (status >= 400)
  std::string log_result;       // base64 log tail (X-Amz-Log-Type: Tail), set once reported
  // The function streamed its response: what it wrote already went to Invocation::stream (or,
  // with no stream, is in `body`); function_error and `body` (the error JSON) tell how it ended.
  bool streamed = false;
};

// How a streamed response ended (see stream_relay.h).
struct StreamEnd {
  std::string body;          // what the function wrote, for a caller that wants it buffered
  std::string content_type;  // the function's Content-Type
  std::string error_json;    // non-empty: the response ended with this function error
};

struct Invocation {
  using Clock = std::chrono::steady_clock;

  std::string request_id;
  InvokeRequest request;
  bool async = false;  // X-Amz-Invocation-Type: Event: nobody waits for the result
  // Set by the invoke server before queueing (immutable afterwards):
  std::shared_ptr<StreamSink> stream;  // a streaming caller (null: the caller wants it buffered)
  std::shared_ptr<LogTail> log_tail;   // the caller asked for the log tail

  // When the pool gave it to an environment (pool): a function that never asks for it within
  // the timeout does not hold it forever.
  Clock::time_point assigned_at{};
  // Set at hand-over (pool), before the event is written to the runtime.
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

  // Completion (pool): exactly one answer.
  bool done = false;       // `result` is final
  bool delivered = false;  // `reply` has run
  bool claimed = false;    // a thread is delivering it (DeliverAnswer runs `reply` once)
  bool stream_started = false;  // the runtime began a streamed response
  bool relaying = false;        // ... and its bytes are still being read (Environment::EndRelay)
  // A REPORT ticket is out; with a log tail the answer waits for it (the tail holds REPORT).
  bool report_pending = false;
  InvokeResult result;
  std::condition_variable done_cv;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_INVOCATION_H_
