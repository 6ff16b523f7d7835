// The error bodies Lambda itself writes: to the caller of Invoke (function errors it detects,
// service errors) and to the runtime (Runtime API errors). One place, one wire shape each.
// All JSON is compact, with invalid UTF-8 replaced (U+FFFD), so any input gives valid JSON.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_ERRORS_H_
#define ZEROSTART_SRC_EMULATOR_ERRORS_H_

#include <string>
#include <string_view>

namespace zerostart::emulator {

// --- Function errors: the Invoke answer body, sent with X-Amz-Function-Error: Unhandled ---

// {"errorType":type,"errorMessage":message}.
std::string FunctionErrorJson(std::string_view type, std::string_view message);

// Sandbox.Timedout: "RequestId: <id> Error: Task timed out after <seconds, 2 decimals> seconds".
std::string TimeoutErrorJson(std::string_view request_id, double timeout_seconds);

// Sandbox.Timedout for an init phase that did not finish: "... Init timed out after ...".
std::string InitTimeoutErrorJson(std::string_view request_id, double timeout_seconds);

// Runtime.ExitError: "RequestId: <id> Error: Runtime exited with error: <description>", or
// "... Runtime exited without providing a reason" when the process exited with status 0.
std::string ExitErrorJson(std::string_view request_id, int wait_status);

// Runtime.OutOfMemory for a process the memory limit killed: "RequestId: <id> Error: Runtime
// exited with error: signal: killed" (ExitErrorJson's message with Lambda's OOM error type).
std::string OutOfMemoryErrorJson(std::string_view request_id, int wait_status);

// Function.ResponseSizeTooLarge, naming lambda::kMaxPayloadBytes.
std::string ResponseTooLargeJson();
// Function.ResponseSizeTooLarge for a streamed response, naming lambda::kMaxStreamedResponseBytes.
std::string StreamTooLargeJson();
// Runtime.InvalidResponseModeHeader for a Lambda-Runtime-Function-Response-Mode of `mode`.
std::string InvalidResponseModeJson(std::string_view mode);
// The error a streamed response ended with, from its trailers: `type_trailer`
// (Lambda-Runtime-Function-Error-Type) and `body_trailer` (Lambda-Runtime-Function-Error-Body,
// base64 of the error JSON). "" when both are absent or empty (the stream succeeded). A body
// that is not base64, or not JSON once decoded, becomes the errorMessage of an error of
// `type_trailer` (Runtime.Unknown when empty), saying what was wrong with it.
std::string StreamErrorJson(std::string_view type_trailer, std::string_view body_trailer);

// What the caller receives for a body the runtime posted to /error or /init/error: the body
// unchanged when it is valid JSON, else {"errorType": type_header (or Runtime.Unknown),
// "errorMessage": body}.
std::string NormalizeErrorBody(std::string_view body, std::string_view type_header);

// The errorType field of an error body, or "" when there is none (for REPORT lines).
std::string ErrorTypeOf(std::string_view body);
// The errorMessage field of an error body, or "" when there is none.
std::string ErrorMessageOf(std::string_view body);

// How Go's os/exec (and so Lambda) describes a process end: "exit status 3",
// "signal: segmentation fault", "signal: aborted (core dumped)". `wait_status` as from waitpid.
std::string ExitDescription(int wait_status);

// --- Invoke API (service) errors: an HTTP 4xx/5xx with X-Amzn-ErrorType: <exception> ---

// {"Type":type,"message":message}; type is "User" (caller's fault) or "Service".
std::string ServiceErrorJson(std::string_view message, std::string_view type = "User");

// The body of a throttled invoke (429 TooManyRequestsException), as Lambda sends it:
// {"Reason":reason,"Type":"User","message":"Rate Exceeded."}.
std::string ThrottleErrorJson(std::string_view reason);

// --- Runtime API errors, to the runtime (RIE's shape) ---

// {"errorMessage":message,"errorType":type}.
std::string RuntimeApiErrorJson(std::string_view type, std::string_view message);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_ERRORS_H_
