#include "src/http/connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <type_traits>

#include "src/common/net.h"

namespace zerostart::http {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool WantsContinue(const Parser& parser) {
  if (parser.version_minor() < 1) return false;  // RFC 9110 §10.1.1: ignore it from HTTP/1.0
  std::optional<std::string_view> expect = parser.request().headers.Get("Expect");
  return expect && EqualsIgnoreCase(*expect, "100-continue");
}

}  // namespace

Connection::Connection(UniqueFd fd, Limits limits)
    : fd_(std::move(fd)),
      read_buffer_bytes_(std::max<size_t>(limits.read_buffer_bytes, 1)),
      request_parser_(Parser::Kind::kRequest, limits),
      response_parser_(Parser::Kind::kResponse, limits) {}

template <typename Enough>
Status Connection::FeedUntil(Parser& parser, bool answer_continue, Enough enough) {
  for (;;) {
    if (buffer_begin_ < buffer_end_) {
      Result<size_t> used =
          parser.Feed(std::string_view(buffer_.get() + buffer_begin_, buffer_end_ - buffer_begin_));
      if (!used.ok()) return used.status();
      buffer_begin_ += *used;
    }
    if (answer_continue && !continue_checked_ && parser.head_complete()) {
      // The client waits for this before sending the body (curl: up to 1 s).
      continue_checked_ = true;
      if (!parser.done() && WantsContinue(parser)) {
        ZS_RETURN_IF_ERROR(net::WriteAll(fd_.get(), kContinue));
      }
    }
    if (parser.done() || enough()) return OkStatus();
    // Everything buffered was consumed (a parser stops early only at the end of a message).
    if (buffer_ == nullptr) buffer_ = std::make_unique_for_overwrite<char[]>(read_buffer_bytes_);
    buffer_begin_ = buffer_end_ = 0;
    Result<size_t> got = net::ReadSome(fd_.get(), buffer_.get(), read_buffer_bytes_);
    if (!got.ok()) {
      if (!parser.started()) return got.status();  // Unavailable: reset between messages
      return InvalidArgumentError("connection failed in the middle of a message: " +
                                  got.status().message());
    }
    if (*got == 0) {
      ZS_RETURN_IF_ERROR(parser.FinishAtEof());
      continue;  // a close-delimited body ended: parser.done() now
    }
    buffer_end_ = *got;
  }
}

template <typename Message>
Result<Message> Connection::ReadMessage(Parser& parser, bool answer_continue) {
  ZS_RETURN_IF_ERROR(FeedUntil(parser, answer_continue, [] { return false; }));
  if constexpr (std::is_same_v<Message, Request>) {
    return TakeRequest();
  } else {
    return parser.TakeResponse();
  }
}

Result<Request> Connection::ReadRequest() {
  return ReadMessage<Request>(request_parser_, /*answer_continue=*/true);
}

Result<const Request*> Connection::ReadRequestHead() {
  ZS_RETURN_IF_ERROR(FeedUntil(request_parser_, /*answer_continue=*/true,
                               [this] { return request_parser_.head_complete(); }));
  return &request_parser_.request();
}

Result<Request> Connection::ReadRequestRest() {
  return ReadMessage<Request>(request_parser_, /*answer_continue=*/true);
}

Result<bool> Connection::ReadBodyPiece(Parser& parser, bool answer_continue, std::string* out) {
  size_t before = out->size();
  ZS_RETURN_IF_ERROR(FeedUntil(parser, answer_continue, [&] {
    parser.TakeBodyBytes(out);
    return out->size() > before;
  }));
  parser.TakeBodyBytes(out);
  return parser.done();
}

Result<bool> Connection::ReadRequestBody(std::string* out) {
  return ReadBodyPiece(request_parser_, /*answer_continue=*/true, out);
}

Request Connection::TakeRequest() {
  continue_checked_ = false;
  return request_parser_.TakeRequest();
}

Result<Response> Connection::ReadResponse(bool head_request) {
  for (;;) {
    if (head_request) response_parser_.ExpectNoBody();
    ZS_ASSIGN_OR_RETURN(Response response,
                        ReadMessage<Response>(response_parser_, /*answer_continue=*/false));
    if (response.status >= 200 || response.status == 101) return response;
    // An interim response (100 Continue, 103 Early Hints): the final one follows.
  }
}

Result<const Response*> Connection::ReadResponseHead() {
  for (;;) {
    ZS_RETURN_IF_ERROR(FeedUntil(response_parser_, /*answer_continue=*/false,
                                 [this] { return response_parser_.head_complete(); }));
    const Response& head = response_parser_.response();
    if (head.status >= 200 || head.status == 101) return &head;
    // An interim response has no body, so it is already complete: the final one follows.
    (void)response_parser_.TakeResponse();
  }
}

Result<bool> Connection::ReadResponseBody(std::string* out) {
  return ReadBodyPiece(response_parser_, /*answer_continue=*/false, out);
}

Status Connection::Write(const Request& request) {
  write_head_.clear();
  AppendRequestHead(request, &write_head_);
  return WriteHeadAndBody(request.body);
}

Status Connection::Write(const Response& response) {
  write_head_.clear();
  AppendResponseHead(response, &write_head_);
  bool send_body = StatusAllowsBody(SendableStatus(response.status));
  return WriteHeadAndBody(send_body ? std::string_view(response.body) : std::string_view());
}

Status Connection::WriteHeadAndBody(std::string_view body) {
  return net::WriteAll2(fd_.get(), write_head_, body);
}

void Connection::Shutdown() {
  // Best effort: on an fd that is already shut down or closed there is nothing left to wake.
  (void)::shutdown(fd_.get(), SHUT_RDWR);
}

}  // namespace zerostart::http
