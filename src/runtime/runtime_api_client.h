// RuntimeApiClient: the Lambda Runtime API (2018-06-01) over ONE kept-alive HTTP/1.1
// connection to AWS_LAMBDA_RUNTIME_API.
//
//   GET  {prefix}/2018-06-01/runtime/invocation/next           (no timeout: Lambda freezes us)
//   POST {prefix}/2018-06-01/runtime/invocation/{id}/response  (Content-Type from the Response,
//                                                               left out when it is empty)
//   POST {prefix}/2018-06-01/runtime/invocation/{id}/error     (+ Lambda-Runtime-Function-Error-Type)
//   POST {prefix}/2018-06-01/runtime/init/error                (+ Lambda-Runtime-Function-Error-Type)
//
// A streamed response (BeginStream/WriteChunk/EndStream) is a POST .../{id}/response with
// "Lambda-Runtime-Function-Response-Mode: streaming", "Transfer-Encoding: chunked" and
// "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body" on the same
// kept-alive connection: the head goes out at BeginStream, each chunk with one system call,
// and Lambda's answer is read after the last chunk (which carries the two error
// trailers when EndStream is given an error: the type, and the base64 of the error JSON). A
// kept-alive connection found closed by the server before the head is sent is replaced (nothing
// was sent yet); once chunks are out nothing can be resent: a connection that breaks mid-stream
// loses the invoke (WriteChunk/EndStream return Unavailable, the connection is dropped and the
// next call reconnects).
//
// Tolerated quirks (seen in RIE, cargo-lambda, @vercel/fun and real Lambda): any 2xx on POSTs
// (cargo-lambda answers 200, Lambda 202); 204 on /next (poll again after a short sleep);
// chunked /next bodies; missing Content-Type and other optional headers; a missing or 1970
// deadline; a /next without a request id (logged, skipped); a server that closes the kept-alive
// connection between requests (reconnect once and resend: nothing of the response was read,
// so even a POST is safe to resend).
//
// Failures: /next connection failures are retried `RetryPolicy::attempts` times with
// exponential backoff, then Next() returns Unavailable; a 4xx/5xx on /next returns
// FailedPrecondition (Lambda reports a container error and expects the runtime to exit).
// Non-2xx on a POST returns an error (ResourceExhausted for 413, FailedPrecondition for other
// statuses, Unavailable when the server could not be reached) and the client stays usable.
//
// The request id goes into the path as sent by the server (Lambda's are UUIDs); the HTTP
// serialiser percent-encodes only spaces and control bytes in it.
//
// Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY > 1) run one client per worker thread,
// each on its own connection; CancelNext stops the others when one worker ends.
//
// Thread safety: one thread at a time (see Transport), except CancelNext, which may be called
// from any thread.
#ifndef ZEROSTART_SRC_RUNTIME_RUNTIME_API_CLIENT_H_
#define ZEROSTART_SRC_RUNTIME_RUNTIME_API_CLIENT_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "src/http/chunked.h"
#include "src/http/connection.h"
#include "src/http/message.h"
#include "src/runtime/endpoint.h"
#include "src/runtime/transport.h"

namespace zerostart::runtime {

struct RetryPolicy {
  // Tries of GET /next before giving up (at least 1).
  int attempts = 5;
  // Total sleep spread over the retries, doubling each time: with 5 attempts and 1500 ms the
  // sleeps are 100, 200, 400 and 800 ms.
  std::chrono::milliseconds budget{1500};
  // Sleep after a 204 (or a /next without a request id) before polling again.
  std::chrono::milliseconds empty_poll_delay{10};

  // The sleep before retry number `retry` (1-based).
  std::chrono::milliseconds DelayBeforeRetry(int retry) const;
};

// "<what>: HTTP 413 Request Entity Too Large: <start of body>": a non-2xx answer of the Runtime
// API or the Extensions API, described for an error message (the body quoted up to 200 bytes).
std::string DescribeHttpError(std::string_view what, const http::Response& response);
// Adds the headers every request to Lambda carries: Host (the endpoint's) and User-Agent.
void AddCommonHeaders(const RuntimeApiEndpoint& endpoint, http::Headers* headers);
// True when `response` says "Connection: close" (the connection must then be dropped).
bool ServerWantsClose(const http::Response& response);

class RuntimeApiClient final : public Transport {
 public:
  explicit RuntimeApiClient(RuntimeApiEndpoint endpoint, RetryPolicy retry = {});

  Status Next(Invocation* invocation) override;
  Status Respond(const Invocation& invocation, Response* response) override;
  Status ReportError(const Invocation& invocation, const FunctionError& error) override;
  Status ReportInitError(const FunctionError& error) override;
  Status BeginStream(const Invocation& invocation, std::string_view content_type) override;
  Status WriteChunk(std::string_view bytes) override;
  Status EndStream(const FunctionError* error) override;

  // Makes a Next() running on another thread return promptly, and every later Next() return
  // at once, with Unavailable (the message says it was cancelled); an invocation Next has
  // already handed out can still be answered (Respond, ReportError, a streamed response). A
  // Next that had its event before the cancellation still returns it. Idempotent.
  void CancelNext();

 private:
  // Next() without the cancellation bookkeeping.
  Status PollNext(Invocation* invocation);
  // True once CancelNext was called.
  bool NextCancelled();
  // Sleeps for `delay`, or less if CancelNext is called meanwhile.
  void SleepUnlessCancelled(std::chrono::milliseconds delay);
  // Opens connection_ (REQUIRES: none is open). Errors: as net::Connect; Unavailable when a
  // running Next() has been cancelled (no new connection is made for it then).
  Status Connect();
  // Closes connection_, if open.
  void Disconnect();
  // Sends `request` and reads the response on the kept-alive connection, connecting first if
  // needed. If a reused connection turns out to be closed by the server (the write fails, or
  // the read ends before any byte), reconnects once and resends.
  Result<http::Response> Exchange(const http::Request& request);
  // Fills post_ with a POST to `target` (prefix added) and the common headers.
  void StartPost(std::string_view target_path, std::string_view id, std::string_view suffix);
  // Sends post_; OK on any 2xx. `what` names the call in error messages.
  Status SendPost(std::string_view what);
  // OK on a 2xx `response` to a POST; otherwise the error SendPost describes.
  static Status PostVerdict(std::string_view what, const http::Response& response);
  // Drops a streamed response that cannot go on, with the connection it was on.
  void AbandonStream();
  Status PostError(std::string_view what, const FunctionError& error);

  RuntimeApiEndpoint endpoint_;
  RetryPolicy retry_;
  std::optional<http::Connection> connection_;
  http::Request next_;  // built once: GET /next never changes
  http::Request post_;  // reused for every POST (keeps its buffers)
  // The streamed response in progress (on connection_'s socket), between BeginStream and
  // EndStream.
  std::optional<http::ChunkedWriter> stream_;
  http::Headers trailers_;  // EndStream's error trailers

  // CancelNext's view of the client, guarded by cancel_mutex_: whether it was called, whether
  // Next() is running, and connection_'s socket (-1 when closed), which CancelNext shuts down
  // to wake a blocked read.
  std::mutex cancel_mutex_;
  std::condition_variable cancelled_;
  bool next_cancelled_ = false;
  bool in_next_ = false;
  int connection_fd_ = -1;
};

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_RUNTIME_API_CLIENT_H_
