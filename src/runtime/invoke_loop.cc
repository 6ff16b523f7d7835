#include "src/runtime/invoke_loop.h"

#include <string>

#include "src/common/log.h"
#include "src/runtime/error_json.h"
#include "src/runtime/function_log.h"
#include "src/runtime/handler_boundary.h"
#include "src/runtime/response_stream.h"

namespace zerostart::runtime {
namespace {

// Serves invokes with serve_one(invocation) until Next fails, and returns its error.
// A template, so that each loop calls its own serve_one directly.
template <typename ServeOne>
Status ServeEach(Transport& transport, const FunctionContext& function,
                 TraceIdEnvironment* trace_env, ServeOne&& serve_one) {
  Invocation invocation;
  for (;;) {
    Status next = transport.Next(&invocation);
    if (!next.ok()) return next;
    // Set per invoke rather than once: a transport may rebuild the Invocation in Next.
    invocation.function = &function;
    if (trace_env != nullptr) trace_env->Set(invocation.trace_id);
    // zerostart/log.h records written on this thread during the invoke carry its request id.
    ThreadInvocationScope logging_for(invocation);
    serve_one(invocation);
  }
}

// Runs init and, if it succeeded, serves invokes with `serve` (a ServeUntilNextFails) until
// Next fails. Returns the exit code.
template <typename Serve>
int InitThenServe(Transport& transport, const InitFunction& init, Serve&& serve) {
  if (!InitOrReport(transport, init)) return kExitInitFailed;
  TraceIdEnvironment trace_env;
  Status ended = serve(&trace_env);
  log::Error("runtime: stopping: " + ended.ToString());
  return kExitLambdaGone;
}

}  // namespace

bool InitOrReport(Transport& transport, const InitFunction& init) {
  FunctionError init_error;
  if (CallInit(init, &init_error)) return true;
  log::Error("runtime: init failed: " + std::string(EffectiveErrorType(init_error)) + ": " +
             init_error.message);
  Status reported = transport.ReportInitError(init_error);
  if (!reported.ok()) {
    log::Error("runtime: could not report the init error: " + reported.ToString());
  }
  return false;
}

Status ServeUntilNextFails(Transport& transport, const Handler& handler,
                           const FunctionContext& function, TraceIdEnvironment* trace_env) {
  return ServeEach(transport, function, trace_env, [&](const Invocation& invocation) {
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

Status ServeStreamingUntilNextFails(Transport& transport, const StreamingHandler& handler,
                                    const FunctionContext& function,
                                    TraceIdEnvironment* trace_env) {
  TransportResponseStream stream(transport);
  FunctionError error;
  return ServeEach(transport, function, trace_env, [&](const Invocation& invocation) {
    stream.Reset(invocation);
    const bool returned = CallStreamingHandler(handler, invocation, stream, &error);
    // The stream logs what the Lambda side refused; the next /next tells whether it is alive.
    stream.Complete(returned ? nullptr : &error);
  });
}

int ServeInvokes(Transport& transport, const Handler& handler, const InitFunction& init,
                 const FunctionContext& function) {
  return InitThenServe(transport, init, [&](TraceIdEnvironment* trace_env) {
    return ServeUntilNextFails(transport, handler, function, trace_env);
  });
}

int ServeStreamingInvokes(Transport& transport, const StreamingHandler& handler,
                          const InitFunction& init, const FunctionContext& function) {
  return InitThenServe(transport, init, [&](TraceIdEnvironment* trace_env) {
    return ServeStreamingUntilNextFails(transport, handler, function, trace_env);
  });
}

}  // namespace zerostart::runtime
