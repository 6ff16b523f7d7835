// RuntimeApiServer: the Lambda Runtime API (2018-06-01) as the function process sees it, on
// 127.0.0.1:<ephemeral>: GET /runtime/invocation/next, POST /runtime/invocation/{id}/response
// (buffered, or streamed with Lambda-Runtime-Function-Response-Mode: streaming: see
// stream_relay.h) and /error, POST /runtime/init/error, and the Extensions API (2020-01-01:
// /extension/register, /event/next, /init/error, /exit/error; see extensions.h) and the
// Telemetry API subscription (PUT /2022-07-01/telemetry; telemetry.h), on the same
// address as on Lambda — one server per execution environment,
// its FunctionSide. State lives in the Environment; this class only speaks HTTP. Answers follow RIE (lambda/rapi): 202 {"status":"OK"}; 400 InvalidRequestID for a
// request id that is not in flight; 403 InvalidStateTransition; 413 RequestEntityTooLarge;
// 400 and close for malformed HTTP (the invoke then ends by timeout or exit); 404/405 for other
// paths/methods. Streamed responses: 202 after the terminal chunk; 400
// Runtime.InvalidResponseModeHeader for another response mode (the invoke fails with it); 403
// for /response or /error once a stream began; 413 and close past the streamed-size limit.
// Thread safety: Start/Stop from the environment's supervisor; connections are served on their
// own threads.
#ifndef ZEROSTART_SRC_EMULATOR_RUNTIME_API_SERVER_H_
#define ZEROSTART_SRC_EMULATOR_RUNTIME_API_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "src/emulator/environment.h"
#include "src/emulator/function_side.h"
#include "src/emulator/stream_relay.h"
#include "src/emulator/tcp_server.h"
#include "src/http/connection.h"

namespace zerostart::emulator {

class RuntimeApiServer : public FunctionSide {
 public:
  // Bodies up to this size are read whole, so an oversized /response (up to here) can be
  // answered 413 cleanly on a kept-open connection; beyond it the connection is closed after 413.
  static constexpr size_t kMaxReadableBody = 7 * 1024 * 1024;

  // Listens on 127.0.0.1:0 (not yet accepting). `environment` must outlive the server.
  static Result<std::unique_ptr<RuntimeApiServer>> Listen(Environment& environment,
                                                          std::string function_arn,
                                                          StreamLimits stream_limits = {});
  ~RuntimeApiServer() override { Stop(); }

  uint16_t port() const { return server_->port(); }
  std::string runtime_api() const override { return "127.0.0.1:" + std::to_string(port()); }
  EnvMap ProcessEnv() override { return {}; }
  void Start() override { server_->Start(); }
  void Stop() override { server_->Stop(); }

 private:
  RuntimeApiServer(Environment& environment, std::string function_arn, StreamLimits stream_limits)
      : environment_(environment), function_arn_(std::move(function_arn)), stream_limits_(stream_limits) {}
  void Serve(http::Connection& connection);
  // Serves GET /next; false when the connection must close.
  bool ServeNext(http::Connection& connection);
  // Serves a streamed POST /response whose head was just read; false when the connection
  // must close.
  bool ServeStream(http::Connection& connection, const http::Request& head, std::string_view id);
  // Serves an Extensions API call other than a GET /extension/event/next.
  http::Response ServeExtensionCall(const http::Request& request, std::string_view path);
  // Serves PUT /2022-07-01/telemetry.
  http::Response ServeTelemetrySubscribe(const http::Request& request);
  // Serves GET /extension/event/next (blocking until the extension has an event); false when
  // the connection must close.
  bool ServeExtensionNext(http::Connection& connection, const http::Request& request);
  // Answers a request that could not be read (malformed, or over the body limit); the
  // connection must close afterwards.
  void AnswerReadError(http::Connection& connection, const Status& error);

  Environment& environment_;
  std::string function_arn_;
  StreamLimits stream_limits_;
  std::unique_ptr<TcpServer> server_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_RUNTIME_API_SERVER_H_
