// A function's answer turned into the HTTP response of its Function URL, buffered or streamed.
//
// Buffered (the function posts one payload): Lambda infers the response from payload format
// 2.0 (AWS docs, https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, "Response
// payload format"; aws-lambda-go events/lambda_function_urls.go, LambdaFunctionURLResponse).
//
// Streamed (the function streams its answer): with the content type kUrlStreamContentType the
// stream opens with a prelude, a JSON object {"statusCode":..,"headers":{..},"cookies":[..]},
// then 8 NUL bytes, then the body (AWS docs,
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html;
// aws-lambda-go events/lambda_function_urls.go, LambdaFunctionURLStreamingResponse, writes
// exactly that). Any other content type is the body's own.
//
// Framing is the emulator's: Content-Length, Transfer-Encoding and Connection headers a
// function names are dropped (the emulator's HTTP layer writes its own).
//
// Thread safety: pure functions; a UrlStreamPrelude is used by one thread at a time.
#ifndef ZEROSTART_SRC_EMULATOR_FUNCTION_URL_RESPONSE_H_
#define ZEROSTART_SRC_EMULATOR_FUNCTION_URL_RESPONSE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "src/common/lambda_protocol.h"
#include "src/http/message.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

// The streaming content type that announces a prelude (the value aws-lambda-go's
// LambdaFunctionURLStreamingResponse.ContentType returns).
inline constexpr std::string_view kUrlStreamContentType = lambda::kHttpIntegrationResponseContentType;
// The prelude's end: 8 NUL bytes.
inline constexpr std::string_view kUrlStreamDelimiter{"\0\0\0\0\0\0\0\0", 8};
// The prelude and its delimiter must lie within the first 16 KiB of the stream (API Gateway
// requires "the metadata ... within the first 16KB", AWS docs,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html).
inline constexpr size_t kUrlStreamPreludeLimit = 16 * 1024;
// The Content-Type of a streamed body whose function names none (RFC 2046 §4.5.1: bytes of
// unknown type).
inline constexpr std::string_view kUrlStreamDefaultContentType = lambda::kStreamingDefaultContentType;

// The response for a function's buffered payload; `function_content_type` is the Content-Type
// the runtime posted with it ("" when none). As "Response payload format" describes:
//   - a JSON object with a statusCode member is the structured response: statusCode (an integer
//     in 100..599), headers (object: string values; numbers and booleans are written as their
//     JSON text; null members skipped), cookies (array of strings: one Set-Cookie header each),
//     body (string; absent or null = empty), isBase64Encoded (bool; true: body is base64 and
//     is decoded). No Content-Type is added when headers name none.
//   - any other valid JSON (object without statusCode, string, number, array, ...): status 200,
//     Content-Type application/json, the body is the payload exactly as the function returned
//     it (a string "Hello" arrives as "\"Hello\"", quotes included, as in the doc's example).
//   - a payload that is not JSON (the doc does not cover it; the emulator's choice): status
//     200, the payload as body, Content-Type `function_content_type` (application/json when
//     empty).
// Errors: a structured response of the wrong shape (statusCode not an integer in range, a
// member of the wrong type, a body that is not base64 when isBase64Encoded) → InvalidArgument
// naming the problem.
Result<http::Response> ParseUrlResult(std::string_view payload, std::string_view function_content_type);

// ParseUrlResult, with a wrong shape answered by UrlFunctionErrorResponse().
http::Response UrlResponseFromResult(std::string_view payload, std::string_view function_content_type);

// The answer when the function failed (an error posted to the Runtime API, a crash, a timeout)
// or returned a response it cannot use: 502 Bad Gateway, Content-Type text/plain, body
// "Internal Server Error". The status is the one API Gateway gives both cases ("If the function
// runs but returns an error, or returns a response in the wrong format, API Gateway returns a
// 502", AWS docs https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html);
// the emulator's body is plain text rather than API Gateway's JSON. The function's error is
// never shown to the client.
http::Response UrlFunctionErrorResponse();

// The head of a streamed response whose content type is not kUrlStreamContentType: 200 with
// Content-Type `content_type` (kUrlStreamDefaultContentType when empty); the stream is the body.
http::Response UrlStreamHeadForContentType(std::string_view content_type);

// Reads the prelude of a kUrlStreamContentType stream, fed in pieces of any size.
//
//   UrlStreamPrelude prelude;
//   for each piece of the function's stream:
//     std::string body;
//     Status s = prelude.Feed(piece, &body);
//     if (!s.ok()) → answer UrlFunctionErrorResponse() (nothing has been sent yet)
//     if (prelude.complete()) → send prelude.head() once, then `body` as it comes
//   at the end of the stream: if (!prelude.FinishAtEnd().ok()) → UrlFunctionErrorResponse()
//
// The head: statusCode (default 200), headers and cookies as in the buffered structured
// response, Content-Type kUrlStreamDefaultContentType when the prelude names none; other
// prelude members are ignored.
class UrlStreamPrelude {
 public:
  UrlStreamPrelude() = default;
  UrlStreamPrelude(const UrlStreamPrelude&) = delete;
  UrlStreamPrelude& operator=(const UrlStreamPrelude&) = delete;

  // Consumes `bytes`. Until the delimiter has been seen they are kept; once it has, the bytes
  // after it, and all bytes of later calls, are appended to *body_out.
  // Errors (each final: later calls return it again): ResourceExhausted when the first
  // kUrlStreamPreludeLimit bytes hold no complete prelude and delimiter; InvalidArgument when
  // the prelude is not a JSON object of the right shape.
  // REQUIRES: body_out != nullptr.
  Status Feed(std::string_view bytes, std::string* body_out);

  // The stream has ended: OK when the prelude was complete, else the Feed error or
  // InvalidArgument (the stream ended before the delimiter; the emulator answers 502).
  Status FinishAtEnd() const;

  bool complete() const { return complete_; }
  // REQUIRES: complete().
  const http::Response& head() const { return head_; }

 private:
  std::string buffer_;  // the prelude so far (at most kUrlStreamPreludeLimit bytes)
  http::Response head_;
  bool complete_ = false;
  Status error_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_FUNCTION_URL_RESPONSE_H_
