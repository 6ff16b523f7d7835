// Incremental HTTP/1.1 message parser (requests or responses), shared by both sides of the
// wire. Bytes may arrive in any split (one at a time works); Content-Length and chunked bodies
// (with trailers, which are kept in Request/Response::trailers) are decoded; responses with neither end at EOF.
//
// Malformed input is an InvalidArgument error, input over the limits a ResourceExhausted error;
// after an error the parser stays failed (Reset() to reuse). Never crashes on any bytes (fuzzed).
//
// Accepted (RFC 9112, lenient where common servers are): HTTP/1.0 and HTTP/1.1; CRLF or bare LF
// line ends; blank lines before a start line (skipped); repeated Content-Length headers or
// lists that agree; chunk extensions (ignored); trailers (validated, kept apart from the headers). Rejected as
// InvalidArgument: any other version, obsolete line folding, whitespace before a header colon,
// control bytes in a line, a bad or conflicting Content-Length, Content-Length together with
// Transfer-Encoding, any transfer-coding but a single "chunked". A body's size is checked
// against max_body_bytes before any memory is reserved for it. Responses to 1xx/204/304 (and
// after ExpectNoBody) have no body whatever their headers say; a request without
// Content-Length or chunked has an empty body.
// Thread safety: none; one parser per connection direction.
#ifndef ZEROSTART_SRC_HTTP_PARSER_H_
#define ZEROSTART_SRC_HTTP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/http/message.h"
#include "zerostart/status.h"

namespace zerostart::http {

struct Limits {
  size_t max_head_bytes = 64 * 1024;          // request/status line + headers
  size_t max_header_count = 100;
  size_t max_body_bytes = 16 * 1024 * 1024;   // decoded body
  // How much a Connection reads per read(2) (a parser ignores it). Larger suits long streamed
  // bodies (fewer reads, and fewer pieces to relay); each connection allocates it once.
  size_t read_buffer_bytes = 64 * 1024;
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

  // Streaming a body: moves the body bytes decoded so far to the end of *out (the message's
  // body then holds only what is decoded later). Bytes taken still count towards the body
  // limit. Lets a receiver forward a long chunked body as it arrives.
  void TakeBodyBytes(std::string* out);
  // Bytes of the current message's body decoded so far, taken or not.
  uint64_t body_bytes() const { return body_taken_ + (kind_ == Kind::kRequest ? request_.body.size() : response_.body.size()); }
  // Replaces max_body_bytes for the current message only (e.g. once its head shows a streamed
  // body with a larger limit of its own). Takes effect for bytes not yet decoded.
  void SetBodyLimit(uint64_t max_body_bytes) { body_limit_ = max_body_bytes; }

  // Forgets everything, including a stored error.
  void Reset();

  // The minor version of the message being parsed (HTTP/1.0 or HTTP/1.1); valid once
  // head_complete(). (Lets a server ignore "Expect: 100-continue" from HTTP/1.0 clients.)
  int version_minor() const { return version_minor_; }

 private:
  enum class State : uint8_t {
    kHead,           // start line + headers, up to the blank line
    kBodyLength,     // Content-Length body; remaining_ bytes to go
    kBodyEof,        // response body delimited by the end of the stream
    kChunkSize,      // hex digits of a chunk-size line
    kChunkExt,       // rest of a chunk-size line (extensions, ignored) up to LF
    kChunkData,      // remaining_ bytes of chunk data
    kChunkDataEnd,   // the CRLF after chunk data
    kChunkDataLf,    // the LF of that CRLF
    kTrailer,        // trailer lines after the last chunk, up to the blank line
    kDone,
    kFailed,
  };

  Result<size_t> FeedHead(std::string_view data);
  Result<size_t> FeedChunked(std::string_view data);
  Status ParseHead(std::string_view head);
  Status ParseRequestLine(std::string_view line);
  Status ParseStatusLine(std::string_view line);
  Status ParseHeaderLine(std::string_view line, bool trailer);
  Status ParseContentLength(std::string_view value);
  Status ParseTransferEncoding(std::string_view value);
  Status StartBody();
  Status EndChunkSizeLine();
  Status EndTrailerLine();
  Status Fail(Status status);
  void ResetMessage();
  std::string& body() { return kind_ == Kind::kRequest ? request_.body : response_.body; }

  Kind kind_;
  Limits limits_;
  Request request_;
  Response response_;

  State state_ = State::kHead;
  Status error_;                  // set once state_ == kFailed
  bool started_ = false;          // a byte of the message (not a blank line before it) arrived
  bool head_complete_ = false;
  bool no_body_ = false;          // ExpectNoBody()
  int version_minor_ = 1;
  size_t skipped_ = 0;            // blank-line bytes skipped before the start line
  std::string head_buf_;          // a head that arrived over several Feed calls (reused)
  size_t header_count_ = 0;       // headers, then trailers
  bool has_content_length_ = false;
  bool has_transfer_encoding_ = false;
  bool chunked_ = false;
  uint64_t content_length_ = 0;
  uint64_t remaining_ = 0;        // bytes left in the body or in the current chunk
  size_t chunk_line_bytes_ = 0;   // bytes of the current chunk-size line
  bool chunk_digits_ = false;     // the current chunk-size line has a digit
  bool chunk_cr_ = false;         // the current chunk-size line just had a CR
  std::string line_buf_;          // the current trailer line (reused)
  size_t trailer_bytes_ = 0;
  uint64_t body_taken_ = 0;       // body bytes moved out by TakeBodyBytes
  uint64_t body_limit_;           // limits_.max_body_bytes unless SetBodyLimit changed it
};

}  // namespace zerostart::http

#endif  // ZEROSTART_SRC_HTTP_PARSER_H_
