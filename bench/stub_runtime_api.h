// A minimal Lambda Runtime API server for cold-start measurements: it hands one event to a
// freshly started runtime and notes the instant that runtime's response arrives. No emulator:
// nothing but the socket work the measurement needs sits between the spawn and the clock.
//
// It answers GET /next once (with the headers Lambda sends: request id, deadline, function ARN,
// trace id, Content-Type), POST .../{id}/response with 202, and anything else with 404. It
// accepts as many connections as the runtime opens (a bash + curl runtime opens one per request)
// and serves them from one thread with poll(2).
//
// Thread safety: none; one call at a time per listening socket.
#ifndef ZEROSTART_BENCH_STUB_RUNTIME_API_H_
#define ZEROSTART_BENCH_STUB_RUNTIME_API_H_

#include <chrono>
#include <functional>
#include <string>

#include "bench/child_process.h"
#include "zerostart/status.h"

namespace zerostart::bench {

struct StubEvent {
  std::string payload;
  std::string request_id;
  std::string function_arn;
};

struct FirstResponse {
  std::chrono::steady_clock::time_point arrived;  // when the whole POST had been read
  std::string body;
};

// Serves `listen_fd` until the runtime has posted the response to `event`. `on_response` runs
// right after the clock is read and before the 202 is sent (while the runtime still waits for
// it, e.g. to read its memory). Errors: FailedPrecondition when the runtime reports an error
// (/error or /init/error; the message holds the body) or exits first; DeadlineExceeded at
// `deadline`; Unavailable if the listening socket fails.
Result<FirstResponse> ServeFirstInvoke(int listen_fd, const StubEvent& event, ChildProcess& child,
                                       std::chrono::steady_clock::time_point deadline,
                                       const std::function<void()>& on_response);

}  // namespace zerostart::bench

#endif  // ZEROSTART_BENCH_STUB_RUNTIME_API_H_
