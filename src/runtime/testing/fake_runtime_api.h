// FakeRuntimeApi: a scripted, in-process Runtime API server for tests (test-only code).
// Listens on 127.0.0.1:0 and serves one connection at a time on its own thread, recording
// every request; a Script decides each reply, so tests can reproduce any server quirk
// (204s, chunked bodies, missing headers, closing kept-alive connections, refusing, trickling
// a reply, dropping or resetting a connection unanswered).
// Connections::kConcurrent serves every connection at once, each on a thread of its own, as
// Lambda does for a runtime with AWS_LAMBDA_MAX_CONCURRENCY > 1 (M long-polling /next).
//
// Thread safety: the script and the observer run on the server thread; with kConcurrent, on
// the connection threads, possibly at the same time (they must be thread-safe then; a script
// may block, e.g. to hold a /next, but must return before Stop()). The public methods are safe
// to call from any thread.
#ifndef ZEROSTART_SRC_RUNTIME_TESTING_FAKE_RUNTIME_API_H_
#define ZEROSTART_SRC_RUNTIME_TESTING_FAKE_RUNTIME_API_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/common/unique_fd.h"
#include "src/http/connection.h"
#include "src/http/message.h"

namespace zerostart::runtime::testing {

// What the server does with one request.
struct Reply {
  http::Response response;  // sent as is (Content-Length added), unless `raw` is non-empty
  std::string raw;          // bytes sent verbatim instead (hand-made chunked responses...)
  bool close_after = false; // close the connection after replying (a stale keep-alive)
  bool stop = false;        // send nothing, close the connection AND the listener: from now
                            // on connections are refused
  // Hostile servers:
  bool drop = false;        // send nothing and close this connection (the listener stays)
  bool reset = false;       // when the reply closes the connection (drop, close_after), end it
                            // with an RST (SO_LINGER 0) instead of a FIN
  size_t write_bytes = 0;   // > 0: send the reply in writes of at most this many bytes, each
                            // its own segment (TCP_NODELAY): a server that trickles
};

// request, 0-based index of the request since the server started.
using Script = std::function<Reply(const http::Request& request, size_t index)>;

// Called on the server thread for each piece of a request's body as it arrives: `piece` holds
// the decoded body bytes one read of the socket delivered (a chunked body sent chunk by chunk
// arrives chunk by chunk when its sender waits in between), `head` the request without its
// body, `piece_index` the piece's 0-based number within the request. Returning false drops the
// connection at once, unanswered (a connection that breaks mid-request); the request is still
// recorded, with the body received so far.
using BodyObserver =
    std::function<bool(const http::Request& head, std::string_view piece, size_t piece_index)>;

class FakeRuntimeApi {
 public:
  enum class Connections { kOneAtATime, kConcurrent };

  explicit FakeRuntimeApi(Script script, BodyObserver observer = {},
                          Connections connections = Connections::kOneAtATime);
  ~FakeRuntimeApi();  // Stop()
  FakeRuntimeApi(const FakeRuntimeApi&) = delete;
  FakeRuntimeApi& operator=(const FakeRuntimeApi&) = delete;

  uint16_t port() const { return port_; }
  // "127.0.0.1:<port>", the form AWS_LAMBDA_RUNTIME_API takes.
  std::string address() const;

  // A copy of the requests received so far, in order (bodies decoded; trailers apart).
  std::vector<http::Request> requests() const;
  // The pieces in which request `index` (0-based, as for requests()) arrived (see
  // BodyObserver); empty for a request without a body or an index not yet received.
  std::vector<std::string> body_pieces(size_t index) const;
  size_t connections_accepted() const;
  // Blocks until `count` requests have arrived (true) or `timeout` passed (false).
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout) const;
  // Blocks until the server has closed `count` connections (true) or `timeout` passed (false).
  bool WaitForClosedConnections(size_t count, std::chrono::milliseconds timeout) const;

  // Stops listening, closes any open connection and joins the server's threads. Idempotent.
  void Stop();

 private:
  void Serve();
  // Serves requests on `*open` until it ends, then closes it. True when a StopReply ended it:
  // with kConcurrent the listener is shut down and `*open` closed by then; with kOneAtATime
  // `*open` is left for the caller to close after the listener.
  bool ServeConnection(std::unique_ptr<http::Connection>& open);
  void CloseListener();
  // Records a received request (and its body pieces); returns its index.
  size_t Record(http::Request request, std::vector<std::string> pieces);

  Script script_;
  BodyObserver observer_;
  UniqueFd listener_;
  uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<http::Request> requests_;
  std::vector<std::vector<std::string>> pieces_;  // per request
  size_t connections_ = 0;
  size_t connections_closed_ = 0;
  std::vector<int> open_fds_;  // the open connections, for Stop() to shut down
  bool stopping_ = false;
  const Connections mode_;
  std::thread thread_;
  std::vector<std::thread> connection_threads_;  // kConcurrent; guarded by mutex_
};

// Ready-made replies and scripts.
// A /next reply: 200 with the request id, deadline and content type headers set (empty values
// are left out) and `payload` as body.
Reply EventReply(std::string request_id, std::string payload,
                 std::string content_type = "application/json",
                 std::string deadline_ms = "4102444800000");
// 202 {"status":"OK"}, what Lambda answers to /response, /error and /init/error.
Reply AcceptedReply();
Reply StopReply();
// Serves `events` in order on GET /next, answers AcceptedReply() to every POST, and replies
// StopReply() to the /next after the last event (so a runtime under test then gives up).
// Thread-safe (usable with Connections::kConcurrent).
Script ServeEvents(std::vector<Reply> events);

}  // namespace zerostart::runtime::testing

#endif  // ZEROSTART_SRC_RUNTIME_TESTING_FAKE_RUNTIME_API_H_
