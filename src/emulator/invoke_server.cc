#include "src/emulator/invoke_server.h"

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

}  // namespace

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

InvokeResult InvokeServer::Handle(http::Request& request, std::string* request_id,
                                  http::Headers* extra) {
  std::optional<std::string> name = InvokeTargetFunction(request.target);
  if (!name) {
    InvokeResult result = ServiceError(404, "", "No route for " + request.method + " " + request.target);
    result.exception.clear();
    return result;
  }
  if (request.method != "POST") {
    extra->Add("Allow", "POST");
    InvokeResult result = ServiceError(405, "", "Invoke takes POST, not " + request.method);
    result.exception.clear();
    return result;
  }
  if (!NamesFunction(*name, function_name_)) {
    return ServiceError(404, lambda::kResourceNotFoundException,
                        "Function not found: " + *name + " (this emulator serves '" + function_name_ +
                            "'; 'function' works too)");
  }
  auto parsed = ParseInvoke(request, std::chrono::system_clock::now());
  if (auto* rejection = std::get_if<InvokeResult>(&parsed)) return std::move(*rejection);
  ParsedInvoke& invoke = std::get<ParsedInvoke>(parsed);

  *request_id = NewRequestId();
  if (invoke.type == InvocationType::kDryRun) return EmptyResult(204);
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = *request_id;
  invocation->request = std::move(invoke.request);
  if (invoke.type == InvocationType::kEvent) {
    dispatcher_->InvokeAsync(std::move(invocation));
    return EmptyResult(202);
  }
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
      http::Response response;
      response.status = result.http_status;
      response.headers.Add(std::string(lambda::kContentTypeHeader), result.content_type);
      if (!result.exception.empty()) {
        response.headers.Add(std::string(lambda::kAmznErrorTypeHeader), result.exception);
      }
      response.headers.Add("Connection", "close");
      response.body = std::move(result.body);
      (void)connection.Write(response);
      LingeringClose(connection);
      return;
    }
    http::Request& request = *read;
    const bool close = WantsClose(request);
    std::string request_id;
    http::Response response;
    InvokeResult result = Handle(request, &request_id, &response.headers);

    response.status = result.http_status;
    if (request_id.empty()) request_id = NewRequestId();  // Lambda sends one with every answer
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
    if (result.http_status != 204 && result.http_status != 202) {
      response.headers.Add("Content-Length", std::to_string(result.body.size()));
    }
    Status written = WriteHeadAndBody(connection, http::SerializeResponseHead(response), result.body);
    if (!written.ok() || close) return;
  }
}

}  // namespace zerostart::emulator
