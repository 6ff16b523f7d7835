// Lambda Function URL events for the k-means function: a Function URL (and an API Gateway HTTP
// API) wraps the HTTP request in an event of payload format 2.0,
//   {"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"POST",...},...},
//    "body":"...","isBase64Encoded":false,...}
// (docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html), so the k-means request is the
// event's `body`. The function's JSON answer needs no wrapping: for a response without
// "statusCode" Lambda answers 200 with content-type application/json and the response as body.
// Errors do need one, or the URL would answer 502: FunctionUrlErrorResponse builds it.
//
// Thread safety: pure functions.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_FUNCTION_URL_H_
#define ZEROSTART_FUNCTIONS_KMEANS_FUNCTION_URL_H_

#include <optional>
#include <string>
#include <string_view>

#include "zerostart/status.h"

namespace zerostart::functions {

// nullopt when `payload` is not a payload-format-2.0 HTTP event (it is then the request
// itself); otherwise the event's body, base64-decoded when isBase64Encoded (an absent or null
// body is ""). InvalidArgument when the body is not valid base64.
std::optional<Result<std::string>> FunctionUrlBody(std::string_view payload);

// {"statusCode":status,"headers":{"content-type":"application/json"},
//  "body":"{\"errorType\":...,\"errorMessage\":...}"}: what a Function URL turns into an HTTP
// response with that status.
std::string FunctionUrlErrorResponse(int status, std::string_view error_type,
                                     std::string_view error_message);

}  // namespace zerostart::functions

#endif  // ZEROSTART_FUNCTIONS_KMEANS_FUNCTION_URL_H_
