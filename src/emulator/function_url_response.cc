#include "src/emulator/function_url_response.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"

namespace zerostart::emulator {
namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr int kMinStatus = 100;
constexpr int kMaxStatus = 599;
constexpr std::string_view kContentType = "Content-Type";
constexpr std::string_view kSetCookie = "Set-Cookie";

// Headers that describe the connection or the body's framing, not the content: the emulator's
// HTTP layer writes its own, and a function's wrong Content-Length would corrupt the stream.
bool IsFramingHeader(std::string_view name) {
  return http::EqualsIgnoreCase(name, "Content-Length") ||
         http::EqualsIgnoreCase(name, "Transfer-Encoding") ||
         http::EqualsIgnoreCase(name, "Connection");
}

Result<OrderedJson> ParseJson(std::string_view text) {
  OrderedJson parsed = OrderedJson::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgumentError("not valid JSON");
  return parsed;
}

Result<int> StatusCode(const OrderedJson& value) {
  bool in_range = false;
  if (value.is_number_unsigned()) {
    uint64_t code = value.get<uint64_t>();
    in_range = code >= static_cast<uint64_t>(kMinStatus) && code <= static_cast<uint64_t>(kMaxStatus);
  } else if (value.is_number_integer()) {
    int64_t code = value.get<int64_t>();
    in_range = code >= kMinStatus && code <= kMaxStatus;
  } else {
    return InvalidArgumentError("statusCode must be an integer, not " + value.dump());
  }
  if (!in_range) return InvalidArgumentError("statusCode " + value.dump() + " is not in 100..599");
  return static_cast<int>(value.get<int64_t>());
}

Status AddHeaders(const OrderedJson& headers, http::Response* response) {
  if (headers.is_null()) return OkStatus();
  if (!headers.is_object()) return InvalidArgumentError("headers must be an object");
  for (const auto& [name, value] : headers.items()) {
    std::string text;
    if (value.is_null()) continue;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      text = value.dump();
    } else {
      return InvalidArgumentError("header '" + name + "' must be a string");
    }
    if (!IsFramingHeader(name)) response->headers.Add(name, std::move(text));
  }
  return OkStatus();
}

// "cookies": one Set-Cookie header each (urls-invocation.html, "Cookies").
Status AddCookies(const OrderedJson& cookies, http::Response* response) {
  if (cookies.is_null()) return OkStatus();
  if (!cookies.is_array()) return InvalidArgumentError("cookies must be an array of strings");
  for (const OrderedJson& cookie : cookies) {
    if (!cookie.is_string()) return InvalidArgumentError("cookies must be an array of strings");
    response->headers.Add(std::string(kSetCookie), cookie.get<std::string>());
  }
  return OkStatus();
}

// statusCode (when present), headers and cookies of a response object, onto *response.
Status ApplyHead(const OrderedJson& object, http::Response* response) {
  if (auto code = object.find("statusCode"); code != object.end()) {
    ZS_ASSIGN_OR_RETURN(response->status, StatusCode(*code));
  }
  if (auto headers = object.find("headers"); headers != object.end()) {
    ZS_RETURN_IF_ERROR(AddHeaders(*headers, response));
  }
  if (auto cookies = object.find("cookies"); cookies != object.end()) {
    ZS_RETURN_IF_ERROR(AddCookies(*cookies, response));
  }
  return OkStatus();
}

Result<http::Response> StructuredResponse(const OrderedJson& object) {
  http::Response response;
  ZS_RETURN_IF_ERROR(ApplyHead(object, &response));
  if (auto body = object.find("body"); body != object.end() && !body->is_null()) {
    if (!body->is_string()) return InvalidArgumentError("body must be a string");
    response.body = body->get<std::string>();
  }
  if (auto base64 = object.find("isBase64Encoded"); base64 != object.end() && !base64->is_null()) {
    if (!base64->is_boolean()) return InvalidArgumentError("isBase64Encoded must be a boolean");
    if (base64->get<bool>()) {
      Result<std::string> decoded = Base64Decode(response.body);
      if (!decoded.ok()) return decoded.status().WithContext("body with isBase64Encoded");
      response.body = std::move(decoded).value();
    }
  }
  return response;
}

