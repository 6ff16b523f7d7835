// File: zerostart/http_event.h
//
// HTTP events of payload format 2.0: a Lambda Function URL, like an API Gateway HTTP API,
// invokes the function with the HTTP request wrapped in an event
//   {"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"POST",...},...},
//    "body":"...","isBase64Encoded":false,...}
// and turns the function's answer back into an HTTP response: an object with "statusCode" is
// the response ({statusCode, headers, cookies, body, isBase64Encoded}); any other JSON answer
// is sent as the body with status 200 and content-type application/json. Sources:
//   AWS Lambda, "Invoking Lambda function URLs", request and response payloads:
//     https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
//   API Gateway, "Create AWS Lambda proxy integrations for HTTP APIs", payload format 2.0:
//     https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
//
// Optional: a function that uses this header links zerostart::http_event besides
// zerostart::runtime (zerostart_http_event in zerostart's own tree).
//
//   zerostart::Response Handle(const zerostart::Invocation& inv) {
//     auto body = zerostart::FunctionUrlBody(inv.payload);
//     if (body && !body->ok()) {
//       return zerostart::Response::Success(zerostart::FunctionUrlErrorResponse(
//           400, "InvalidRequest", body->status().message()));
//     }
//     zerostart::HttpResponse response;
//     response.headers = {{"content-type", "text/plain"}};
//     response.body = body ? **body : inv.payload;
//     return zerostart::Response::Success(zerostart::FunctionUrlResponse(response));
//   }
//
// A response streamed through a Function URL starts with StartHttpResponse (zerostart/stream.h)
// instead.
//
// Thread safety: pure functions; HttpResponse is a value type.
#ifndef ZEROSTART_HTTP_EVENT_H_
#define ZEROSTART_HTTP_EVENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "zerostart/status.h"

namespace zerostart {

// The request carried by `payload` when it is an HTTP event.
// nullopt when `payload` is not a payload-format-2.0 HTTP event (a JSON object with "version"
// "2.0" and a "requestContext" object holding "http"): it is then the request itself, sent by
// the Invoke API or another trigger. Otherwise the event's body: as sent when isBase64Encoded
// is false or absent, base64-decoded when it is true; "" when the body is absent or null (a GET
// has none). InvalidArgument when isBase64Encoded is true and the body is not valid base64.
// A payload that does not contain "requestContext" is rejected without being parsed, so a
// large plain request costs one search.
std::optional<Result<std::string>> FunctionUrlBody(std::string_view payload);

// An HTTP response in payload format 2.0, for FunctionUrlResponse.
struct HttpResponse {
  // REQUIRES: in 100..599.
  int status_code = 200;
  // One entry per header name (join repeated values with ", "); sent in this order.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set-Cookie values, one per cookie.
  std::vector<std::string> cookies;
  // The HTTP body. Unless `binary`, text: a byte sequence that is not valid UTF-8 is sent with
  // each of its bytes replaced by U+FFFD.
  std::string body;
  // Sends `body` base64-encoded with "isBase64Encoded":true, so any bytes arrive unchanged.
  bool binary = false;
};

// The JSON response object for `response`:
//   {"statusCode":200,"headers":{"name":"value",...},"cookies":["...",...],"body":"...",
//    "isBase64Encoded":true}
// "headers" and "cookies" only when not empty, "isBase64Encoded" only when `binary`. Return it
// as the function's payload (Response::Success); the URL answers with that status, those
// headers and that body.
std::string FunctionUrlResponse(const HttpResponse& response);

// A JSON error as an HTTP response: FunctionUrlResponse of
//   {status, {{"content-type","application/json"}}, body {"errorType":..,"errorMessage":..}}.
// A function behind a URL returns this (as Response::Success) rather than a function error,
// which the URL would answer with a bare 502. REQUIRES: `status` in 100..599.
std::string FunctionUrlErrorResponse(int status, std::string_view error_type,
                                     std::string_view error_message);

}  // namespace zerostart

#endif  // ZEROSTART_HTTP_EVENT_H_
