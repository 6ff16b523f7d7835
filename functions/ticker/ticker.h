// The ticker function: a stream of server-sent events (text/event-stream), written while the
// function runs, for a browser behind a Function URL in RESPONSE_STREAM mode (or any
// InvokeWithResponseStream caller).
//
// Request: {"count":N,"interval_ms":D} (defaults 5 and 1000; count 0..1000, interval_ms
// 0..60000; JSON integers), or a Function URL event with those as query parameters
// (?count=3&interval_ms=500) or in its JSON body (the body wins). The response is an HTTP 200 with
// content-type text/event-stream and cache-control no-cache, then N events D ms apart:
//   id: i
//   data: {"tick":i,"remaining_ms":R}
// (i from 1; R: the invoke's time left when the event is written), each sent as it is
// written. A request that does not parse is answered 400 with {"message":"..."}.
//
// Thread safety: pure functions, and StreamTicks uses only its arguments.
#ifndef ZEROSTART_FUNCTIONS_TICKER_TICKER_H_
#define ZEROSTART_FUNCTIONS_TICKER_TICKER_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "zerostart/invocation.h"
#include "zerostart/status.h"
#include "zerostart/stream.h"

namespace zerostart::functions {

struct TickerRequest {
  int count = 5;
  int interval_ms = 1000;
};

inline constexpr int kMaxTicks = 1000;
inline constexpr int kMaxTickIntervalMs = 60'000;

// The request in `payload` (see the file comment). InvalidArgument naming the field when a
// value is not an integer in its range, or the payload is not a JSON object.
Result<TickerRequest> ParseTickerRequest(std::string_view payload);

// "id: <tick>\ndata: {\"tick\":<tick>,\"remaining_ms\":<remaining_ms>}\n\n".
std::string TickEvent(int tick, long long remaining_ms);

// Serves one invoke onto `out` (see the file comment), waiting with `sleep` between events.
// Stops early, without an error, when a write fails (the caller has gone).
void StreamTicks(const Invocation& invocation, ResponseStream& out,
                 const std::function<void(std::chrono::milliseconds)>& sleep);

}  // namespace zerostart::functions

#endif  // ZEROSTART_FUNCTIONS_TICKER_TICKER_H_
