#include "src/emulator/runtime_api_server.h"

#include <poll.h>

#include "src/common/lambda_protocol.h"
#include "src/emulator/errors.h"

namespace zerostart::emulator {
namespace {

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

bool WantsClose(const http::Request& request) {
  auto value = request.headers.Get("Connection");
  return value && http::EqualsIgnoreCase(*value, "close");
}

http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  response.body = std::move(body);
  return response;
}

http::Response Accepted() { return JsonResponse(202, std::string(lambda::kAcceptedBody)); }

http::Response InvalidRequestId() {
  return JsonResponse(400, RuntimeApiErrorJson(lambda::kRapiErrorInvalidRequestId, "Invalid request ID"));
}

http::Response TooLarge() {
  return JsonResponse(413, RuntimeApiErrorJson(lambda::kRapiErrorRequestEntityTooLarge,
                                               "Exceeded maximum allowed payload size (" +
                                                   std::to_string(lambda::kMaxPayloadBytes) +
                                                   " bytes)."));
}

http::Response InvalidState(std::string_view from, std::string_view to) {
  return JsonResponse(403, RuntimeApiErrorJson(lambda::kRapiErrorInvalidStateTransition,
                                               "State transition from " + std::string(from) + " to " +
                                                   std::string(to) +
                                                   " failed for runtime. Error: State transition is "
                                                   "not allowed"));
}

http::Response FromOutcome(Environment::PostOutcome outcome, std::string_view to_state) {
  switch (outcome) {
    case Environment::PostOutcome::kAccepted: return Accepted();
    case Environment::PostOutcome::kInvalidRequestId: return InvalidRequestId();
    case Environment::PostOutcome::kTooLarge: return TooLarge();
    case Environment::PostOutcome::kInvalidState: return InvalidState("Ready", to_state);
  }
  return InvalidRequestId();
}

// True when the peer has already closed its side: a connection of a function process that was
// killed, accepted only after its death, must not be mistaken for the next instance's /next.
bool PeerClosed(int fd) {
  pollfd pfd{fd, POLLRDHUP, 0};
  return ::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

// The request id of a POST /runtime/invocation/{id}/response that announces a response mode
// (streamed), or nullopt for every other request.
std::optional<std::string_view> StreamedResponseId(const http::Request& head) {
  if (head.method != "POST" || !head.headers.Has(lambda::kResponseModeHeader)) return std::nullopt;
  std::string_view path = PathOf(head.target);
  if (path.substr(0, lambda::kInvocationPrefix.size()) != lambda::kInvocationPrefix) return std::nullopt;
  std::string_view rest = path.substr(lambda::kInvocationPrefix.size());
  size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos || rest.substr(slash) != lambda::kResponseSuffix) {
    return std::nullopt;
  }
  return rest.substr(0, slash);
}

http::Response RefusalResponse(const ExtensionRefusal& refusal) {
  return JsonResponse(refusal.http_status, RuntimeApiErrorJson(refusal.error_type, refusal.message));
}

bool IsExtensionPath(std::string_view path) {
  return path == lambda::kExtensionRegisterPath || path == lambda::kExtensionNextPath ||
         path == lambda::kExtensionInitErrorPath || path == lambda::kExtensionExitErrorPath;
}

}  // namespace

http::Response RuntimeApiServer::ServeExtensionCall(const http::Request& request, std::string_view path) {
  const bool is_next = path == lambda::kExtensionNextPath;
  std::string_view method = is_next ? "GET" : "POST";
  if (request.method != method) {
    http::Response response = JsonResponse(405, RuntimeApiErrorJson("MethodNotAllowed", "use " + std::string(method)));
    response.headers.Add("Allow", std::string(method));
    return response;
  }
  if (path == lambda::kExtensionRegisterPath) {
    std::string_view name = request.headers.Get(lambda::kExtensionNameHeader).value_or("");
    std::string_view features = request.headers.Get(lambda::kExtensionAcceptFeatureHeader).value_or("");
    Environment::ExtensionAnswer answer = environment_.RegisterExtension(
        name, request.body, features.find("accountId") != std::string_view::npos);
    if (answer.refusal) return RefusalResponse(*answer.refusal);
    http::Response response = JsonResponse(200, std::move(answer.body));
    response.headers.Add(std::string(lambda::kExtensionIdentifierHeader), answer.identifier);
    return response;
  }
  std::optional<std::string_view> id = request.headers.Get(lambda::kExtensionIdentifierHeader);
  if (!id || id->empty()) {
    return RefusalResponse({403, std::string(lambda::kExtErrorMissingIdentifier),
                            "Missing " + std::string(lambda::kExtensionIdentifierHeader) + " header"});
  }
  std::string_view error_type = request.headers.Get(lambda::kExtensionErrorTypeHeader).value_or("");
  Environment::ExtensionAnswer answer =
      environment_.ReportExtensionError(*id, error_type, path == lambda::kExtensionInitErrorPath);
  if (answer.refusal) return RefusalResponse(*answer.refusal);
  return Accepted();
}

