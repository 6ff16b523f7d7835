// ExtensionClient (zerostart/extension.h) over the HTTP pieces of extension_api.h and the JSON
// readers of extension_json.h.
#include <string>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/runtime/endpoint.h"
#include "src/runtime/extension_api.h"
#include "src/runtime/extension_json.h"
#include "zerostart/extension.h"

namespace zerostart {
namespace {

constexpr std::string_view kRegisterCall = "POST extension/register";
constexpr std::string_view kNextCall = "GET extension/event/next";
constexpr std::string_view kInitErrorCall = "POST extension/init/error";
constexpr std::string_view kExitErrorCall = "POST extension/exit/error";

bool IsSuccess(int status) { return status >= 200 && status < 300; }

}  // namespace

std::string_view ExtensionEventTypeName(ExtensionEventType type) {
  switch (type) {
    case ExtensionEventType::kInvoke:
      return lambda::kExtensionEventInvoke;
    case ExtensionEventType::kShutdown:
      return lambda::kExtensionEventShutdown;
  }
  return "UNKNOWN";
}

class ExtensionClient::Impl {
 public:
  Impl(runtime::RuntimeApiEndpoint endpoint, ExtensionRegistration registration)
      : next_connection_(std::move(endpoint)), registration_(std::move(registration)) {
    next_ = runtime::ExtensionNextRequest(next_connection_.endpoint(), registration_.identifier);
  }

  const ExtensionRegistration& registration() const { return registration_; }

  Result<ExtensionEvent> Next() {
    Result<http::Response> answer = next_connection_.Exchange(next_);
    if (!answer.ok()) return answer.status().WithContext(kNextCall);
    if (!IsSuccess(answer->status)) return runtime::ExtensionApiError(kNextCall, *answer);
    return runtime::ParseExtensionEvent(answer->body);
  }

  Status PostError(std::string_view call, std::string_view path, std::string_view error_type,
                   std::string_view message) const {
    if (error_type.empty()) return InvalidArgumentError(std::string(call) + ": empty error type");
    // A connection of its own: Next() may be blocked on next_connection_ meanwhile.
    runtime::ExtensionApiConnection connection(next_connection_.endpoint());
    Result<http::Response> answer = connection.Exchange(runtime::ExtensionErrorRequest(
        connection.endpoint(), path, registration_.identifier, error_type, message));
    if (!answer.ok()) return answer.status().WithContext(call);
    if (!IsSuccess(answer->status)) return runtime::ExtensionApiError(call, *answer);
    return OkStatus();
  }

 private:
  runtime::ExtensionApiConnection next_connection_;  // Next()'s kept-alive connection
  const ExtensionRegistration registration_;
  http::Request next_;  // built once: GET event/next never changes
};

Result<ExtensionClient> ExtensionClient::Register(std::string_view name,
                                                  const std::vector<ExtensionEventType>& events,
                                                  std::string_view runtime_api) {
  if (name.empty()) return InvalidArgumentError(std::string(kRegisterCall) + ": empty name");
  Result<runtime::RuntimeApiEndpoint> endpoint = runtime::ParseRuntimeApiEndpoint(runtime_api);
  if (!endpoint.ok()) return endpoint.status().WithContext(lambda::kRuntimeApiEnv);
  std::vector<std::string_view> event_names;
  event_names.reserve(events.size());
  for (ExtensionEventType type : events) event_names.push_back(ExtensionEventTypeName(type));

  runtime::ExtensionApiConnection connection(*endpoint);
  Result<http::Response> answer =
      connection.Exchange(runtime::ExtensionRegisterRequest(*endpoint, name, event_names));
  if (!answer.ok()) return answer.status().WithContext(kRegisterCall);
  if (!IsSuccess(answer->status)) return runtime::ExtensionApiError(kRegisterCall, *answer);
  std::optional<std::string_view> identifier =
      answer->headers.Get(lambda::kExtensionIdentifierHeader);
  if (!identifier.has_value() || identifier->empty()) {
    return InvalidArgumentError(std::string(kRegisterCall) + ": the answer has no " +
                                std::string(lambda::kExtensionIdentifierHeader));
  }
  ZS_ASSIGN_OR_RETURN(ExtensionRegistration registration,
                      runtime::ParseExtensionRegistration(std::string(*identifier), answer->body));
  return ExtensionClient(
      std::make_unique<Impl>(std::move(endpoint).value(), std::move(registration)));
}

ExtensionClient::ExtensionClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExtensionClient::ExtensionClient(ExtensionClient&&) noexcept = default;
ExtensionClient& ExtensionClient::operator=(ExtensionClient&&) noexcept = default;
ExtensionClient::~ExtensionClient() = default;

const ExtensionRegistration& ExtensionClient::registration() const {
  return impl_->registration();
}

Result<ExtensionEvent> ExtensionClient::Next() { return impl_->Next(); }

Status ExtensionClient::InitError(std::string_view error_type, std::string_view message) {
  return impl_->PostError(kInitErrorCall, lambda::kExtensionInitErrorPath, error_type, message);
}

Status ExtensionClient::ExitError(std::string_view error_type, std::string_view message) {
  return impl_->PostError(kExitErrorCall, lambda::kExtensionExitErrorPath, error_type, message);
}

}  // namespace zerostart
