#include "src/runtime/extension_api.h"

#include <algorithm>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/runtime/error_json.h"
#include "zerostart/response.h"

namespace zerostart::runtime {
namespace {

http::Request StartRequest(const RuntimeApiEndpoint& endpoint, std::string_view method,
                           std::string_view path) {
  http::Request request;
  request.method = method;
  request.target = endpoint.path_prefix;
  request.target += path;
  AddCommonHeaders(endpoint, &request.headers);
  return request;
}

}  // namespace

http::Request ExtensionRegisterRequest(const RuntimeApiEndpoint& endpoint, std::string_view name,
                                       std::span<const std::string_view> events) {
  http::Request request = StartRequest(endpoint, "POST", lambda::kExtensionRegisterPath);
  request.headers.Add(std::string(lambda::kExtensionNameHeader), std::string(name));
  request.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  // An empty list, not null (aws-lambda-go sends null for its no-event extension; both parse
  // as "no events").
  request.body = "{\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0) request.body.push_back(',');
    AppendJsonString(events[i], &request.body);
  }
  request.body += "]}";
  return request;
}

http::Request ExtensionNextRequest(const RuntimeApiEndpoint& endpoint,
                                   std::string_view identifier) {
  http::Request request = StartRequest(endpoint, "GET", lambda::kExtensionNextPath);
  request.headers.Add(std::string(lambda::kExtensionIdentifierHeader), std::string(identifier));
  return request;
}

http::Request ExtensionErrorRequest(const RuntimeApiEndpoint& endpoint, std::string_view path,
                                    std::string_view identifier, std::string_view error_type,
                                    std::string_view message) {
  http::Request request = StartRequest(endpoint, "POST", path);
  request.headers.Add(std::string(lambda::kExtensionIdentifierHeader), std::string(identifier));
  request.headers.Add(std::string(lambda::kExtensionErrorTypeHeader), std::string(error_type));
  request.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  SerializeErrorBody(FunctionError{std::string(error_type), std::string(message), {}}, &request.body);
  return request;
}

ExtensionApiConnection::ExtensionApiConnection(RuntimeApiEndpoint endpoint)
    : endpoint_(std::move(endpoint)) {}

Result<http::Response> ExtensionApiConnection::Exchange(const http::Request& request) {
  for (;;) {
    const bool reused = connection_.has_value();
    if (!reused) {
      ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect(endpoint_.address));
      connection_.emplace(std::move(fd));
    }
    Status failure = connection_->Write(request);
    if (failure.ok()) {
      Result<http::Response> response = connection_->ReadResponse();
      if (response.ok()) {
        if (ServerWantsClose(*response)) connection_.reset();
        return response;
      }
      failure = response.status();
    }
    connection_.reset();
    // Only a reused connection failing before any byte of an answer is a stale keep-alive
    // (Unavailable from the write, or from a read that saw the close first).
    if (!reused || failure.code() != StatusCode::kUnavailable) return failure;
  }
}

}  // namespace zerostart::runtime
