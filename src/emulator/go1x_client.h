// Go1xClient: the emulator's go1.x mode — the Lambda side of the legacy go1.x protocol, where
// the function is a Go net/rpc server (gob) on 127.0.0.1:_LAMBDA_SERVER_PORT and Lambda is the
// client (the function side is aws-lambda-go's lambda/rpc_function.go: net/rpc service
// "Function" with methods Ping and Invoke; messages: src/go1x/messages.h). It plays, for the
// Dispatcher, the part the Runtime API server plays in the default mode.
//
// Per function instance (DispatcherOptions::instance_env = OnSpawn):
//   * a free loopback port is chosen and given to the process as _LAMBDA_SERVER_PORT;
//   * a driver thread connects to it and sends Function.Ping until a reply arrives (retrying
//     every 1 ms, backing off to 5 ms, while the instance is live); that first reply ends the
//     instance's Init Duration (Dispatcher::Next(spawn_id));
//   * then, over that ONE kept connection (one gob Encoder and one GobStreamReader per
//     connection), each invoke is one Function.Invoke call: InvokeRequest{Payload, RequestId,
//     XAmznTraceId, Deadline (epoch, ms precision), InvokedFunctionArn, ClientContext};
//   * the reply: no Error -> PostResponse(payload, application/json) (over 6 MiB ->
//     Function.ResponseSizeTooLarge, by the Dispatcher); Error -> PostError with aws-lambda-go's
//     JSON (Go1xErrorJson); ShouldExit -> that error, then the instance is retired (the next
//     invoke gets a fresh process); an RPC-level error in the reply header (e.g. "rpc: can't
//     find service X"), a reply that is not an InvokeResponse, or a wrong Seq ->
//     Runtime.InvalidResponse (lambda::kErrorTypeInvalidResponse); a malformed stream also
//     retires the instance;
//   * a connection that breaks: if the process is dying (its exit is reported within a grace
//     period) nothing is posted — the Dispatcher's exit or timeout handling answers the invoke;
//     if it lives on, the invoke gets Runtime.InvalidResponse and the instance is retired. A
//     reply too large to read (over kMaxReplyBytes) answers Function.ResponseSizeTooLarge and
//     the driver reconnects.
//
// Nothing blocks past the invoke's timeout: when the Dispatcher times an invoke out it kills the
// process group, which closes the connection under the driver.
//
// Thread safety: OnSpawn is called by the Dispatcher's supervisor; Stop from any thread.
#ifndef ZEROSTART_SRC_EMULATOR_GO1X_CLIENT_H_
#define ZEROSTART_SRC_EMULATOR_GO1X_CLIENT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "src/common/env.h"
#include "src/go1x/messages.h"

namespace zerostart::emulator {

class Dispatcher;

// The invoke error body for a go1.x InvokeResponse_Error, as aws-lambda-go's JSON tags render
// it: {"errorMessage":..,"errorType":..,"stackTrace":[{"path":..,"line":..,"label":..}]},
// stackTrace omitted when empty (omitempty), ShouldExit never shown (json:"-"). Compact, invalid
// UTF-8 replaced by U+FFFD.
std::string Go1xErrorJson(const go1x::InvokeError& error);

class Go1xClient {
 public:
  // The largest gob message read from the function: a reply of a little over the 6 MiB limit
  // is read whole (and answered Function.ResponseSizeTooLarge); beyond, the connection is
  // dropped unread.
  static constexpr size_t kMaxReplyBytes = 7 * 1024 * 1024 + 64 * 1024;

  // `function_arn` is sent as InvokedFunctionArn.
  explicit Go1xClient(std::string function_arn);
  // Stop().
  ~Go1xClient();
  Go1xClient(const Go1xClient&) = delete;
  Go1xClient& operator=(const Go1xClient&) = delete;

  // Must be called once, before the dispatcher starts; it must outlive this client's threads
  // (call Stop() before destroying it).
  void set_dispatcher(Dispatcher* dispatcher) { dispatcher_ = dispatcher; }

  // DispatcherOptions::instance_env: picks a free loopback port for instance `spawn_id`, starts
  // its driver thread and returns {_LAMBDA_SERVER_PORT: port}.
  EnvMap OnSpawn(uint64_t spawn_id);

  // Shuts down every driver's connection and joins the drivers. Call after Dispatcher::Stop()
  // (which answers their invokes and kills the function). Idempotent.
  void Stop();

 private:
  struct Driver {
    std::thread thread;
    std::atomic<bool> done{false};
    int fd = -1;  // the current connection, guarded by Go1xClient::mutex_ (for Stop)
  };
  class Session;

  void Drive(Driver* driver, uint64_t spawn_id, uint16_t port);
  // Registers `fd` as the driver's connection (-1: none); false when stopping.
  bool SetDriverFd(Driver* driver, int fd);

  const std::string function_arn_;
  Dispatcher* dispatcher_ = nullptr;

  std::mutex mutex_;
  bool stopping_ = false;
  std::list<std::unique_ptr<Driver>> drivers_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_GO1X_CLIENT_H_
