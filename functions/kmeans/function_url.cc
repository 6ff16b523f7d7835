#include "functions/kmeans/function_url.h"

#include <nlohmann/json.hpp>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"

namespace zerostart::functions {

std::optional<Result<std::string>> FunctionUrlBody(std::string_view payload) {
  // A k-means request never has this key; checking for it first keeps a multi-megabyte points
  // payload from being parsed into a JSON tree just to learn that it is not an HTTP event.
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
      return Result<std::string>(
          InvalidArgumentError("the Function URL event's body is not valid base64: " +
                               decoded.status().message()));
    }
    return decoded;
  }
  return Result<std::string>(body->get<std::string>());
}

std::string FunctionUrlErrorResponse(int status, std::string_view error_type,
                                     std::string_view error_message) {
  const nlohmann::ordered_json error = {{"errorType", error_type}, {"errorMessage", error_message}};
  const nlohmann::ordered_json response = {
      {lambda::kHttpResponseStatusKey, status},
      {"headers", {{"content-type", "application/json"}}},
      {"body", error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}};
  return response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace zerostart::functions
