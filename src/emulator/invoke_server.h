// InvokeServer: the caller's side — Lambda's Invoke API
// (POST /2015-03-31/functions/{function|NAME}/invocations) on the address `serve` was given.
// Requests are checked (invoke_request.h), then run on the Pool; the answer carries
// Lambda's headers: X-Amzn-RequestId, X-Amz-Executed-Version, Content-Type, and
// X-Amz-Function-Error: Unhandled for function errors (X-Amzn-ErrorType for service errors).
// DryRun -> 204; Event -> 202 at once, run later with Lambda's retries (AsyncEventQueue);
// every environment busy -> 429 TooManyRequestsException. X-Amz-Log-Type: Tail ->
// X-Amz-Log-Result (the answer then waits for the REPORT line). Unknown path -> 404,
// wrong method -> 405, malformed HTTP -> 400 and close, body over 7 MiB -> 413 and close.
//
// On the same port:
//   POST /2021-11-15/functions/{name}/response-streaming-invocations (InvokeWithResponseStream):
//     checked as Invoke (Event is refused: 400), then a 200 event stream (event_stream_answer.h)
//     that carries the function's bytes as it writes them;
//   /lambda-url/{name}/{path...}, any method (Function URLs): the request becomes a payload
//     format 2.0 event (function_url_event.h), the function's answer an HTTP response
//     (url_answer.h).
//
// Several functions may share the port: NAME picks one (its name, its ARN, or NAME:QUALIFIER;
// 'function' when only one is served); an unknown NAME -> 404 ResourceNotFoundException.
// Thread safety: Start/Stop from one thread; connections are served on their own threads.
#ifndef ZEROSTART_SRC_EMULATOR_INVOKE_SERVER_H_
#define ZEROSTART_SRC_EMULATOR_INVOKE_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/net.h"
#include "src/emulator/pool.h"
#include "src/emulator/invocation.h"
#include "src/emulator/tcp_server.h"
#include "src/http/connection.h"

namespace zerostart::emulator {

// One function behind the Invoke API.
struct ServedFunction {
  std::string name;
  Pool* pool = nullptr;       // must outlive the server
  bool function_url = true;   // whether /lambda-url/NAME/ reaches it (else 404, as with no URL)
};

class InvokeServer {
 public:
  // Larger bodies are not read: 413 and close. Between kMaxPayloadBytes and this: 413, and the
  // connection stays usable.
  static constexpr size_t kMaxReadableBody = 7 * 1024 * 1024;

  // Listens on `address` for `functions` (at least one; names differ). Unavailable (with the
  // OS reason) when the port is taken.
  static Result<std::unique_ptr<InvokeServer>> Listen(const net::HostPort& address,
                                                      std::vector<ServedFunction> functions);

  uint16_t port() const { return server_->port(); }
  void Start() { server_->Start(); }
  void Stop() { server_->Stop(); }

 private:
  explicit InvokeServer(std::vector<ServedFunction> functions) : functions_(std::move(functions)) {}
  struct DirectReply;
  // The function `requested` names; nullptr when none.
  const ServedFunction* Find(std::string_view requested) const;
  // "Function not found: ..." naming what is served.
  std::string NotFoundMessage(std::string_view requested) const;
  void Serve(http::Connection& connection);
  // The answer to one request. direct->request_id is set for requests that reached the
  // function; for a RequestResponse invoke the answer may already be (partly) sent through
  // `direct`. `extra`: headers for the answer.
  InvokeResult Handle(http::Request& request, DirectReply* direct, http::Headers* extra);
  // InvokeWithResponseStream for function `name`. Returns whether the connection stays open.
  bool ServeStreamInvoke(http::Connection& connection, http::Request& request, std::string_view name,
                         bool close);
  // A Function URL request. Returns whether the connection stays open.
  bool ServeUrl(http::Connection& connection, http::Request& request, bool close);
  // Sends `result` as a whole answer (service errors, DryRun). Returns whether the connection
  // stays open.
  bool SendWhole(http::Connection& connection, const InvokeResult& result, const std::string& request_id,
                 bool close, http::Headers extra = {});

  std::vector<ServedFunction> functions_;
  std::unique_ptr<TcpServer> server_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_INVOKE_SERVER_H_
