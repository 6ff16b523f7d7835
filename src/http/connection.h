// Connection: blocking HTTP/1.1 over one TCP socket, with keep-alive. Reads whole messages
// (buffering any bytes of the next pipelined message) and writes whole messages.
//
// Ownership: owns the socket. Thread safety: one reader and one writer thread at most; not
// otherwise synchronised.
#ifndef ZEROSTART_SRC_HTTP_CONNECTION_H_
#define ZEROSTART_SRC_HTTP_CONNECTION_H_

#include <memory>
#include <string>
#include <string_view>

#include "src/common/unique_fd.h"
#include "src/http/message.h"
#include "src/http/parser.h"
#include "zerostart/status.h"

namespace zerostart::http {

class Connection {
 public:
  explicit Connection(UniqueFd fd, Limits limits = {});
  Connection(Connection&&) = default;
  Connection& operator=(Connection&&) = default;

  // Reads the next request. Answers "Expect: 100-continue" with "100 Continue" once the head
  // has arrived (for HTTP/1.1 requests whose body did not come with the head). Errors:
  // Unavailable when the peer closed (or reset) the connection before the first byte of a
  // request; InvalidArgument for malformed bytes or a close (or reset) mid-message;
  // ResourceExhausted over the limits. After an error the connection must be closed.
  Result<Request> ReadRequest();
  // Streaming a request body, in three steps:
  //  1. ReadRequestHead() reads up to the end of the next request's head (answering
  //     100-continue as ReadRequest does) and returns it; its body may already hold the first
  //     bytes. The pointer stays valid until the next call on this connection.
  //  2. Either ReadRequestRest() reads the rest and returns the whole request (as ReadRequest),
  //     or ReadRequestBody(&out) moves the body bytes available (reading the socket once when
  //     none are) to the end of `out`, and returns true once the body and its trailers are
  //     complete (false: more follows).
  //  3. After ReadRequestBody returned true, TakeRequest() returns the finished request (its
  //     trailers; its body holds only bytes not yet taken) and readies the next one.
  // Errors as for ReadRequest. SetRequestBodyLimit raises or lowers max_body_bytes for the
  // request whose head was read (counting bytes already taken).
  Result<const Request*> ReadRequestHead();
  Result<Request> ReadRequestRest();
  Result<bool> ReadRequestBody(std::string* out);
  Request TakeRequest();
  void SetRequestBodyLimit(uint64_t max_body_bytes) { request_parser_.SetBodyLimit(max_body_bytes); }

  // Reads the next response (1xx interim responses are skipped; 101 is returned).
  // `head_request` = the request was HEAD (no body follows). Errors as for ReadRequest.
  Result<Response> ReadResponse(bool head_request = false);
  // Streaming a response body, as for requests: ReadResponseHead() reads up to the end of the
  // next final response's head (1xx skipped), ReadResponseBody(&out) moves the body bytes
  // available to `out` (reading once when none are) and returns true once the body ended,
  // TakeResponse() then returns the finished response (trailers) and readies the next one.
  Result<const Response*> ReadResponseHead();
  Result<bool> ReadResponseBody(std::string* out);
  Response TakeResponse() { return response_parser_.TakeResponse(); }

  // Writes one message (Content-Length added as in SerializeXHead) with one writev, the body
  // not copied; the body of a 1xx/204/304 response is not sent. Unavailable when the peer is
  // gone.
  Status Write(const Request& request);
  Status Write(const Response& response);

  // Shuts down both directions (wakes a thread blocked in Read* on this connection) without
  // closing the fd; the destructor closes it.
  void Shutdown();

  int fd() const { return fd_.get(); }

 private:
  template <typename Message>
  Result<Message> ReadMessage(Parser& parser, bool answer_continue);
  // Feeds buffered bytes to `parser`, reading the socket when it has consumed them all, until
  // `enough()` holds. Answers 100-continue once per request when `answer_continue`.
  template <typename Enough>
  Status FeedUntil(Parser& parser, bool answer_continue, Enough enough);
  // ReadRequestBody / ReadResponseBody for `parser`.
  Result<bool> ReadBodyPiece(Parser& parser, bool answer_continue, std::string* out);
  // Sends the body only if the response may have one (never for 1xx/204/304).
  Status WriteHeadAndBody(std::string_view body);

  UniqueFd fd_;
  size_t read_buffer_bytes_;
  Parser request_parser_;
  Parser response_parser_;
  // Bytes read but not yet fed to a parser are buffer_[buffer_begin_, buffer_end_). Allocated
  // on first read, never zero-filled; a parser consumes all it is fed unless a message ends, so
  // the buffer never needs compacting.
  std::unique_ptr<char[]> buffer_;
  size_t buffer_begin_ = 0;
  size_t buffer_end_ = 0;
  std::string write_head_;  // reused by Write (the writer thread's only state)
  bool continue_checked_ = false;  // this request's Expect: 100-continue was looked at
};

}  // namespace zerostart::http

#endif  // ZEROSTART_SRC_HTTP_CONNECTION_H_
