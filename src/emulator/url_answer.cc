#include "src/emulator/url_answer.h"

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/http/chunked.h"
#include "src/http/message.h"

namespace zerostart::emulator {
void UrlAnswer::AddCommonHeaders(http::Response* response) const {
  response->headers.Set(std::string(lambda::kRequestIdResponseHeader), request_id_);
  if (close_) response->headers.Set("Connection", "close");
}

void UrlAnswer::SendStreamHead(http::Response response) {
  AddCommonHeaders(&response);
  response.headers.Remove("Content-Length");
  response.headers.Remove("Transfer-Encoding");
  if (!head_request_) response.headers.Add("Transfer-Encoding", "chunked");
  head_sent_ = true;
  open_ = open_ && net::WriteAll(fd_, http::SerializeResponseHead(response)).ok();
}

void UrlAnswer::SendBody(std::string_view bytes) {
  if (!open_ || head_request_) return;
  open_ = http::WriteChunk(fd_, std::span<const std::string_view>(&bytes, 1)).ok();
}

void UrlAnswer::SendLastChunk() {
  if (open_ && !head_request_) open_ = http::WriteLastChunk(fd_).ok();
}

void UrlAnswer::SendWhole(http::Response response) {
  AddCommonHeaders(&response);
  response.headers.Remove("Transfer-Encoding");
  response.headers.Set("Content-Length", std::to_string(response.body.size()));
  head_sent_ = true;
  std::string head = http::SerializeResponseHead(response);
  std::string_view body = head_request_ ? std::string_view() : std::string_view(response.body);
  open_ = open_ && net::WriteAll2(fd_, head, body).ok();
}

void UrlAnswer::Begin(std::string_view content_type) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  began_ = true;
  uses_prelude_ = http::EqualsIgnoreCase(content_type, kUrlStreamContentType);
  if (!uses_prelude_) SendStreamHead(UrlStreamHeadForContentType(content_type));
}

bool UrlAnswer::Chunk(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_ || !open_) return false;
  if (!uses_prelude_) {
    SendBody(bytes);
    return open_;
  }
  if (prelude_failed_) return true;  // Finish answers 502; the rest is not the client's
  body_.clear();
  const bool had_head = prelude_.complete();
  if (!prelude_.Feed(bytes, &body_).ok()) {
    prelude_failed_ = true;
    return true;
  }
  if (!had_head && prelude_.complete()) SendStreamHead(prelude_.head());
  if (prelude_.complete()) SendBody(body_);
  return open_;
}

bool UrlAnswer::Finish(const InvokeResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return open_ && !close_;
  finished_ = true;
  const bool failed = result.function_error || result.http_status >= 400;
  if (!head_sent_) {
    if (failed || prelude_failed_ || (uses_prelude_ && !prelude_.FinishAtEnd().ok())) {
      SendWhole(UrlFunctionErrorResponse());
    } else if (began_ || result.streamed) {
      // A prelude and nothing after it: the head, then an empty body.
      http::Response head = uses_prelude_ ? prelude_.head() : UrlStreamHeadForContentType(result.content_type);
      SendStreamHead(std::move(head));
      SendLastChunk();
    } else {
      SendWhole(UrlResponseFromResult(result.body, result.content_type));
    }
    return open_ && !close_;
  }
  if (failed) return false;  // after the head: end without the last chunk (see the header)
  SendLastChunk();
  return open_ && !close_;
}

}  // namespace zerostart::emulator
