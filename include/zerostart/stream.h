// File: zerostart/stream.h
//
// Response streaming: a handler that sends its response while it produces it, instead of
// returning it whole. The caller (InvokeWithResponseStream, or a Function URL in
// RESPONSE_STREAM mode) receives each piece as soon as it is written.
//
//   #include <zerostart/stream.h>
//
//   void Handle(const zerostart::Invocation& inv, zerostart::ResponseStream& out) {
//     out.SetContentType("text/plain");
//     for (int i = 0; i < 3; ++i) {
//       if (!out.Write("tick\n").ok()) return;  // Lambda is gone: stop
//     }
//   }  // returning ends the response
//   int main() { return zerostart::RunStreaming(Handle); }
//
// On the Runtime API the response is one POST .../invocation/{id}/response carrying
// "Lambda-Runtime-Function-Response-Mode: streaming" and "Transfer-Encoding: chunked"; each
// Write is one HTTP chunk, sent before Write returns. The request starts with the first byte
// written, so until then the handler may still change the content type or fail the invoke as a
// buffered handler would.
//
// Errors:
//   * before the first byte (Fail, or a thrown exception): the invoke's error, exactly as for
//     a buffered handler (POST .../error; the caller sees an ordinary function error);
//   * after it: the bytes already sent stay with the caller, and the error ends the response
//     as the trailers "Lambda-Runtime-Function-Error-Type" and
//     "Lambda-Runtime-Function-Error-Body" (the base64 of {errorMessage, errorType,
//     stackTrace}) on the last chunk; Lambda reports it to the caller after the bytes.
// Exceptions thrown by the handler are caught at the same boundary as Run()'s (see runtime.h
// for errorType and errorMessage) and end the response as above; the loop goes on serving.
//
// go1.x (when _LAMBDA_SERVER_PORT is set) cannot stream: the writes of an invoke are collected
// and sent whole, as one InvokeResponse payload, when the handler returns (the content type is
// dropped: go1.x replies have none). An error after writes is sent as the invoke's error and
// the collected bytes are dropped.
//
// Thread safety: a ResponseStream belongs to one invoke. It is not synchronised: call it from
// one thread at a time (the handler's, or one the handler waits for), and never after the
// handler has returned.
#ifndef ZEROSTART_STREAM_H_
#define ZEROSTART_STREAM_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "zerostart/invocation.h"
#include "zerostart/response.h"
#include "zerostart/runtime.h"
#include "zerostart/status.h"

namespace zerostart {

// What a streaming handler writes its response to. Implemented by the runtime; tests may
// implement it to call a handler directly.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;

  // Sets the response's Content-Type (default "application/octet-stream"). OK before the
  // first byte is written; FailedPrecondition once started() or after the response ended.
  virtual Status SetContentType(std::string content_type) = 0;

  // Sends `bytes` to Lambda as one piece of the response, before returning (nothing is held
  // back beyond one system call). An empty write sends nothing and returns OK.
  // Errors: FailedPrecondition after Finish or Fail; Unavailable when the response can no
  // longer be delivered (the connection to Lambda broke: the invoke is lost, and every later
  // Write returns Unavailable too). The handler should then stop and return.
  virtual Status Write(std::string_view bytes) = 0;

  // Ends the response successfully (an empty response when nothing was written). Done
  // automatically when the handler returns. Returns Lambda's verdict: OK when accepted;
  // ResourceExhausted when refused as too large, FailedPrecondition when refused otherwise;
  // Unavailable when it could not be delivered. FailedPrecondition also when the response had
  // already ended (a second Finish, or after Fail).
  virtual Status Finish() = 0;

  // Ends the invoke as a function error (an empty type is sent as "Unhandled"): sent as the
  // invoke's error when nothing was written yet, as trailers otherwise (see the file comment).
  // Has no effect once the response has ended (Finish, Fail, or a broken connection).
  virtual void Fail(FunctionError error) = 0;

  // True once a Write of at least one byte was made (even one that failed): the content type
  // is then fixed, and Fail sends trailers.
  virtual bool started() const = 0;
  // Bytes accepted by Write so far.
  virtual uint64_t bytes_written() const = 0;
};

using StreamingHandler = std::function<void(const Invocation&, ResponseStream&)>;

// Serves invokes with a streaming handler until the Lambda side goes away. The same contract
// as Run() (runtime.h): the environment is read once, the protocol chosen the same way,
// options.init runs first, the exit codes are the same, and with AWS_LAMBDA_MAX_CONCURRENCY
// = M > 1 the handler streams up to M responses at once, from M threads (it must be
// thread-safe; each ResponseStream still belongs to one invoke and one thread). The response ends when the
// handler returns (Finish, unless it already ended); a thrown exception ends it as Fail would.
// Never throws.
int RunStreaming(const StreamingHandler& handler, const RunOptions& options = {});

// The status line and headers of an HTTP response streamed through a Function URL.
struct HttpResponseHead {
  int status_code = 200;
  // One entry per header name (join repeated values with ", "); sent in this order.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set-Cookie values, one per cookie.
  std::vector<std::string> cookies;
};

// Starts an HTTP response for a Function URL: sets the content type
// "application/vnd.awslambda.http-integration-response" and writes the prelude
// {"statusCode":..,"headers":{..},"cookies":[..]} followed by 8 NUL bytes; what is written
// next is the HTTP body. Errors: FailedPrecondition when the stream has already started (the
// prelude must be the first bytes) or ended; InvalidArgument for a status code outside
// 100..599 (nothing is written then); otherwise as Write.
Status StartHttpResponse(ResponseStream& stream, const HttpResponseHead& head);

}  // namespace zerostart

#endif  // ZEROSTART_STREAM_H_