http::Response RuntimeApiServer::ServeTelemetrySubscribe(const http::Request& request) {
  if (request.method != "PUT") {
    http::Response response = JsonResponse(405, RuntimeApiErrorJson("MethodNotAllowed", "use PUT"));
    response.headers.Add("Allow", "PUT");
    return response;
  }
  std::string_view id = request.headers.Get(lambda::kExtensionIdentifierHeader).value_or("");
  if (id.empty()) {
    return RefusalResponse({403, std::string(lambda::kExtErrorMissingIdentifier),
                            "Missing " + std::string(lambda::kExtensionIdentifierHeader) + " header"});
  }
  ExtensionRefusal refusal;
  TelemetrySubscribeAnswer answer = environment_.SubscribeTelemetry(id, request.body, &refusal);
  if (!refusal.error_type.empty()) return RefusalResponse(refusal);
  return JsonResponse(answer.status, std::move(answer.body));
}

bool RuntimeApiServer::ServeExtensionNext(http::Connection& connection, const http::Request& request) {
  std::string_view id = request.headers.Get(lambda::kExtensionIdentifierHeader).value_or("");
  ExtensionRefusal refusal;
  std::optional<std::string> event;
  if (id.empty()) {
    refusal = {403, std::string(lambda::kExtErrorMissingIdentifier),
               "Missing " + std::string(lambda::kExtensionIdentifierHeader) + " header"};
  } else {
    // An abandoned long-poll (its client gave up and asked again) must not take the event.
    if (PeerClosed(connection.fd())) return false;
    event = environment_.NextExtensionEvent(id, &refusal);
  }
  if (!event) {
    if (refusal.error_type.empty()) return false;  // the environment is gone
    return connection.Write(RefusalResponse(refusal)).ok();
  }
  http::Response response = JsonResponse(200, *event);
  response.headers.Add(std::string(lambda::kExtensionIdentifierHeader), std::string(id));
  if (connection.Write(response).ok()) return true;
  environment_.ReturnExtensionEvent(id, std::move(*event));
  return false;
}

Result<std::unique_ptr<RuntimeApiServer>> RuntimeApiServer::Listen(Environment& environment,
                                                                   std::string function_arn,
                                                                   StreamLimits stream_limits) {
  std::unique_ptr<RuntimeApiServer> server(
      new RuntimeApiServer(environment, std::move(function_arn), stream_limits));
  http::Limits limits;
  limits.max_body_bytes = kMaxReadableBody;
  // Streamed responses arrive here: each read is relayed as one piece (one event, one send).
  limits.read_buffer_bytes = 256 * 1024;
  RuntimeApiServer* self = server.get();
  ZS_ASSIGN_OR_RETURN(server->server_,
                      TcpServer::Listen({"127.0.0.1", 0}, limits,
                                        [self](http::Connection& connection) { self->Serve(connection); }));
  return server;
}

