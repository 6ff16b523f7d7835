#include "src/emulator/invoke_server.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <variant>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "src/common/lambda_protocol.h"
#include "src/emulator/errors.h"
#include "src/emulator/event_stream_answer.h"
#include "src/emulator/function_url_event.h"
#include "src/emulator/url_answer.h"
#include "src/emulator/ids.h"
#include "src/emulator/invoke_request.h"

namespace zerostart::emulator {
namespace {

bool WantsClose(const http::Request& request) {
  auto value = request.headers.Get("Connection");
  return value && http::EqualsIgnoreCase(*value, "close");
}

// The address of the peer of `fd`, for a Function URL event's sourceIp ("127.0.0.1" when
// unknown).
std::string PeerAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "127.0.0.1";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address)->sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr, text, sizeof(text));
  }
  return text[0] != '\0' ? std::string(text) : std::string("127.0.0.1");
}

// A plain-text answer on the Function URL route (it is not the Invoke API: no JSON error).
http::Response UrlPlainError(int status, std::string message) {
  http::Response response;
  response.status = status;
  response.headers.Add(std::string(lambda::kContentTypeHeader), "text/plain; charset=utf-8");
  response.body = std::move(message) + "\n";
  return response;
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
  if (!result.log_result.empty()) {
    response.headers.Add(std::string(lambda::kLogResultHeader), result.log_result);
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
                                                           std::vector<ServedFunction> functions) {
  if (functions.empty()) return InvalidArgumentError("the Invoke API needs a function to serve");
  std::unique_ptr<InvokeServer> server(new InvokeServer(std::move(functions)));
  http::Limits limits;
  limits.max_body_bytes = kMaxReadableBody;
  InvokeServer* self = server.get();
  ZS_ASSIGN_OR_RETURN(server->server_,
                      TcpServer::Listen(address, limits,
                                        [self](http::Connection& connection) { self->Serve(connection); }));
  return server;
}

const ServedFunction* InvokeServer::Find(std::string_view requested) const {
  // 'function' stands for the only function; with several it names none of them.
  if (requested == "function" && functions_.size() > 1) return nullptr;
  for (const ServedFunction& function : functions_) {
    if (NamesFunction(requested, function.name)) return &function;
  }
  return nullptr;
}

std::string InvokeServer::NotFoundMessage(std::string_view requested) const {
  if (functions_.size() == 1) {
    return "Function not found: " + std::string(requested) + " (this emulator serves '" + functions_[0].name +
           "'; 'function' works too)";
  }
  std::string names;
  for (const ServedFunction& function : functions_) names += (names.empty() ? "'" : ", '") + function.name + "'";
  return "Function not found: " + std::string(requested) + " (this emulator serves " + names + ")";
}

InvokeResult InvokeServer::Handle(http::Request& request, DirectReply* direct, http::Headers* extra) {
  std::optional<std::string> name = InvokeTargetFunction(request.target);
  if (!name) return ServiceError(404, "", "No route for " + request.method + " " + request.target);
  if (request.method != "POST") {
    extra->Add("Allow", "POST");
    return ServiceError(405, "", "Invoke takes POST, not " + request.method);
  }
  const ServedFunction* function = Find(*name);
  if (function == nullptr) return ServiceError(404, lambda::kResourceNotFoundException, NotFoundMessage(*name));
  auto parsed = ParseInvoke(request, std::chrono::system_clock::now());
  if (auto* rejection = std::get_if<InvokeResult>(&parsed)) return std::move(*rejection);
  ParsedInvoke& invoke = std::get<ParsedInvoke>(parsed);

  direct->request_id = NewRequestId();
  if (invoke.type == InvocationType::kDryRun) return EmptyResult(204);
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = direct->request_id;
  // Lambda returns the tail only to a synchronous caller (Invoke API reference, LogType).
  if (invoke.request.log_tail && invoke.type == InvocationType::kRequestResponse) {
    invocation->log_tail = std::make_shared<LogTail>(lambda::kLogTailBytes);
  }
  invocation->request = std::move(invoke.request);
  if (invoke.type == InvocationType::kEvent) {
    function->pool->InvokeAsync(std::move(invocation));
    return EmptyResult(202);
  }
  invocation->reply = [direct](const InvokeResult& result) { direct->Send(result); };
  return function->pool->Invoke(std::move(invocation));
}

bool InvokeServer::SendWhole(http::Connection& connection, const InvokeResult& result,
                             const std::string& request_id, bool close, http::Headers extra) {
  Status written = WriteHeadAndBody(connection, AnswerHead(result, request_id, close, std::move(extra)),
                                    result.body);
  return written.ok() && !close;
}

bool InvokeServer::ServeStreamInvoke(http::Connection& connection, http::Request& request,
                                     std::string_view name, bool close) {
  std::string request_id = NewRequestId();
  if (request.method != "POST") {
    http::Headers allow;
    allow.Add("Allow", "POST");
    return SendWhole(connection, ServiceError(405, "", "InvokeWithResponseStream takes POST, not " + request.method),
                     request_id, close, std::move(allow));
  }
  const ServedFunction* function = Find(name);
  if (function == nullptr) {
    return SendWhole(connection, ServiceError(404, lambda::kResourceNotFoundException, NotFoundMessage(name)),
                     request_id, close);
  }
  auto parsed = ParseInvoke(request, std::chrono::system_clock::now());
  if (auto* rejection = std::get_if<InvokeResult>(&parsed)) {
    return SendWhole(connection, *rejection, request_id, close);
  }
  ParsedInvoke& invoke = std::get<ParsedInvoke>(parsed);
  if (invoke.type == InvocationType::kEvent) {
    // The operation's InvocationType has only RequestResponse and DryRun (Lambda API reference).
    return SendWhole(connection,
                     ServiceError(400, lambda::kInvalidParameterValueException,
                                  "1 validation error detected: Value 'Event' at 'invocationType' failed "
                                  "to satisfy constraint: Member must satisfy enum value set: "
                                  "[RequestResponse, DryRun]"),
                     request_id, close);
  }
  if (invoke.type == InvocationType::kDryRun) return SendWhole(connection, EmptyResult(204), request_id, close);

  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = request_id;
  if (invoke.request.log_tail) invocation->log_tail = std::make_shared<LogTail>(lambda::kLogTailBytes);
  invocation->request = std::move(invoke.request);
  auto answer = std::make_shared<EventStreamAnswer>(connection.fd());
  invocation->stream = answer;
  // The head goes out once the invoke is admitted (a throttled one is answered 429 instead) and
  // before the function runs: the caller's SDK returns from send() at once and reads events as
  // they come.
  // The head is written under the pool's lock (before the function can write), so it must not
  // block: a fresh answer's few hundred bytes fit the socket buffer unless the caller has left
  // earlier answers unread. Then the invoke runs with nobody to stream to and the connection
  // closes.
  bool head_sent = false;
  bool head_failed = false;
  Invocation* admitted = invocation.get();
  InvokeResult result = function->pool->Invoke(std::move(invocation), [&] {
    const std::string head = EventStreamAnswer::HeadFor(request_id, close);
    head_sent = ::send(connection.fd(), head.data(), head.size(), MSG_DONTWAIT | MSG_NOSIGNAL) ==
                static_cast<ssize_t>(head.size());
    if (!head_sent) {
      head_failed = true;
      admitted->stream.reset();
    }
  });
  if (!head_sent) {
    if (!head_failed && result.http_status >= 400) return SendWhole(connection, result, request_id, close);
    return false;
  }
  return answer->Finish(result) && !close;
}

bool InvokeServer::ServeUrl(http::Connection& connection, http::Request& request, bool close) {
  std::string request_id = NewRequestId();
  auto send_plain = [&](int status, std::string message) {
    http::Response response = UrlPlainError(status, std::move(message));
    response.headers.Add(std::string(lambda::kRequestIdResponseHeader), request_id);
    if (close) response.headers.Add("Connection", "close");
    return connection.Write(response).ok() && !close;
  };
  Result<UrlTarget> target = ParseUrlTarget(request.target);
  if (!target.ok()) return send_plain(400, "Bad request: " + target.status().message());
  const ServedFunction* function = Find(target->function_name);
  if (function == nullptr || !function->function_url) {
    std::string urls;
    for (const ServedFunction& served : functions_) {
      if (served.function_url) urls += (urls.empty() ? "'" : ", '") + served.name + "'";
    }
    return send_plain(404, "No function URL for '" + target->function_name + "' (this emulator serves " +
                               (urls.empty() ? std::string("none") : urls) + ")");
  }
  if (request.body.size() > lambda::kMaxPayloadBytes) {
    return send_plain(413, "Request must be smaller than " + std::to_string(lambda::kMaxPayloadBytes) + " bytes");
  }
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  UrlEventContext context;
  context.request_id = request_id;
  context.url_id = UrlIdForFunction(function->name);
  context.source_ip = PeerAddress(connection.fd());
  context.now = now;
  Result<std::string> event = BuildUrlEvent(request, *target, context);
  if (!event.ok()) return send_plain(400, "Bad request: " + event.status().message());

  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = request_id;
  invocation->request.payload = std::move(event).value();
  if (auto trace = request.headers.Get(lambda::kTraceIdInvokeHeader); trace && !trace->empty()) {
    invocation->request.trace_id = std::string(*trace);
  } else {
    invocation->request.trace_id = NewTraceId(now);
  }
  auto answer = std::make_shared<UrlAnswer>(connection.fd(), request_id, close, request.method == "HEAD");
  invocation->stream = answer;
  InvokeResult result = function->pool->Invoke(std::move(invocation));
  if (result.http_status == 429) {
    // Throttled before it ran: a function URL answers with the Invoke API's 429 body.
    http::Response response;
    response.status = 429;
    response.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
    response.headers.Add(std::string(lambda::kRequestIdResponseHeader), request_id);
    if (close) response.headers.Add("Connection", "close");
    response.body = std::move(result.body);
    return connection.Write(response).ok() && !close;
  }
  return answer->Finish(result);
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
    if (std::optional<std::string> name = StreamInvokeTargetFunction(request.target)) {
      if (!ServeStreamInvoke(connection, request, *name, WantsClose(request))) return;
      continue;
    }
    if (request.target.starts_with(lambda::kFunctionUrlPrefix)) {
      if (!ServeUrl(connection, request, WantsClose(request))) return;
      continue;
    }
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
