#include "src/runtime/extension_json.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/runtime/extension_api.h"

namespace zerostart::runtime {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kEventContext = "extension event: ";

// Parses `text` without exceptions; a discarded value when it is not JSON.
Json ParseOrDiscard(std::string_view text) {
  return Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// object[key] as a string into *out: OK when it is a string, or absent/null and !required.
Status ReadString(const Json& object, std::string_view key, bool required, std::string_view context,
                  std::string* out) {
  auto it = object.find(std::string(key));
  if (it == object.end() || it->is_null()) {
    if (!required) return OkStatus();
    return InvalidArgumentError(std::string(context) + "no \"" + std::string(key) + "\"");
  }
  if (!it->is_string()) {
    return InvalidArgumentError(std::string(context) + "\"" + std::string(key) +
                                "\" is not a string");
  }
  *out = it->get<std::string>();
  return OkStatus();
}

Status ReadDeadline(const Json& object, int64_t* out) {
  auto it = object.find("deadlineMs");
  if (it == object.end() || it->is_null()) {
    return InvalidArgumentError(std::string(kEventContext) + "no \"deadlineMs\"");
  }
  // Lambda sends an integer (RIE: int64); 1.5e12 and the like are not accepted.
  if (it->is_number_unsigned()) {
    uint64_t value = it->get<uint64_t>();
    if (value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      *out = static_cast<int64_t>(value);
      return OkStatus();
    }
  } else if (it->is_number_integer()) {
    *out = it->get<int64_t>();
    return OkStatus();
  }
  return InvalidArgumentError(std::string(kEventContext) +
                              "\"deadlineMs\" is not an integer of milliseconds: " + it->dump());
}

}  // namespace

Result<ExtensionEvent> ParseExtensionEvent(std::string_view json) {
  Json event = ParseOrDiscard(json);
  if (event.is_discarded()) return InvalidArgumentError(std::string(kEventContext) + "not JSON");
  if (!event.is_object()) {
    return InvalidArgumentError(std::string(kEventContext) + "not a JSON object");
  }
  ExtensionEvent result;
  std::string type;
  ZS_RETURN_IF_ERROR(ReadString(event, "eventType", true, kEventContext, &type));
  if (type == lambda::kExtensionEventInvoke) {
    result.type = ExtensionEventType::kInvoke;
  } else if (type == lambda::kExtensionEventShutdown) {
    result.type = ExtensionEventType::kShutdown;
  } else {
    return InvalidArgumentError(std::string(kEventContext) + "unknown eventType \"" + type + "\"");
  }
  ZS_RETURN_IF_ERROR(ReadDeadline(event, &result.deadline_ms));
  if (result.type == ExtensionEventType::kInvoke) {
    ZS_RETURN_IF_ERROR(ReadString(event, "requestId", true, kEventContext, &result.request_id));
    if (result.request_id.empty()) {
      return InvalidArgumentError(std::string(kEventContext) + "empty \"requestId\"");
    }
    ZS_RETURN_IF_ERROR(ReadString(event, "invokedFunctionArn", false, kEventContext,
                                  &result.invoked_function_arn));
    auto tracing = event.find("tracing");
    if (tracing != event.end() && !tracing->is_null()) {
      if (!tracing->is_object()) {
        return InvalidArgumentError(std::string(kEventContext) + "\"tracing\" is not an object");
      }
      ZS_RETURN_IF_ERROR(ReadString(*tracing, "value", false, "extension event: tracing: ",
                                    &result.trace_id));
    }
  } else {
    ZS_RETURN_IF_ERROR(ReadString(event, "shutdownReason", false, kEventContext,
                                  &result.shutdown_reason));
  }
  result.raw_json = json;
  return result;
}

Result<ExtensionRegistration> ParseExtensionRegistration(std::string identifier,
                                                         std::string_view body) {
  constexpr std::string_view kContext = "extension register answer: ";
  Json answer = ParseOrDiscard(body);
  if (answer.is_discarded() || !answer.is_object()) {
    return InvalidArgumentError(std::string(kContext) + "the body is not a JSON object");
  }
  ExtensionRegistration result;
  result.identifier = std::move(identifier);
  ZS_RETURN_IF_ERROR(ReadString(answer, "functionName", false, kContext, &result.function_name));
  ZS_RETURN_IF_ERROR(
      ReadString(answer, "functionVersion", false, kContext, &result.function_version));
  ZS_RETURN_IF_ERROR(ReadString(answer, "handler", false, kContext, &result.handler));
  return result;
}

Status ExtensionApiError(std::string_view what, const http::Response& response) {
  Json error = ParseOrDiscard(response.body);
  std::string type, message;
  if (error.is_object() && ReadString(error, "errorType", true, {}, &type).ok() &&
      ReadString(error, "errorMessage", false, {}, &message).ok()) {
    http::Response head;  // the status line alone
    head.status = response.status;
    head.reason = response.reason;
    std::string m = DescribeHttpError(what, head);
    m += ": ";
    m += type;
    if (!message.empty()) {
      m += ": ";
      m += message;
    }
    return FailedPreconditionError(std::move(m));
  }
  return FailedPreconditionError(DescribeHttpError(what, response));
}

}  // namespace zerostart::runtime