bool RuntimeApiServer::ServeNext(http::Connection& connection) {
  if (PeerClosed(connection.fd())) return false;
  std::shared_ptr<Invocation> invocation = environment_.Next();
  if (!invocation) return false;
  const InvokeRequest& request = invocation->request;
  http::Response response;
  response.status = 200;
  http::Headers& headers = response.headers;
  headers.Add(std::string(lambda::kRequestIdHeader), invocation->request_id);
  headers.Add(std::string(lambda::kDeadlineMsHeader), std::to_string(invocation->deadline_epoch_ms));
  headers.Add(std::string(lambda::kFunctionArnHeader), function_arn_);
  headers.Add(std::string(lambda::kTraceIdHeader), request.trace_id);
  if (!request.client_context.empty()) {
    headers.Add(std::string(lambda::kClientContextHeader), request.client_context);
  }
  if (!request.tenant_id.empty()) headers.Add(std::string(lambda::kTenantIdHeader), request.tenant_id);
  headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  headers.Add("Content-Length", std::to_string(request.payload.size()));
  Status written = WriteHeadAndBody(connection, http::SerializeResponseHead(response), request.payload);
  // A failed write: the function is gone or going; its exit (or the timeout) answers the invoke.
  return written.ok();
}

void RuntimeApiServer::AnswerReadError(http::Connection& connection, const Status& error) {
  if (error.code() == StatusCode::kResourceExhausted) {
    // A body beyond what we read: most likely an oversized /response.
    Environment::PostResult post = environment_.ResponseTooLargeToRead();
    http::Response response = TooLarge();
    response.headers.Add("Connection", "close");
    (void)connection.Write(response);
    if (post.report) environment_.Report(std::move(*post.report));
  } else {
    http::Response response =
        JsonResponse(400, RuntimeApiErrorJson(lambda::kRapiErrorInvalidRequestFormat, error.message()));
    response.headers.Add("Connection", "close");
    (void)connection.Write(response);
  }
  LingeringClose(connection);
}

bool RuntimeApiServer::ServeStream(http::Connection& connection, const http::Request& head,
                                   std::string_view id_view) {
  // `head` lives in the connection's parser: copy what is needed before reading the body.
  const std::string id(id_view);
  const std::string mode(head.headers.Get(lambda::kResponseModeHeader).value_or(""));
  std::string content_type(head.headers.Get(lambda::kContentTypeHeader).value_or(""));
  const bool close = WantsClose(head);

  http::Response response;
  std::optional<ReportTicket> report;
  if (!http::EqualsIgnoreCase(mode, lambda::kResponseModeStreaming)) {
    Result<http::Request> rest = connection.ReadRequestRest();
    if (!rest.ok()) {
      AnswerReadError(connection, rest.status());
      return false;
    }
    std::string error = InvalidResponseModeJson(mode);
    Environment::PostResult post = environment_.PostError(id, error, lambda::kErrorTypeInvalidResponseMode);
    response = post.outcome == Environment::PostOutcome::kAccepted ? JsonResponse(400, std::move(error))
                                                                    : FromOutcome(post.outcome, "InvocationResponse");
    report = std::move(post.report);
  } else {
    Environment::StreamStart start = environment_.BeginStream(id);
    if (start.outcome != Environment::PostOutcome::kAccepted) {
      // Not ours to relay: drain it (as a stream, nothing kept) and refuse it.
      std::string discard;
      connection.SetRequestBodyLimit(stream_limits_.max_bytes + 1);
      for (;;) {
        discard.clear();
        Result<bool> done = connection.ReadRequestBody(&discard);
        if (!done.ok()) {
          AnswerReadError(connection, done.status());
          return false;
        }
        if (*done) break;
      }
      (void)connection.TakeRequest();
      response = FromOutcome(start.outcome, "InvocationResponse");
    } else {
      RelayResult relay = RelayStream(connection, *start.invocation, std::move(content_type), stream_limits_);
      switch (relay.ending) {
        case RelayResult::Ending::kBroken:
          // The function died mid-stream (its exit answers the invoke) or sent malformed bytes
          // (then its timeout does).
          environment_.EndRelay(*start.invocation);
          if (relay.error.code() != StatusCode::kUnavailable) AnswerReadError(connection, relay.error);
          return false;
        case RelayResult::Ending::kTooLarge: {
          Environment::PostResult post = environment_.FinishStream(id, std::move(relay.end));
          environment_.EndRelay(*start.invocation);
          response = TooLarge();
          response.headers.Add("Connection", "close");
          (void)connection.Write(response);
          if (post.report) environment_.Report(std::move(*post.report));
          LingeringClose(connection);
          return false;
        }
        case RelayResult::Ending::kComplete: {
          Environment::PostResult post = environment_.FinishStream(id, std::move(relay.end));
          environment_.EndRelay(*start.invocation);
          response = FromOutcome(post.outcome, "InvocationResponse");
          report = std::move(post.report);
          break;
        }
      }
    }
  }
  if (close) response.headers.Add("Connection", "close");
  bool written = connection.Write(response).ok();
  if (report) environment_.Report(std::move(*report));
  return written && !close;
}

