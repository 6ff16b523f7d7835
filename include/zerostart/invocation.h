// File: zerostart/invocation.h
//
// Invocation: everything Lambda tells a function about one invoke. The same fields arrive
// whichever protocol carried the invoke (Runtime API headers or a go1.x InvokeRequest), so a
// handler never needs to know which one it runs under.
//
// Ownership: an Invocation owns its strings. The runtime passes it to the handler by const
// reference; it stays valid until the handler returns. `function` points to a FunctionContext
// the Invocation does not own (see the field).
// Thread safety: a value type; const methods are safe to call concurrently.
#ifndef ZEROSTART_INVOCATION_H_
#define ZEROSTART_INVOCATION_H_

#include <chrono>
#include <string>

#include "zerostart/function_context.h"

namespace zerostart {

struct Invocation {
  // The event, exactly as the caller sent it (usually JSON; may be empty).
  std::string payload;
  // Lambda-Runtime-Aws-Request-Id: the invoke's id; never empty.
  std::string request_id;
  // Lambda-Runtime-Deadline-Ms: when Lambda stops the invoke. Some emulators send a constant
  // in 1970; then RemainingTime() is negative and nothing in zerostart treats that as fatal.
  std::chrono::system_clock::time_point deadline{};
  // Lambda-Runtime-Invoked-Function-Arn (may carry a qualifier such as ":prod").
  std::string function_arn;
  // Lambda-Runtime-Trace-Id: X-Ray header "Root=...;Parent=...;Sampled=...". Also exported
  // as the _X_AMZN_TRACE_ID environment variable for the duration of the invoke, except when
  // invokes run concurrently (AWS_LAMBDA_MAX_CONCURRENCY > 1, see zerostart/runtime.h).
  std::string trace_id;
  // Lambda-Runtime-Client-Context: JSON from mobile SDKs, or empty.
  std::string client_context;
  // Lambda-Runtime-Cognito-Identity: JSON {cognitoIdentityId, cognitoIdentityPoolId}, or empty.
  std::string cognito_identity;
  // Lambda-Runtime-Aws-Tenant-Id: tenant isolation mode's tenant, or empty.
  std::string tenant_id;
  // Content-Type of the event as the caller sent it; empty when the server sent none.
  std::string content_type;
  // The function this invoke runs (zerostart/function_context.h): never null. Under Run() it
  // points to the context Run() read at start-up, valid until Run() returns, so a handler may
  // keep the pointer for as long as it runs; otherwise to FunctionContext::None().
  const FunctionContext* function = &FunctionContext::None();

  // Time left until `deadline`, measured against `now` (negative once it has passed).
  std::chrono::milliseconds RemainingTime(
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  }
};

}  // namespace zerostart

#endif  // ZEROSTART_INVOCATION_H_
