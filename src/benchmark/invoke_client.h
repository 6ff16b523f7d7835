// The Invoke API as a caller sees it: the one client of the project's measuring code
// (`zerostart bench`, `zerostart invoke`, the concurrency, soak, stream and extension benchmarks
// and the chaos run) for an emulator or `zerostart serve`.
//
//   InvokeRequest / StreamInvokeRequest  build the request for a function name and a payload
//   RequestBytes                         the request as the bytes a raw socket sends
//   Answer, AnswerFrom                   one parsed answer: status, ids, error headers, body, times
//   RawConnection, FeedAnswer, InvokeOnce the raw pieces for callers that own the socket (an
//                                        epoll fan-out, a fault injector): a socket and its parser
//   InvokeClient                         a blocking keep-alive client with a read timeout that
//                                        reconnects after a connection error
//
// Not part of the runtime side: a caller, meeting the emulator only on the wire.
// Thread safety: the functions are pure or act on what they are given; a RawConnection or an
// InvokeClient belongs to one thread at a time.
#ifndef ZEROSTART_SRC_BENCHMARK_INVOKE_CLIENT_H_
#define ZEROSTART_SRC_BENCHMARK_INVOKE_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "src/common/net.h"
#include "src/common/unique_fd.h"
#include "src/http/message.h"
#include "src/http/parser.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

// The function name the benchmarks send to `zerostart serve`, which answers every name on its
// Invoke paths with its one function.
inline constexpr std::string_view kServeFunction = "function";

// The Invoke request (POST /2015-03-31/functions/NAME/invocations, Content-Type:
// application/json) carrying `payload`, with `host` as its Host header. Callers may add headers
// (X-Amz-Log-Type, ...) before sending it.
http::Request InvokeRequest(std::string_view function_name, std::string payload,
                            std::string host = "127.0.0.1");
// The same as an InvokeWithResponseStream request (POST
// /2021-11-15/functions/NAME/response-streaming-invocations): the answer's body is event-stream
// messages.
http::Request StreamInvokeRequest(std::string_view function_name, std::string payload,
                                  std::string host = "127.0.0.1");

// RequestBytes of InvokeRequest / StreamInvokeRequest of kServeFunction from 127.0.0.1: what a
// caller writing a raw socket to `zerostart serve` sends.
std::string InvokeBytes(std::string payload);
std::string StreamInvokeBytes(std::string payload);

// `request` as sent on the wire: its head (Content-Length added) followed by its body.
std::string RequestBytes(const http::Request& request);

// CLOCK_MONOTONIC (std::chrono::steady_clock) in nanoseconds: the clock of Answer's times.
int64_t SteadyNs();

// One answer of the Invoke API, or why there is none.
struct Answer {
  int status = 0;               // HTTP status; 0: no answer (see failure)
  std::string request_id;       // X-Amzn-RequestId ("" if absent)
  std::string error_type;       // X-Amzn-ErrorType (the API's own errors: 4xx, 5xx)
  std::string function_error;   // X-Amz-Function-Error ("Unhandled" for a function error)
  std::string log_result;       // X-Amz-Log-Result (base64 log tail, when Tail was asked for)
  std::string body;
  std::string failure;          // why there is no answer, when status is 0
  int64_t sent_ns = 0;          // SteadyNs() before the request was written
  int64_t answered_ns = 0;      // SteadyNs() once the whole answer was read
  double latency_ms() const { return static_cast<double>(answered_ns - sent_ns) / 1e6; }
};

// The fields of a parsed response (no times, no failure).
Answer AnswerFrom(http::Response response);

// What went wrong with `answer` as one line, "" when it is a success: "connection: FAILURE" for
// no answer, "HTTP STATUS [ERROR-TYPE][: BODY]" for status >= 300, and for a function error the
// body's "errorType: errorMessage" (or "function error: BODY"). Bodies are cut to 200 bytes.
std::string ErrorOf(const Answer& answer);

// A socket to the Invoke API and the parser of its answers: one request in flight at a time.
// Ownership: owns the socket.
struct RawConnection {
  explicit RawConnection(UniqueFd socket)
      : fd(std::move(socket)), parser(http::Parser::Kind::kResponse) {}
  UniqueFd fd;
  http::Parser parser;
};

// Feeds `bytes` read from `connection` to its parser. Returns true once a whole response is
// parsed (*answer is then filled by AnswerFrom: no times), false while more is needed; bytes
// beyond the answer are an Internal error (one request is in flight), malformed bytes the
// parser's error.
Result<bool> FeedAnswer(RawConnection& connection, std::string_view bytes, Answer* answer);

// Writes `request` (whole bytes, or the rest of a request partly written) on `connection` and
// reads its one answer (blocking; a read timeout set on the socket applies). Unavailable when the
// connection ends first or a read fails (a timeout too); the parser's error otherwise. The
// connection must not be used again after an error.
Result<Answer> InvokeOnce(RawConnection& connection, std::string_view request);

class InvokeClient {
 public:
  // Connects to `address`; reads give up after `read_timeout_seconds` (0: never; for a
  // benchmark a backstop behind the emulator's own invoke timeout). Unavailable when the
  // connection fails.
  static Result<std::unique_ptr<InvokeClient>> Connect(net::HostPort address, double read_timeout_seconds);

  // Sends `request` and reads its answer, timed from before the write to the whole answer read.
  // A connection error (refused reconnect, write or read failure, read timeout) is an Answer
  // with status 0 and `failure` (the error's text); the client then reconnects on the next call.
  Answer Invoke(const http::Request& request);
  // InvokeRequest(name, payload) with the Host header of this client's address, sent as above.
  Answer Invoke(std::string_view function_name, std::string payload);

  InvokeClient(const InvokeClient&) = delete;
  InvokeClient& operator=(const InvokeClient&) = delete;

 private:
  InvokeClient(net::HostPort address, double read_timeout_seconds)
      : address_(std::move(address)), read_timeout_seconds_(read_timeout_seconds) {}
  Status Reconnect();

  net::HostPort address_;
  double read_timeout_seconds_;
  std::unique_ptr<RawConnection> connection_;  // null after a connection error
};

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_INVOKE_CLIENT_H_
