// Go1xServer: the go1.x (legacy Lambda Go runtime) protocol as a Transport. The function is the
// RPC server: Lambda's go1.x orchestrator dials 127.0.0.1:_LAMBDA_SERVER_PORT and speaks Go's
// net/rpc over gob, as aws-lambda-go's lambda/rpc_function.go serves it (messages:
// src/go1x/messages.h).
//
//   * Listening starts on the first Next() (or an explicit Listen()), i.e. after init, as in
//     aws-lambda-go where the user's init runs before lambda.Start listens.
//   * Each accepted connection gets a reader thread with its own go1x::GobStreamReader, and its own gob
//     Encoder for replies (replies on one connection are serialized by a mutex).
//   * Function.Ping is answered at once by the reader thread with an empty PingResponse.
//   * Function.Invoke is queued; Next() hands it out (FIFO over all connections); Respond /
//     ReportError write the InvokeResponse on the connection it came from, echoing its Seq.
//     Handler errors travel in InvokeResponse.Error {Message, Type (empty -> "Unhandled"),
//     StackTrace (each FunctionError::stack_trace entry becomes a frame's Label), ShouldExit
//     false}; the RPC-level Error stays empty.
//   * A call net/rpc would refuse gets net/rpc's answer: reply header Error "rpc: can't find
//     method Function.X" (or "rpc: can't find service X" when the part before the last dot is
//     not "Function", or there is no dot) with an empty anonymous struct as body; a body that
//     decodes but has wrong field kinds gets the binding error text in the header Error. The
//     connection stays open in both cases, as in Go.
//   * At most 16 invokes per connection wait in the queue; beyond, that connection's reader
//     stops reading (TCP pushes back on the client). A reply write that makes no progress for
//     2 s (a client that does not read its replies) fails, and the connection is dropped with
//     its queued invokes, so one stuck client cannot starve the others for longer than that.
//   * A malformed gob stream ends only that connection (closed once its pending replies, if
//     any, are written or dropped). A client that vanishes mid-call makes that reply fail:
//     Respond returns Unavailable (the invoke loop logs it) and the server goes on.
//   * ReportInitError has no wire message in go1.x: it does nothing (the loop has logged the
//     error and exits non-zero).
//   * go1.x cannot stream: a streamed response (BeginStream, WriteChunk, EndStream) is collected
//     and sent whole when it ends, as Respond would send it (the content type is dropped, as
//     for Respond); ended with an error, it is sent as ReportError would and the bytes are
//     dropped.
//
// Invocation mapping: Payload, RequestId, InvokedFunctionArn (-> function_arn), XAmznTraceId
// (-> trace_id), ClientContext, Deadline {Seconds, Nanos} (-> deadline), and
// CognitoIdentityId/PoolId (-> cognito_identity as {"cognitoIdentityId":..,
// "cognitoIdentityPoolId":..}, empty when both are empty). content_type and tenant_id are empty.
//
// Thread safety: Next/Respond/ReportError/ReportInitError from one thread at a time (see
// Transport); Listen, port and Shutdown may be called from any thread.
#ifndef ZEROSTART_SRC_RUNTIME_GO1X_SERVER_H_
#define ZEROSTART_SRC_RUNTIME_GO1X_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/common/unique_fd.h"
#include "src/go1x/messages.h"
#include "src/runtime/transport.h"

namespace zerostart::runtime {

class Go1xServer final : public Transport {
 public:
  // Will listen on 127.0.0.1:`port` (0 = any free port; see port()).
  explicit Go1xServer(uint16_t port);
  // Shuts down (see Shutdown).
  ~Go1xServer() override;
  Go1xServer(const Go1xServer&) = delete;
  Go1xServer& operator=(const Go1xServer&) = delete;

  // Binds and starts accepting, if not done yet. Unavailable if the port cannot be bound or
  // the server was shut down.
  Status Listen();
  // The bound port (0 before a successful Listen).
  uint16_t port() const;

  // Stops accepting, closes every connection, wakes a blocked Next() (which then returns
  // Unavailable) and joins all threads. Idempotent.
  void Shutdown();

  // Blocks until a Function.Invoke arrives. Unavailable when listening fails or after Shutdown.
  Status Next(Invocation* invocation) override;
  // FailedPrecondition without a pending invoke; Unavailable when the reply could not be
  // written (the client is gone).
  Status Respond(const Invocation& invocation, Response* response) override;
  Status ReportError(const Invocation& invocation, const FunctionError& error) override;
  Status ReportInitError(const FunctionError& error) override;
  // FailedPrecondition without a pending invoke (or, for WriteChunk/EndStream, without
  // BeginStream); EndStream as Respond / ReportError.
  Status BeginStream(const Invocation& invocation, std::string_view content_type) override;
  Status WriteChunk(std::string_view bytes) override;
  Status EndStream(const FunctionError* error) override;

 private:
  struct Connection;
  struct Call {
    std::shared_ptr<Connection> connection;
    uint64_t seq = 0;
    go1x::InvokeRequest request;
  };
  struct Worker {
    std::thread thread;
    std::weak_ptr<Connection> connection;
    std::shared_ptr<std::atomic<bool>> done;
  };

  void AcceptLoop(int listen_fd);
  void ServeConnection(std::shared_ptr<Connection> connection);
  // Joins workers whose connection has ended. REQUIRES: mutex_ not held.
  void ReapWorkers();
  // Writes `response` (an InvokeResponse Value) as the reply to the current invoke.
  Status SendInvokeResponse(gob::Value response);

  const uint16_t requested_port_;
  mutable std::mutex mutex_;
  std::condition_variable queue_changed_;  // a call was queued, or shut down
  std::condition_variable room_changed_;   // a connection's queued_calls fell, or shut down
  UniqueFd listener_;        // guarded by mutex_
  uint16_t port_ = 0;        // guarded by mutex_
  bool shut_down_ = false;   // guarded by mutex_
  std::deque<Call> queue_;   // guarded by mutex_
  std::thread accept_thread_;
  std::mutex workers_mutex_;
  std::vector<Worker> workers_;  // guarded by workers_mutex_
  std::optional<Call> current_;  // the invoke between Next and Respond (invoke-loop thread only)
  // A streamed response being collected (invoke-loop thread only).
  bool streaming_ = false;
  std::string streamed_;
};

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_GO1X_SERVER_H_
