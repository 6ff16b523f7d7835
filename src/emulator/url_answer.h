// UrlAnswer: the HTTP answer to a Function URL request (/lambda-url/{name}/...), whichever way
// the function responds (AWS docs, "Invoking Lambda function URLs" and "Configuring a Lambda
// function to stream responses"):
//   - buffered (/response): Lambda's payload-format-2.0 inference (function_url_response.h),
//     sent whole with Content-Length;
//   - streamed (Lambda-Runtime-Function-Response-Mode: streaming): with the content type
//     application/vnd.awslambda.http-integration-response, the JSON prelude gives the status,
//     headers and cookies; otherwise 200 with the function's content type. The head goes out
//     as soon as it is known, then each piece the function writes as its own HTTP chunk, so
//     server-sent events reach the client one by one;
//   - a function error, timeout or crash before the head: 502 (UrlFunctionErrorResponse). After
//     the head it can no longer change the status: the body ends without its last chunk and
//     the connection closes, which HTTP clients report as a truncated response.
// Thread safety: Begin/Chunk (the Runtime API thread) and Finish (the caller's thread) are
// serialised by a mutex; once Finish ran, Chunk drops its bytes.
#ifndef ZEROSTART_SRC_EMULATOR_URL_ANSWER_H_
#define ZEROSTART_SRC_EMULATOR_URL_ANSWER_H_

#include <sys/socket.h>

#include <mutex>
#include <string>
#include <string_view>

#include "src/emulator/function_url_response.h"
#include "src/emulator/invocation.h"
#include "src/emulator/stream_sink.h"

namespace zerostart::emulator {

class UrlAnswer : public StreamSink {
 public:
  // `fd`: the client's socket (not owned). `close`: the client asked to close after this
  // answer (Connection: close). `head_request`: the request was HEAD (no body is sent).
  UrlAnswer(int fd, std::string request_id, bool close, bool head_request)
      : fd_(fd), request_id_(std::move(request_id)), close_(close), head_request_(head_request) {}

  void Begin(std::string_view content_type) override;
  bool Chunk(std::string_view bytes) override;
  void Abort() override { ::shutdown(fd_, SHUT_RDWR); }

  // Ends the answer for `result` (see the top of this file). Returns whether the connection
  // can serve another request (false: close it).
  bool Finish(const InvokeResult& result);

 private:
  // REQUIRES: mutex_ held. Sends `response`'s head for a chunked body.
  void SendStreamHead(http::Response response);
  // REQUIRES: mutex_ held. Sends `bytes` as one HTTP chunk (once the head went out).
  void SendBody(std::string_view bytes);
  // REQUIRES: mutex_ held. Ends the chunked body (once the head went out).
  void SendLastChunk();
  // REQUIRES: mutex_ held. Sends a whole response with Content-Length.
  void SendWhole(http::Response response);
  void AddCommonHeaders(http::Response* response) const;

  const int fd_;
  const std::string request_id_;
  const bool close_;
  const bool head_request_;
  std::mutex mutex_;
  bool open_ = true;           // every write so far reached the client
  bool finished_ = false;
  bool began_ = false;         // the function streams
  bool uses_prelude_ = false;  // ... with the HTTP integration content type
  bool head_sent_ = false;
  bool prelude_failed_ = false;
  UrlStreamPrelude prelude_;
  std::string body_;           // bytes after the prelude, reused
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_URL_ANSWER_H_
