// File: zerostart/extension.h
//
// ExtensionClient: a Lambda extension's side of the Extensions API (2020-01-01; AWS docs "Lambda
// Extensions API", https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html).
// An external extension is an executable that Lambda starts from /opt/extensions (a layer's
// `extensions/` folder; `zerostart package --extension` makes one) before the runtime; it
// registers, then asks for events in a loop, each GET blocking until the next one:
//
//   #include <zerostart/extension.h>
//
//   int main(int argc, char** argv) {
//     const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
//     zerostart::Result<zerostart::ExtensionClient> client = zerostart::ExtensionClient::Register(
//         "my-extension", {zerostart::ExtensionEventType::kInvoke,
//                          zerostart::ExtensionEventType::kShutdown}, api ? api : "");
//     if (!client.ok()) return 1;
//     for (;;) {
//       zerostart::Result<zerostart::ExtensionEvent> event = client->Next();
//       if (!event.ok()) return 1;
//       if (event->type == zerostart::ExtensionEventType::kShutdown) return 0;
//       // ... an INVOKE: the function is being invoked with event->request_id
//     }
//   }
//
// Lambda's rules that the client does not enforce: an external extension's name must be the
// file name of its executable (Lambda matches it against /opt/extensions/NAME); the Init phase
// ends only when the runtime and every registered extension have called Next(), and an invoke
// is complete only when every extension subscribed to INVOKE has called Next() again (so keep
// the work done between two Next() calls short); SHUTDOWN is the last event: the extension
// must exit before its deadline_ms (Lambda then sends SIGKILL). An internal extension (a
// thread of the runtime process) may subscribe to INVOKE only, and must register before the
// runtime's first GET /next. (A function that only wants SIGTERM at shutdown needs none of
// this: RunOptions::on_shutdown, zerostart/runtime.h.)
//
// The calls are blocking, without timeout (Lambda freezes the environment while Next() waits)
// and without retries. Errors, coded by what the caller should do:
//   Unavailable        the endpoint cannot be reached, or the connection broke: Lambda is gone.
//   FailedPrecondition Lambda answered with an HTTP error; the message reads
//                      "<call>: HTTP <status> <reason>: <errorType>: <errorMessage>" from
//                      Lambda's {"errorMessage":..., "errorType":"Extension.…"} body, e.g.
//                      "POST extension/register: HTTP 403 Forbidden: Extension.InvalidEventType: …".
//                      The extension should report nothing more, and exit.
//   InvalidArgument    a bad argument (empty name, bad AWS_LAMBDA_RUNTIME_API value, empty error
//                      type), or an answer that breaks the protocol: a register answer without
//                      Lambda-Extension-Identifier or whose body is not a JSON object, an event
//                      that is not JSON, lacks eventType/deadlineMs (or requestId for INVOKE), or
//                      has a field of the wrong JSON type or an unknown eventType.
//
// Thread safety: Register returns a client that one thread at a time may call Next() on;
// InitError and ExitError use a connection of their own per call, so they may be called from
// any thread, also while Next() blocks on another one. The accessors are safe from any thread.
#ifndef ZEROSTART_EXTENSION_H_
#define ZEROSTART_EXTENSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zerostart/status.h"

namespace zerostart {

// The lifecycle events an extension subscribes to ("INVOKE", "SHUTDOWN" on the wire).
enum class ExtensionEventType { kInvoke, kShutdown };

// "INVOKE" or "SHUTDOWN".
std::string_view ExtensionEventTypeName(ExtensionEventType type);

// One event from GET /2020-01-01/extension/event/next.
struct ExtensionEvent {
  ExtensionEventType type = ExtensionEventType::kInvoke;
  // "deadlineMs": INVOKE: when the invoke times out; SHUTDOWN: when the extension will be
  // killed. Milliseconds since the Unix epoch.
  int64_t deadline_ms = 0;
  // INVOKE: "requestId" (never empty) and "invokedFunctionArn" (empty if absent).
  std::string request_id;
  std::string invoked_function_arn;
  // INVOKE: "tracing"."value", the X-Ray trace header ("Root=1-...;Parent=...;Sampled=1");
  // empty when the event has no tracing.
  std::string trace_id;
  // SHUTDOWN: "shutdownReason": "spindown", "timeout" or "failure" (empty if absent).
  std::string shutdown_reason;
  // The event as received, for fields this struct does not name.
  std::string raw_json;
};

// What Lambda answers to a registration.
struct ExtensionRegistration {
  // Lambda-Extension-Identifier: names this extension in every later call.
  std::string identifier;
  // "functionName", "functionVersion", "handler": the function the environment runs (empty
  // when absent).
  std::string function_name;
  std::string function_version;
  std::string handler;
};

class ExtensionClient {
 public:
  // POST /2020-01-01/extension/register as `name` (Lambda-Extension-Name), subscribed to
  // `events` (may be empty), at `runtime_api`: the value of AWS_LAMBDA_RUNTIME_API ("host:port",
  // or a URL with a path prefix, as Run() accepts it; numeric hosts or "localhost").
  // Errors: see the file comment.
  static Result<ExtensionClient> Register(std::string_view name,
                                          const std::vector<ExtensionEventType>& events,
                                          std::string_view runtime_api);

  ExtensionClient(ExtensionClient&&) noexcept;
  ExtensionClient& operator=(ExtensionClient&&) noexcept;
  ExtensionClient(const ExtensionClient&) = delete;
  ExtensionClient& operator=(const ExtensionClient&) = delete;
  ~ExtensionClient();

  const ExtensionRegistration& registration() const;
  const std::string& identifier() const { return registration().identifier; }

  // GET /2020-01-01/extension/event/next: blocks until Lambda has an event (only the types
  // subscribed to arrive). Reuses one kept-alive connection. Errors: see the file comment.
  Result<ExtensionEvent> Next();

  // POST /2020-01-01/extension/init/error (during Init) or /exit/error (later), with
  // Lambda-Extension-Function-Error-Type: `error_type` (Lambda's form is "Category.Reason",
  // e.g. "Extension.ConfigInvalid") and the body {"errorMessage": message, "errorType":
  // error_type, "stackTrace": []}. OK on Lambda's 202 (any 2xx). Lambda then fails the Init
  // or the environment: exit afterwards. Errors: see the file comment.
  Status InitError(std::string_view error_type, std::string_view message);
  Status ExitError(std::string_view error_type, std::string_view message);

 private:
  class Impl;
  explicit ExtensionClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zerostart

#endif  // ZEROSTART_EXTENSION_H_
