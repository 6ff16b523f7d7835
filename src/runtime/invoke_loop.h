// The invoke loop: init once, then Next -> handler -> Respond/ReportError (or a streamed
// response), forever.
// Protocol-free: it only talks to a Transport (transport.h). Serving several invokes at once
// (Lambda Managed Instances) runs one of these loops per worker: workers.h.
// Thread safety: each function runs on the calling thread and calls the handler there, one
// invoke at a time; functions that take no TraceIdEnvironment may run concurrently on
// distinct transports.
#ifndef ZEROSTART_SRC_RUNTIME_INVOKE_LOOP_H_
#define ZEROSTART_SRC_RUNTIME_INVOKE_LOOP_H_

#include "src/runtime/trace_env.h"
#include "src/runtime/transport.h"
#include "zerostart/runtime.h"
#include "zerostart/status.h"
#include "zerostart/stream.h"

namespace zerostart::runtime {

// Exit codes returned by ServeInvokes / Run (the loop never returns while Lambda is alive).
inline constexpr int kExitLambdaGone = 1;      // Next() failed: unreachable or told to stop
inline constexpr int kExitInitFailed = 2;      // init failed (and was reported)
inline constexpr int kExitBadEnvironment = 78;  // no usable protocol (sysexits EX_CONFIG)
inline constexpr int kExitInternal = 70;  // an unexpected exception in the runtime (EX_SOFTWARE)

// Runs `init` (if set); on failure reports it with transport.ReportInitError and returns
// kExitInitFailed. Then serves invokes: points each Invocation's `function` at `function`
// (which must outlive the call), sets _X_AMZN_TRACE_ID for each, makes the invoke the calling
// thread's for zerostart/log.h (ThreadInvocationScope) while it is served, calls the handler
// through CallHandler (handler_boundary.h), and sends the result; a result the Lambda side
// refuses (e.g. too large) is logged and the loop goes on. Returns kExitLambdaGone, with one
// line on stderr, when Next() fails.
int ServeInvokes(Transport& transport, const Handler& handler, const InitFunction& init,
                 const FunctionContext& function);

// The same loop for a streaming handler (zerostart/stream.h): each invoke's response is a
// TransportResponseStream (response_stream.h) over `transport`, completed when the handler
// returns (Finish unless it ended; Fail with the error CallStreamingHandler caught when it
// threw). Exit codes as ServeInvokes.
int ServeStreamingInvokes(Transport& transport, const StreamingHandler& handler,
                          const InitFunction& init, const FunctionContext& function);

// The pieces of the loops above, for workers.h.
//
// Runs `init` (if set). True when it succeeded (or is unset); otherwise logs the error,
// reports it with transport.ReportInitError and returns false.
bool InitOrReport(Transport& transport, const InitFunction& init);
// Serves invokes on `transport` as ServeInvokes / ServeStreamingInvokes do, without init,
// until Next() fails; returns that error (not logged). Each Invocation's `function` points at
// `function` (which must outlive the call). _X_AMZN_TRACE_ID is set for each invoke through
// `trace_env`, and left alone when it is null.
Status ServeUntilNextFails(Transport& transport, const Handler& handler,
                           const FunctionContext& function, TraceIdEnvironment* trace_env);
Status ServeStreamingUntilNextFails(Transport& transport, const StreamingHandler& handler,
                                    const FunctionContext& function,
                                    TraceIdEnvironment* trace_env);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_INVOKE_LOOP_H_
