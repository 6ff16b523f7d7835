#include "src/runtime/invoke_loop.h"

#include <string>

#include "src/common/log.h"
#include "src/runtime/error_json.h"
#include "src/runtime/handler_boundary.h"
#include "src/runtime/response_stream.h"
#include "src/runtime/trace_env.h"

namespace zerostart::runtime {
namespace {

// Runs init and, if it succeeded, serves invokes with serve_one(invocation) until Next fails.
// A template, so that each loop calls its own serve_one directly.
template <typename ServeOne>
int InitThenServe(Transport& transport, const InitFunction& init, ServeOne&& serve_one) {
  FunctionError init_error;
  if (!CallInit(init, &init_error)) {
    log::Error("runtime: init failed: " + std::string(EffectiveErrorType(init_error)) + ": " +
               init_error.message);
    Status reported = transport.ReportInitError(init_error);
    if (!reported.ok()) log::Error("runtime: could not report the init error: " + reported.ToString());
    return kExitInitFailed;
  }

  Invocation invocation;
  TraceIdEnvironment trace_env;
  for (;;) {
    Status next = transport.Next(&invocation);
    if (!next.ok()) {
      log::Error("runtime: stopping: " + next.ToString());
      return kExitLambdaGone;
    }
    trace_env.Set(invocation.trace_id);
    serve_one(invocation);
  }
}

}  // namespace

int ServeInvokes(Transport& transport, const Handler& handler, const InitFunction& init) {
  return InitThenServe(transport, init, [&](const Invocation& invocation) {
    Response response = CallHandler(handler, invocation);
    Status sent;
    if (response.is_error()) {
      if (log::Enabled(log::Level::kInfo)) {
        log::Info("runtime: invoke " + invocation.request_id + " failed: " +
                  response.error().type);
      }
      sent = transport.ReportError(invocation, response.error());
    } else {
      sent = transport.Respond(invocation, &response);
    }
    if (!sent.ok()) {
      // Lambda has already failed this invoke (e.g. Function.ResponseSizeTooLarge) or lost
      // it; the next /next tells whether the environment is still alive.
      log::Error("runtime: invoke " + invocation.request_id + ": result not accepted: " +
                 sent.ToString());
    }
  });
}

int ServeStreamingInvokes(Transport& transport, const StreamingHandler& handler,
                          const InitFunction& init) {
  TransportResponseStream stream(transport);
  FunctionError error;
  return InitThenServe(transport, init, [&](const Invocation& invocation) {
    stream.Reset(invocation);
    const bool returned = CallStreamingHandler(handler, invocation, stream, &error);
    // The stream logs what the Lambda side refused; the next /next tells whether it is alive.
    stream.Complete(returned ? nullptr : &error);
  });
}

}  // namespace zerostart::runtime
