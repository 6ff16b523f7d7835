// The Invoke API request, checked and converted as Lambda's front end does before anything
// reaches the function: route (POST /2015-03-31/functions/{name}/invocations), function name,
// X-Amz-Invocation-Type, payload size and JSON validity, client context, trace id.
// See src/emulator/README.md for the choices where Lambda's behaviour is not documented.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_INVOKE_REQUEST_H_
#define ZEROSTART_SRC_EMULATOR_INVOKE_REQUEST_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "src/emulator/invocation.h"
#include "src/http/message.h"

namespace zerostart::emulator {

enum class InvocationType { kRequestResponse, kEvent, kDryRun };

struct ParsedInvoke {
  InvocationType type = InvocationType::kRequestResponse;
  InvokeRequest request;
};

// The {name} segment of an invoke target, percent-decoded (query string ignored), or nullopt
// when the path is not an invoke path.
std::optional<std::string> InvokeTargetFunction(std::string_view target);
// The same for InvokeWithResponseStream
// (POST /2021-11-15/functions/{name}/response-streaming-invocations).
std::optional<std::string> StreamInvokeTargetFunction(std::string_view target);

// True when `requested` names this function: "function" (RIE's fixed name), `name`, or an ARN /
// partial ARN ending in ":function:<name>" or "<name>:<qualifier>" ($LATEST or any qualifier).
bool NamesFunction(std::string_view requested, std::string_view name);

// Checks a request already routed to the invoke endpoint. Returns the invoke, or the error
// answer (400 InvalidParameterValueException / InvalidRequestContentException, 413
// RequestTooLargeException). Consumes request.body. An empty payload becomes "{}".
// X-Amz-Log-Type: None or Tail (else 400 InvalidParameterValueException).
std::variant<ParsedInvoke, InvokeResult> ParseInvoke(http::Request& request,
                                                     std::chrono::system_clock::time_point now);

// A service error answer: `status`, X-Amzn-ErrorType `exception`, {"Type":"User","message":..}.
InvokeResult ServiceError(int status, std::string_view exception, std::string_view message);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_INVOKE_REQUEST_H_
