#include "src/emulator/invoke_server.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <variant>

#include "src/common/lambda_protocol.h"
#include "src/emulator/errors.h"
#include "src/emulator/ids.h"
#include "src/emulator/invoke_request.h"

namespace zerostart::emulator {
namespace {

bool WantsClose(const http::Request& request) {
  auto value = request.headers.Get("Connection");
  return value && http::EqualsIgnoreCase(*value, "close");
}

InvokeResult EmptyResult(int status) {
  InvokeResult result;
  result.http_status = status;
  return result;
}

// The status line and headers of the answer to an invoke (Lambda's headers), for `result`.
std::string AnswerHead(const InvokeResult& result, const std::string& request_id, bool close,
                       http::Headers headers) {
  http::Response response;
  response.status = result.http_status;
  response.headers = std::move(headers);
  response.headers.Add(std::string(lambda::kRequestIdResponseHeader), request_id);
  if (result.http_status == 200) {
    response.headers.Add(std::string(lambda::kExecutedVersionHeader), std::string(lambda::kLatestVersion));
  }
  if (result.function_error) {
    response.headers.Add(std::string(lambda::kFunctionErrorHeader), std::string(lambda::kUnhandled));
  }
  if (!result.exception.empty()) {
    response.headers.Add(std::string(lambda::kAmznErrorTypeHeader), result.exception);
  }
  if (!result.content_type.empty()) {
    response.headers.Add(std::string(lambda::kContentTypeHeader), result.content_type);
  }
  if (close) response.headers.Add("Connection", "close");
  if (result.http_status != 204) {
    response.headers.Add("Content-Length", std::to_string(result.body.size()));
  }
  return http::SerializeResponseHead(response);
}

}  // namespace

// An answer sent by the thread that produced it (Invocation::reply): as much as the socket
// takes without blocking; the connection's own thread sends the rest.
struct InvokeServer::DirectReply {
  int fd = -1;
  std::string request_id;
  bool close = false;
  bool used = false;
  std::string head;
  size_t sent = 0;  // bytes of head + body already sent

  void Send(const InvokeResult& result) {
    used = true;
    head = AnswerHead(result, request_id, close, {});
    iovec iov[2] = {{head.data(), head.size()},
                    {const_cast<char*>(result.body.data()), result.body.size()}};
    msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = 2;
    ssize_t n = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    sent = n > 0 ? static_cast<size_t>(n) : 0;
  }
};

Result<std::unique_ptr<InvokeServer>> InvokeServer::Listen(const net::HostPort& address,
                                                           Dispatcher* dispatcher,
                                                           std::string function_name) {
  std::unique_ptr<InvokeServer> server(new InvokeServer(dispatcher, std::move(function_name)));
  http::Limits limits;
  limits.max_body_bytes = kMaxReadableBody;
  InvokeServer* self = server.get();
  ZS_ASSIGN_OR_RETURN(server->server_,
                      TcpServer::Listen(address, limits,
                                        [self](http::Connection& connection) { self->Serve(connection); }));
  return server;
}

InvokeResult InvokeServer::Handle(http::Request& request, DirectReply* direct, http::Headers* extra) {
  std::optional<std::string> name = InvokeTargetFunction(request.target);
  if (!name) return ServiceError(404, "", "No route for " + request.method + " " + request.target);
  if (request.method != "POST") {
    extra->Add("Allow", "POST");
    return ServiceError(405, "", "Invoke takes POST, not " + request.method);
  }
  if (!NamesFunction(*name, function_name_)) {
    return ServiceError(404, lambda::kResourceNotFoundException,
                        "Function not found: " + *name + " (this emulator serves '" + function_name_ +
                            "'; 'function' works too)");
  }
  auto parsed = ParseInvoke(request, std::chrono::system_clock::now());
  if (auto* rejection = std::get_if<InvokeResult>(&parsed)) return std::move(*rejection);
  ParsedInvoke& invoke = std::get<ParsedInvoke>(parsed);

  direct->request_id = NewRequestId();
  if (invoke.type == InvocationType::kDryRun) return EmptyResult(204);
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = direct->request_id;
  invocation->request = std::move(invoke.request);
  if (invoke.type == InvocationType::kEvent) {
    dispatcher_->InvokeAsync(std::move(invocation));
    return EmptyResult(202);
  }
  invocation->reply = [direct](const InvokeResult& result) { direct->Send(result); };
  return dispatcher_->Invoke(std::move(invocation));
}

void InvokeServer::Serve(http::Connection& connection) {
  for (;;) {
    Result<http::Request> read = connection.ReadRequest();
    if (!read.ok()) {
      if (read.status().code() == StatusCode::kUnavailable) return;  // the caller hung up
      InvokeResult result =
          read.status().code() == StatusCode::kResourceExhausted
              ? ServiceError(413, lambda::kRequestTooLargeException,
                             "Request must be smaller than " + std::to_string(lambda::kMaxPayloadBytes) +
                                 " bytes for the InvokeFunction operation")
              : ServiceError(400, "", "Malformed HTTP request: " + read.status().message());
      (void)WriteHeadAndBody(connection, AnswerHead(result, NewRequestId(), /*close=*/true, {}), result.body);
      LingeringClose(connection);
      return;
    }
    http::Request& request = *read;
    DirectReply direct;
    direct.fd = connection.fd();
    direct.close = WantsClose(request);
    http::Headers extra;
    InvokeResult result = Handle(request, &direct, &extra);

    Status written;
    if (direct.used) {
      // The head and body, from where the answering thread stopped.
      size_t sent = direct.sent;
      std::string_view head = direct.head;
      std::string_view body = result.body;
      if (sent < head.size()) {
        written = net::WriteAll2(connection.fd(), head.substr(sent), body);
      } else if (sent - head.size() < body.size()) {
        written = net::WriteAll(connection.fd(), body.substr(sent - head.size()));
      }
    } else {
      // Lambda sends a request id with every answer.
      if (direct.request_id.empty()) direct.request_id = NewRequestId();
      written = WriteHeadAndBody(connection,
                                 AnswerHead(result, direct.request_id, direct.close, std::move(extra)),
                                 result.body);
    }
    if (!written.ok() || direct.close) return;
  }
}

}  // namespace zerostart::emulator
