// Function URL requests as Lambda hands them to the function. The emulator serves a function's
// URL under its own port as /lambda-url/{name}/{path...}; the part after the name is the path
// the function sees, as https://<url-id>.lambda-url.<region>.on.aws/{path...} would give it.
//
// The event is payload format version 2.0 as Lambda builds it for Function URLs (AWS docs,
// https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, "Request and response
// payloads"; the same fields as aws-lambda-go events/lambda_function_urls.go,
// LambdaFunctionURLRequest). Members Lambda sets to null for Function URLs (pathParameters,
// stageVariables, requestContext.authentication) are omitted, as that page allows, and so is
// requestContext.authorizer: the emulator's URLs use the NONE auth type.
//
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_FUNCTION_URL_EVENT_H_
#define ZEROSTART_SRC_EMULATOR_FUNCTION_URL_EVENT_H_

#include <chrono>
#include <string>
#include <string_view>

#include "src/common/lambda_protocol.h"
#include "src/http/message.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

// The emulator's Function URL route: /lambda-url/{name}[/{path...}][?query].
inline constexpr std::string_view kUrlRoutePrefix = lambda::kFunctionUrlPrefix;

// A request target on the Function URL route, split as Lambda sees the URL.
struct UrlTarget {
  std::string function_name;  // the {name} segment, percent-decoded
  std::string raw_path;       // "/" + {path...} exactly as sent (still percent-encoded); "/" if none
  std::string raw_query;      // after '?', exactly as sent; "" if none
};

// Splits `target` (origin-form, as in http::Request::target).
// Returns NotFound when the target is not on the route (no "/lambda-url/" prefix or an empty
// name: the caller tries its other routes), InvalidArgument when the name has a malformed
// percent-encoding ('%' not followed by two hex digits: the caller answers 400).
Result<UrlTarget> ParseUrlTarget(std::string_view target);

// What the event says about where and when the request arrived.
struct UrlEventContext {
  std::string request_id;  // requestContext.requestId (the invocation's request id)
  // requestContext.accountId: the account of the ARN the emulator gives the function.
  std::string account_id = std::string(lambda::kEmulatorAccountId);
  // requestContext.apiId and domainPrefix, and the first label of domainName
  // ("<url-id>.lambda-url.<region>.on.aws"); see UrlIdForFunction.
  std::string url_id;
  std::string region = std::string(lambda::kDefaultRegion);
  std::string source_ip = "127.0.0.1";  // requestContext.http.sourceIp: the TCP peer's address
  std::chrono::system_clock::time_point now;  // requestContext.time and timeEpoch
};

// A stable url id for a function: the ASCII letters and digits of `function_name`, lowercased,
// at most 32 of them (Lambda's ids are 32 lowercase letters and digits); "function" when the
// name has none.
std::string UrlIdForFunction(std::string_view function_name);

// True when a body of this Content-Type goes to the function as text: text/*,
// application/json, application/javascript, application/xml,
// application/x-www-form-urlencoded, and any */*+json or */*+xml. Case-insensitive; parameters
// (";charset=...") are ignored.
bool IsTextContentType(std::string_view content_type);

// requestContext.time: "dd/Mon/yyyy:HH:MM:SS +0000" in UTC, e.g. "12/Mar/2020:19:03:58 +0000".
std::string UrlEventTime(std::chrono::system_clock::time_point now);

// The event (compact JSON) for `request` arriving on `target`:
//   version "2.0"; routeKey, requestContext.routeKey and stage "$default";
//   rawPath = requestContext.http.path = target.raw_path (Lambda gives the same raw path in
//     both; the documented example shows "/my/path" in each);
//   rawQueryString = target.raw_query ("" when none);
//   headers: every header but Cookie, names lowercased, repeated headers joined with ","
//     (always present, possibly {});
//   cookies: the Cookie headers split at ';' (surrounding spaces removed, empty pieces
//     dropped); omitted when there are none;
//   queryStringParameters: raw_query split at '&', each "key=value" (or "key") form-decoded:
//     '+' is a space, %XX a byte; repeated keys joined with ","; omitted when the query is
//     empty;
//   requestContext.http: method, path, protocol "HTTP/1.1", sourceIp, userAgent (the
//     User-Agent header, "" when absent); time and timeEpoch (ms) from context.now;
//   body: omitted when the request has none; sent as is with isBase64Encoded false when its
//     Content-Type is text (IsTextContentType) and it is valid UTF-8; base64 with
//     isBase64Encoded true otherwise (no Content-Type counts as binary).
// Header values, cookies, the path and decoded query parameters that are not valid UTF-8 are
// passed on with each bad byte replaced by U+FFFD (JSON strings cannot carry them).
// Errors: InvalidArgument for a malformed percent-encoding in the query string (the caller
// answers 400); ResourceExhausted when the event exceeds lambda::kMaxPayloadBytes (413).
Result<std::string> BuildUrlEvent(const http::Request& request, const UrlTarget& target,
                                  const UrlEventContext& context);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_FUNCTION_URL_EVENT_H_
