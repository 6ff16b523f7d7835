// The one place where user code's failures are caught: every way a handler (or the init
// function) can fail becomes a value here, so no exception ever crosses the runtime's loop.
//
// Stack traces: a C++ exception carries no trace, and capturing one at throw time would mean
// hooking __cxa_throw (costly for every throw, fragile in static binaries), so
// FunctionError::stack_trace is empty for exceptions. Handlers that want a trace can return
// Response::Failure(FunctionError{type, message, frames}).
// Thread safety: all functions are safe to call concurrently (they only call the callee).
#ifndef ZEROSTART_SRC_RUNTIME_HANDLER_BOUNDARY_H_
#define ZEROSTART_SRC_RUNTIME_HANDLER_BOUNDARY_H_

#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

#include "zerostart/invocation.h"
#include "zerostart/runtime.h"
#include "zerostart/stream.h"

namespace zerostart::runtime {

// errorType used when something that is not a std::exception was thrown (e.g. `throw 42`).
inline constexpr std::string_view kUnknownExceptionType = "UnknownException";

// The readable name of a type ("std::runtime_error" for typeid(std::runtime_error)), or the
// mangled name when it cannot be demangled.
std::string DemangledTypeName(const std::type_info& type);

// Calls handler(invocation). A thrown std::exception becomes Failure{demangled dynamic type,
// what()}; anything else thrown becomes Failure{"UnknownException", "<type> thrown"}; a
// returned Failure with an empty type gets "Unhandled". Never throws.
Response CallHandler(const Handler& handler, const Invocation& invocation) noexcept;

// Calls handler(invocation, stream). True when it returned; false when it threw, with *error
// filled as CallHandler would fill the Failure. Never throws.
bool CallStreamingHandler(const StreamingHandler& handler, const Invocation& invocation,
                          ResponseStream& stream, FunctionError* error) noexcept;

// Calls init() if set. OK when unset or init succeeded; otherwise fills *error (errorType
// "Runtime.InitError" for a returned Status, as CallHandler for a thrown exception) and
// returns false. Never throws.
bool CallInit(const InitFunction& init, FunctionError* error) noexcept;

// Calls hook() if set (RunOptions::on_shutdown). True when it returned (or is unset); false
// when it threw, with *error filled as CallHandler would fill the Failure. Never throws.
bool CallShutdownHook(const ShutdownFunction& hook, FunctionError* error) noexcept;

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_HANDLER_BOUNDARY_H_
