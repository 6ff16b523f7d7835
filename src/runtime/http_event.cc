#include "zerostart/http_event.h"

#include <nlohmann/json.hpp>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"

namespace zerostart {
namespace {

// Invalid UTF-8 becomes U+FFFD rather than an exception: the answer must stay JSON whatever
// bytes a handler put in a header or a text body.
std::string Dump(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The response object's other keys (urls-invocation.html, "Response payload format"); its
// body and isBase64Encoded keys are the event's.
constexpr std::string_view kHeadersKey = "headers";
constexpr std::string_view kCookiesKey = "cookies";

}  // namespace

std::optional<Result<std::string>> FunctionUrlBody(std::string_view payload) {
  // A plain request never has this key; checking for it first keeps a multi-megabyte payload
  // from being parsed into a JSON tree just to learn that it is not an HTTP event.
  std::string quoted_context = "\"";  // appends: GCC 12's -Wrestrict misfires on `"x" + str`
  quoted_context += lambda::kHttpEventContextKey;
  quoted_context += '"';
  if (payload.find(quoted_context) == std::string_view::npos) return std::nullopt;
  const nlohmann::json event = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return std::nullopt;
  const auto version = event.find(lambda::kHttpEventVersionKey);
  const auto context = event.find(lambda::kHttpEventContextKey);
  if (version == event.end() || *version != lambda::kHttpEventVersion || context == event.end() ||
      !context->is_object() || !context->contains(lambda::kHttpEventHttpKey)) {
    return std::nullopt;
  }
  const auto body = event.find(lambda::kHttpEventBodyKey);
  if (body == event.end() || !body->is_string()) return Result<std::string>(std::string());
  const auto encoded = event.find(lambda::kHttpEventBase64Key);
  if (encoded != event.end() && encoded->is_boolean() && encoded->get<bool>()) {
    Result<std::string> decoded = Base64Decode(body->get_ref<const std::string&>());
    if (!decoded.ok()) {
      return Result<std::string>(InvalidArgumentError(
          "the Function URL event's body is not valid base64: " + decoded.status().message()));
    }
    return decoded;
  }
  return Result<std::string>(body->get<std::string>());
}

std::string FunctionUrlResponse(const HttpResponse& response) {
  nlohmann::ordered_json json = {{lambda::kHttpResponseStatusKey, response.status_code}};
  if (!response.headers.empty()) {
    nlohmann::ordered_json& headers = json[kHeadersKey];
    for (const auto& [name, value] : response.headers) headers[name] = value;
  }
  if (!response.cookies.empty()) json[kCookiesKey] = response.cookies;
  json[lambda::kHttpEventBodyKey] = response.binary ? Base64Encode(response.body) : response.body;
  if (response.binary) json[lambda::kHttpEventBase64Key] = true;
  return Dump(json);
}

std::string FunctionUrlErrorResponse(int status, std::string_view error_type,
                                     std::string_view error_message) {
  const nlohmann::ordered_json error = {{"errorType", error_type}, {"errorMessage", error_message}};
  HttpResponse response;
  response.status_code = status;
  response.headers = {{"content-type", std::string(lambda::kJsonContentType)}};
  response.body = Dump(error);
  return FunctionUrlResponse(response);
}

}  // namespace zerostart
