// Go1xClient: the function side of one execution environment in go1.x mode — the Lambda side
// of the legacy go1.x protocol, where the function is a Go net/rpc server (gob) on
// 127.0.0.1:_LAMBDA_SERVER_PORT and Lambda is the client (the function side is aws-lambda-go's
// lambda/rpc_function.go: net/rpc service "Function" with methods Ping and Invoke; messages:
// src/go1x/messages.h). It plays, for its Environment, the part the Runtime API server plays in
// the default mode (both are FunctionSides).
//
//   * ProcessEnv() chooses a free loopback port and gives it to the process as
//     _LAMBDA_SERVER_PORT;
//   * Start() starts the driver thread: it connects to that port and sends Function.Ping until a
//     reply arrives (retrying every 1 ms, backing off to 5 ms, while the environment is live);
//     that first reply ends Init Duration (the first Environment::Next());
//   * then, over that ONE kept connection (one gob Encoder and one GobStreamReader per
//     connection), each invoke is one Function.Invoke call: InvokeRequest{Payload, RequestId,
//     XAmznTraceId, Deadline (epoch, ms precision), InvokedFunctionArn, ClientContext};
//   * the reply: no Error -> PostResponse(payload, application/json) (over 6 MiB ->
//     Function.ResponseSizeTooLarge, by the Environment); Error -> PostError with
//     aws-lambda-go's JSON (Go1xErrorJson); ShouldExit -> that error, then the environment is
//     retired (the next invoke gets a fresh one); an RPC-level error in the reply header (e.g.
//     "rpc: can't find service X"), a reply that is not an InvokeResponse, or a wrong Seq ->
//     Runtime.InvalidResponse (lambda::kErrorTypeInvalidResponse); a malformed stream also
//     retires the environment;
//   * a connection that breaks: if the process is dying (its exit is reported within a grace
//     period) nothing is posted — the Environment's exit or timeout handling answers the invoke;
//     if it lives on, the invoke gets Runtime.InvalidResponse and the environment is retired. A
//     reply too large to read (over kMaxReplyBytes) answers Function.ResponseSizeTooLarge and
//     the driver reconnects.
//
// Nothing blocks past the invoke's timeout: when the Environment times an invoke out it kills
// the process group, which closes the connection under the driver.
//
// Thread safety: ProcessEnv/Start/Stop are called by the Environment's supervisor; Stop may
// also be called from any thread.
#ifndef ZEROSTART_SRC_EMULATOR_GO1X_CLIENT_H_
#define ZEROSTART_SRC_EMULATOR_GO1X_CLIENT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "src/common/env.h"
#include "src/emulator/function_side.h"
#include "src/go1x/messages.h"

namespace zerostart::emulator {

class Environment;

// The invoke error body for a go1.x InvokeResponse_Error, as aws-lambda-go's JSON tags render
// it: {"errorMessage":..,"errorType":..,"stackTrace":[{"path":..,"line":..,"label":..}]},
// stackTrace omitted when empty (omitempty), ShouldExit never shown (json:"-"). Compact, invalid
// UTF-8 replaced by U+FFFD.
std::string Go1xErrorJson(const go1x::InvokeError& error);

class Go1xClient : public FunctionSide {
 public:
  // The largest gob message read from the function: a reply of a little over the 6 MiB limit
  // is read whole (and answered Function.ResponseSizeTooLarge); beyond, the connection is
  // dropped unread.
  static constexpr size_t kMaxReplyBytes = 7 * 1024 * 1024 + 64 * 1024;

  // `environment` must outlive the client; `function_arn` is sent as InvokedFunctionArn.
  Go1xClient(Environment& environment, std::string function_arn);
  // Stop().
  ~Go1xClient() override;
  Go1xClient(const Go1xClient&) = delete;
  Go1xClient& operator=(const Go1xClient&) = delete;

  // No Runtime API in this mode: AWS_LAMBDA_RUNTIME_API is not set.
  std::string runtime_api() const override { return ""; }
  // {_LAMBDA_SERVER_PORT: a free loopback port}; empty (and a line on stderr) when none is free.
  EnvMap ProcessEnv() override;
  // Starts the driver thread (nothing without a port).
  void Start() override;
  // Shuts the driver's connection down and joins it. Call after the environment has answered
  // its invokes (or is ending). Idempotent.
  void Stop() override;

 private:
  class Session;

  void Drive();
  // Registers `fd` as the driver's connection (-1: none); false when stopping.
  bool SetFd(int fd);

  Environment& environment_;
  const std::string function_arn_;
  uint16_t port_ = 0;

  std::mutex mutex_;
  bool stopping_ = false;
  int fd_ = -1;  // the current connection (for Stop)
  std::thread driver_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_GO1X_CLIENT_H_
