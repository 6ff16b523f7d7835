// The Lambda Extensions API (2020-01-01) at the HTTP level: the requests, and one kept-alive
// connection to send them on. No JSON is parsed here: the shutdown hook (shutdown_hook.h), which
// every function binary links, needs only the identifier header; the public client
// (zerostart/extension.h, extension_client.cc) reads the bodies.
//
//   POST {prefix}/2020-01-01/extension/register    Lambda-Extension-Name; {"events":[...]}
//   GET  {prefix}/2020-01-01/extension/event/next  Lambda-Extension-Identifier (no timeout)
//   POST {prefix}/2020-01-01/extension/init/error  Lambda-Extension-Identifier,
//   POST {prefix}/2020-01-01/extension/exit/error  Lambda-Extension-Function-Error-Type
//
// (AWS docs "Lambda Extensions API", https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html.)
// The API lives on the Runtime API's endpoint (AWS_LAMBDA_RUNTIME_API), so the path prefix of
// a URL-style endpoint (endpoint.h) applies here too.
//
// Thread safety: the request builders are pure functions. An ExtensionApiConnection is used
// by one thread at a time.
#ifndef ZEROSTART_SRC_RUNTIME_EXTENSION_API_H_
#define ZEROSTART_SRC_RUNTIME_EXTENSION_API_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "src/http/connection.h"
#include "src/http/message.h"
#include "src/runtime/endpoint.h"
#include "src/runtime/runtime_api_client.h"
#include "zerostart/status.h"

namespace zerostart::runtime {

// POST register for extension `name`, subscribing to `events` (wire names, e.g. "INVOKE"; may
// be empty: an extension that only wants the runtime to get SIGTERM).
http::Request ExtensionRegisterRequest(const RuntimeApiEndpoint& endpoint, std::string_view name,
                                       std::span<const std::string_view> events);

// GET event/next for the extension registered as `identifier`.
http::Request ExtensionNextRequest(const RuntimeApiEndpoint& endpoint,
                                   std::string_view identifier);

// POST `path` (lambda::kExtensionInitErrorPath or kExtensionExitErrorPath) for `identifier`,
// with error type `error_type` ("Category.Reason") and the JSON error body
// {"errorMessage":message,"errorType":error_type,"stackTrace":[]}.
http::Request ExtensionErrorRequest(const RuntimeApiEndpoint& endpoint, std::string_view path,
                                    std::string_view identifier, std::string_view error_type,
                                    std::string_view message);

// One connection to the Extensions API, opened on first use and kept alive between requests.
class ExtensionApiConnection {
 public:
  explicit ExtensionApiConnection(RuntimeApiEndpoint endpoint);

  const RuntimeApiEndpoint& endpoint() const { return endpoint_; }

  // Sends `request` and reads the answer, whatever its status. A kept-alive connection that
  // the server had closed (the write fails, or the read ends before any byte) is replaced once
  // and the request resent: nothing of it was answered. Blocks as long as the server does (no
  // timeout: Lambda freezes the environment while /event/next waits). Errors: Unavailable when
  // the endpoint cannot be reached or the connection breaks; InvalidArgument for a malformed
  // answer; the connection is dropped then, and the next call connects again.
  Result<http::Response> Exchange(const http::Request& request);

 private:
  RuntimeApiEndpoint endpoint_;
  std::optional<http::Connection> connection_;
};

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_EXTENSION_API_H_
