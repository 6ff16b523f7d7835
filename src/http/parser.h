// Incremental HTTP/1.1 message parser (requests or responses), shared by both sides of the
// wire. Bytes may arrive in any split (one at a time works); Content-Length and chunked bodies
// (with trailers, which are parsed and dropped) are decoded; responses with neither end at EOF.
//
// Malformed input is an InvalidArgument error, input over the limits a ResourceExhausted error;
// after an error the parser stays failed (Reset() to reuse). Never crashes on any bytes (fuzzed).
// Thread safety: none; one parser per connection direction.
#ifndef ZEROSTART_SRC_HTTP_PARSER_H_
#define ZEROSTART_SRC_HTTP_PARSER_H_

#include <cstddef>
#include <string_view>

#include "src/http/message.h"
#include "zerostart/status.h"

namespace zerostart::http {

struct Limits {
  size_t max_head_bytes = 64 * 1024;          // request/status line + headers
  size_t max_header_count = 100;
  size_t max_body_bytes = 16 * 1024 * 1024;   // decoded body
};

class Parser {
 public:
  enum class Kind { kRequest, kResponse };

  explicit Parser(Kind kind, Limits limits = {});

  // Consumes a prefix of `data`. Returns how many bytes were consumed: all of them, or fewer
  // when a message completed (the rest belongs to the next message; TakeX() then Feed again).
  // Errors as described above.
  Result<size_t> Feed(std::string_view data);

  // Call at end of stream. OK if the message is complete (or a close-delimited response body
  // just ended, which completes it); Unavailable if no byte of a message had arrived (a clean
  // close between messages); InvalidArgument if the stream ended inside a message.
  Status FinishAtEof();

  // True once the head (start line + headers) has been parsed; request() / response() then
  // show the head (e.g. to answer "Expect: 100-continue" before the body arrives).
  bool head_complete() const;
  // True once a whole message has been parsed.
  bool done() const;
  // True if any byte of the current message has been consumed.
  bool started() const;

  // For a response to HEAD, or when the caller knows there is no body.
  void ExpectNoBody();

  const Request& request() const { return request_; }
  const Response& response() const { return response_; }
  // REQUIRES: done(). Moves the message out and resets for the next message on the connection.
  Request TakeRequest();
  Response TakeResponse();

  void Reset();

 private:
  // Implementation state: the implementer's choice (see parser.cc).
  Kind kind_;
  Limits limits_;
  Request request_;
  Response response_;
};

}  // namespace zerostart::http

#endif  // ZEROSTART_SRC_HTTP_PARSER_H_
