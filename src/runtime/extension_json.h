// The JSON of the Extensions API as the extension client reads it (extension_client.cc):
// events from /event/next, the register answer, and Lambda's error bodies
// {"errorMessage":"...","errorType":"Extension.…"} (AWS docs "Lambda Extensions API"; RIE
// internal/lambda/rapi/model/agentevent.go, agentregisterresponse.go).
// Parsed with nlohmann::json, which only the extension client links: function binaries never
// parse these (the shutdown hook reads headers only, extension_api.h).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_RUNTIME_EXTENSION_JSON_H_
#define ZEROSTART_SRC_RUNTIME_EXTENSION_JSON_H_

#include <string>
#include <string_view>

#include "src/http/message.h"
#include "zerostart/extension.h"
#include "zerostart/status.h"

namespace zerostart::runtime {

// The event in `json` (raw_json keeps it). Required: a JSON object with "eventType" ("INVOKE" or
// "SHUTDOWN") and an integer "deadlineMs"; for INVOKE a non-empty string "requestId". Optional:
// "invokedFunctionArn", "tracing" (an object with a string "value"), "shutdownReason"; absent
// or null, they leave their field empty. Other keys are ignored. Errors: InvalidArgument naming
// what is wrong ("extension event: ...").
Result<ExtensionEvent> ParseExtensionEvent(std::string_view json);

// The register answer: `identifier` and the body {"functionName","functionVersion","handler"}
// (each optional; strings when present). Errors: InvalidArgument when the body is not a JSON
// object or a field is not a string.
Result<ExtensionRegistration> ParseExtensionRegistration(std::string identifier,
                                                         std::string_view body);

// The FailedPrecondition error for a non-2xx answer to `what` ("POST extension/register"):
// "<what>: HTTP 403 Forbidden: <errorType>: <errorMessage>" when the body is Lambda's error
// JSON, else with the start of the body as DescribeHttpError quotes it.
Status ExtensionApiError(std::string_view what, const http::Response& response);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_EXTENSION_JSON_H_