http::Response WholePayload(std::string_view payload, std::string_view content_type) {
  http::Response response;
  response.headers.Add(std::string(kContentType), std::string(content_type));
  response.body = std::string(payload);
  return response;
}

}  // namespace

Result<http::Response> ParseUrlResult(std::string_view payload, std::string_view function_content_type) {
  Result<OrderedJson> parsed = ParseJson(payload);
  if (!parsed.ok()) {
    return WholePayload(payload, function_content_type.empty() ? lambda::kJsonContentType
                                                               : function_content_type);
  }
  // "If your function returns valid JSON and doesn't return a statusCode, Lambda assumes ...
  // statusCode is 200, content-type is application/json, body is the function response,
  // isBase64Encoded is false" (urls-invocation.html, "Response payload format").
  if (!parsed->is_object() || !parsed->contains("statusCode")) {
    return WholePayload(payload, lambda::kJsonContentType);
  }
  Result<http::Response> response = StructuredResponse(*parsed);
  if (!response.ok()) return response.status().WithContext("Function URL response");
  return response;
}

http::Response UrlResponseFromResult(std::string_view payload, std::string_view function_content_type) {
  Result<http::Response> response = ParseUrlResult(payload, function_content_type);
  return response.ok() ? std::move(response).value() : UrlFunctionErrorResponse();
}

http::Response UrlFunctionErrorResponse() {
  http::Response response;
  response.status = 502;
  response.headers.Add(std::string(kContentType), "text/plain");
  response.body = "Internal Server Error";
  return response;
}

http::Response UrlStreamHeadForContentType(std::string_view content_type) {
  http::Response head;
  head.headers.Add(std::string(kContentType),
                   std::string(content_type.empty() ? kUrlStreamDefaultContentType : content_type));
  return head;
}

Status UrlStreamPrelude::Feed(std::string_view bytes, std::string* body_out) {
  if (!error_.ok()) return error_;
  if (complete_) {
    body_out->append(bytes);
    return OkStatus();
  }
  // Only the first kUrlStreamPreludeLimit bytes can hold the prelude, so no more is kept; the
  // delimiter may straddle the previous piece, hence the search starts up to 7 bytes back.
  std::string_view taken = bytes.substr(0, kUrlStreamPreludeLimit - buffer_.size());
  size_t overlap = kUrlStreamDelimiter.size() - 1;
  size_t scan_from = buffer_.size() > overlap ? buffer_.size() - overlap : 0;
  buffer_.append(taken);
  size_t delimiter = std::string_view(buffer_).find(kUrlStreamDelimiter, scan_from);
  if (delimiter == std::string_view::npos) {
    if (buffer_.size() >= kUrlStreamPreludeLimit) {
      error_ = ResourceExhaustedError("Function URL stream: no prelude delimiter within the first " +
                                      std::to_string(kUrlStreamPreludeLimit) + " bytes");
      return error_;
    }
    return OkStatus();
  }
  Result<OrderedJson> prelude = ParseJson(std::string_view(buffer_).substr(0, delimiter));
  if (prelude.ok() && !prelude->is_object()) prelude = InvalidArgumentError("not a JSON object");
  if (prelude.ok()) error_ = ApplyHead(*prelude, &head_);
  if (!prelude.ok()) error_ = prelude.status();
  if (!error_.ok()) {
    error_ = error_.WithContext("Function URL stream prelude");
    return error_;
  }
  if (!head_.headers.Has(kContentType)) {
    head_.headers.Add(std::string(kContentType), std::string(kUrlStreamDefaultContentType));
  }
  complete_ = true;
  body_out->append(buffer_, delimiter + kUrlStreamDelimiter.size());
  body_out->append(bytes.substr(taken.size()));
  buffer_.clear();
  buffer_.shrink_to_fit();
  return OkStatus();
}

Status UrlStreamPrelude::FinishAtEnd() const {
  if (!error_.ok() || complete_) return error_;
  return InvalidArgumentError("Function URL stream ended before the prelude's delimiter");
}

}  // namespace zerostart::emulator
