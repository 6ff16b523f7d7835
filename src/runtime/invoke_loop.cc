#include "src/runtime/invoke_loop.h"

#include <string>

#include "src/common/log.h"
#include "src/runtime/error_json.h"
#include "src/runtime/handler_boundary.h"
#include "src/runtime/trace_env.h"

namespace zerostart::runtime {

int ServeInvokes(Transport& transport, const Handler& handler, const InitFunction& init) {
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
  }
}

}  // namespace zerostart::runtime