void RuntimeApiServer::Serve(http::Connection& connection) {
  for (;;) {
    Result<const http::Request*> head = connection.ReadRequestHead();
    if (!head.ok()) {
      if (head.status().code() == StatusCode::kUnavailable) return;  // the function closed it
      AnswerReadError(connection, head.status());
      return;
    }
    if (std::optional<std::string_view> id = StreamedResponseId(**head)) {
      if (!ServeStream(connection, **head, *id)) return;
      continue;
    }
    Result<http::Request> read = connection.ReadRequestRest();
    if (!read.ok()) {
      AnswerReadError(connection, read.status());
      return;
    }
    http::Request& request = *read;
    const bool close = WantsClose(request);
    std::string_view path = PathOf(request.target);

    if (path == lambda::kNextPath) {
      if (request.method != "GET") {
        http::Response response = JsonResponse(405, RuntimeApiErrorJson("MethodNotAllowed", "use GET"));
        response.headers.Add("Allow", "GET");
        if (!connection.Write(response).ok()) return;
        continue;
      }
      if (!ServeNext(connection) || close) return;
      continue;
    }

    if (path == lambda::kExtensionNextPath && request.method == "GET") {
      if (!ServeExtensionNext(connection, request) || close) return;
      continue;
    }

    http::Response response;
    std::optional<ReportTicket> report;
    std::string_view content_type = request.headers.Get(lambda::kContentTypeHeader).value_or("");
    std::string_view error_type = request.headers.Get(lambda::kFunctionErrorTypeHeader).value_or("");
    if (path.substr(0, lambda::kInvocationPrefix.size()) == lambda::kInvocationPrefix &&
        path.size() > lambda::kInvocationPrefix.size()) {
      std::string_view rest = path.substr(lambda::kInvocationPrefix.size());
      size_t slash = rest.find('/');
      std::string_view id = rest.substr(0, slash);
      std::string_view action = slash == std::string_view::npos ? "" : rest.substr(slash);
      bool is_response = action == lambda::kResponseSuffix;
      bool is_error = action == lambda::kErrorSuffix;
      if (id.empty() || (!is_response && !is_error)) {
        response = JsonResponse(404, RuntimeApiErrorJson("NotFound", "no route for " + std::string(path)));
      } else if (request.method != "POST") {
        response = JsonResponse(405, RuntimeApiErrorJson("MethodNotAllowed", "use POST"));
        response.headers.Add("Allow", "POST");
      } else {
        Environment::PostResult post =
            is_response ? environment_.PostResponse(id, std::move(request.body), std::string(content_type))
                        : environment_.PostError(id, request.body, error_type);
        response = FromOutcome(post.outcome, is_response ? "InvocationResponse" : "InvocationErrorResponse");
        report = std::move(post.report);
      }
    } else if (IsExtensionPath(path)) {
      response = ServeExtensionCall(request, path);
    } else if (path == lambda::kTelemetryPath) {
      response = ServeTelemetrySubscribe(request);
    } else if (path == lambda::kInitErrorPath) {
      if (request.method != "POST") {
        response = JsonResponse(405, RuntimeApiErrorJson("MethodNotAllowed", "use POST"));
        response.headers.Add("Allow", "POST");
      } else {
        Environment::PostResult post = environment_.PostInitError(request.body, error_type);
        response = FromOutcome(post.outcome, "InitError");
        report = std::move(post.report);
      }
    } else {
      response = JsonResponse(404, RuntimeApiErrorJson("NotFound", "no route for " + std::string(path)));
    }
    if (close) response.headers.Add("Connection", "close");
    bool written = connection.Write(response).ok();
    // Always report: the next hand-over waits for it.
    if (report) environment_.Report(std::move(*report));
    if (!written || close) return;
  }
}

}  // namespace zerostart::emulator
