// HTTP/1.1 messages as plain values: the shared vocabulary of the runtime (a Runtime API
// client) and the emulator (a Runtime API and Invoke API server).
// Thread safety: value types.
#ifndef ZEROSTART_SRC_HTTP_MESSAGE_H_
#define ZEROSTART_SRC_HTTP_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zerostart::http {

struct Header {
  std::string name;   // as received / as it will be sent (case preserved)
  std::string value;  // leading and trailing whitespace removed
};

// An ordered header list with case-insensitive lookup (RFC 9110 §5.1).
class Headers {
 public:
  // Appends; keeps any earlier header of the same name.
  void Add(std::string name, std::string value);
  // Replaces every header of that name with one (or adds it).
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);
  // The first value of `name`, or nullopt. The view lives as long as this Headers is unchanged.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<Header>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }
  // Capacity hint (a parser knows the header count before adding them).
  void reserve(size_t count) { entries_.reserve(count); }

 private:
  std::vector<Header> entries_;
};

// Case-insensitive ASCII comparison (header names, tokens such as "chunked").
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // origin-form, e.g. "/2018-06-01/runtime/invocation/next"
  Headers headers;
  std::string body;     // decoded (de-chunked) body
  Headers trailers{};   // the trailer section of a chunked body (RFC 9112 §7.1.2), if any
};

struct Response {
  int status = 200;
  std::string reason;   // empty = the standard phrase for `status`
  Headers headers;
  std::string body;     // decoded (de-chunked) body
  Headers trailers{};   // the trailer section of a chunked body (RFC 9112 §7.1.2), if any
};

// "OK", "Accepted", "Not Found", ...; "Unknown" for codes it does not know.
std::string_view ReasonPhrase(int status);

// The status a response is sent with: `status` if within 100..999, else 500.
int SendableStatus(int status);
// True if a response with this status may carry a body (RFC 9110: not 1xx, 204, 304).
bool StatusAllowsBody(int status);

// Serialise the start line and headers (ending with the blank line) for sending. A
// Content-Length equal to body.size() is added unless the message already has Content-Length
// or Transfer-Encoding, or is a 1xx/204/304 response (RFC 9110 §8.6: those never carry one;
// their body must be empty). The body itself is not included: send it after the head (writev).
//
// Never emits header injection or a malformed line; bytes that cannot be sent are rewritten:
//   header values, reason phrase: CR, LF and every other control byte except HTAB -> space;
//   header names, method: any byte that is not an RFC 9110 token character -> '_';
//   target: bytes <= 0x20 and 0x7F -> percent-encoded ("%20");
//   empty method -> "GET", empty target -> "/", empty header name -> the header is skipped,
//   status outside 100..999 -> 500.
// Always sends HTTP/1.1.
std::string SerializeRequestHead(const Request& request);
std::string SerializeResponseHead(const Response& response);
// One "Name: value\r\n" line per header, cleaned as above (for heads and trailer sections).
void AppendHeaderFields(const Headers& headers, std::string* out);
// The same, appended to *out (lets a connection reuse one buffer for every message it sends).
void AppendRequestHead(const Request& request, std::string* out);
void AppendResponseHead(const Response& response, std::string* out);

}  // namespace zerostart::http

#endif  // ZEROSTART_SRC_HTTP_MESSAGE_H_
