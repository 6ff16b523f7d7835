#include "functions/ticker/ticker.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"

namespace zerostart::functions {
namespace {

constexpr std::string_view kCountKey = "count";
constexpr std::string_view kIntervalKey = "interval_ms";

// A payload-format-2.0 HTTP event (Function URL), as the k-means function recognises one.
bool IsFunctionUrlEvent(const nlohmann::json& event) {
  const auto version = event.find(lambda::kHttpEventVersionKey);
  const auto context = event.find(lambda::kHttpEventContextKey);
  return version != event.end() && *version == lambda::kHttpEventVersion &&
         context != event.end() && context->is_object() &&
         context->contains(lambda::kHttpEventHttpKey);
}

// `value` as an integer in [0, max]: a JSON integer, or a decimal string when `text` (query
// parameters are strings).
Result<int> Bounded(const nlohmann::json& value, std::string_view key, int max, bool text) {
  long long number = -1;
  bool parsed = false;
  if (value.is_number_integer()) {
    number = value.get<long long>();
    parsed = true;
  } else if (text && value.is_string()) {
    const std::string& digits = value.get_ref<const std::string&>();
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    parsed = error == std::errc() && end == digits.data() + digits.size() && !digits.empty();
  }
  if (!parsed || number < 0 || number > max) {
    std::string message = "\"";  // appends: GCC 12's -Wrestrict misfires on `"x" + str`
    message += key;
    message += "\" must be an integer from 0 to ";
    message += std::to_string(max);
    return InvalidArgumentError(std::move(message));
  }
  return static_cast<int>(number);
}

// Reads count and interval_ms from `fields` (a JSON object; query parameters when `text`).
Status ReadFields(const nlohmann::json& fields, bool text, TickerRequest* request) {
  if (!fields.is_object()) return InvalidArgumentError("the request must be a JSON object");
  if (auto it = fields.find(kCountKey); it != fields.end()) {
    ZS_ASSIGN_OR_RETURN(request->count, Bounded(*it, kCountKey, kMaxTicks, text));
  }
  if (auto it = fields.find(kIntervalKey); it != fields.end()) {
    ZS_ASSIGN_OR_RETURN(request->interval_ms, Bounded(*it, kIntervalKey, kMaxTickIntervalMs, text));
  }
  return OkStatus();
}

// The Function URL event's body as JSON (base64-decoded when the event says so); null when
// it has none.
Result<nlohmann::json> EventBody(const nlohmann::json& event) {
  const auto body = event.find(lambda::kHttpEventBodyKey);
  if (body == event.end() || !body->is_string() || body->get_ref<const std::string&>().empty()) {
    return nlohmann::json();
  }
  std::string text = body->get<std::string>();
  const auto encoded = event.find(lambda::kHttpEventBase64Key);
  if (encoded != event.end() && encoded->is_boolean() && encoded->get<bool>()) {
    Result<std::string> decoded = Base64Decode(text);
    if (!decoded.ok()) return InvalidArgumentError("the body is not valid base64");
    text = std::move(decoded).value();
  }
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgumentError("the body is not JSON");
  return json;
}

}  // namespace

Result<TickerRequest> ParseTickerRequest(std::string_view payload) {
  TickerRequest request;
  if (payload.empty()) return request;
  const nlohmann::json event = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return InvalidArgumentError("the request must be a JSON object");
  if (!IsFunctionUrlEvent(event)) {
    ZS_RETURN_IF_ERROR(ReadFields(event, /*text=*/false, &request));
    return request;
  }
  const auto query = event.find(lambda::kHttpEventQueryKey);
  if (query != event.end() && query->is_object()) {
    ZS_RETURN_IF_ERROR(ReadFields(*query, /*text=*/true, &request));
  }
  ZS_ASSIGN_OR_RETURN(nlohmann::json body, EventBody(event));
  if (!body.is_null()) ZS_RETURN_IF_ERROR(ReadFields(body, /*text=*/false, &request));
  return request;
}

std::string TickEvent(int tick, long long remaining_ms) {
  // Appends: GCC 12's -Wrestrict misfires on `"x" + str` in Release builds.
  const std::string number = std::to_string(tick);
  std::string event = "id: ";
  event += number;
  event += "\ndata: {\"tick\":";
  event += number;
  event += ",\"remaining_ms\":";
  event += std::to_string(remaining_ms);
  event += "}\n\n";
  return event;
}

void StreamTicks(const Invocation& invocation, ResponseStream& out,
                 const std::function<void(std::chrono::milliseconds)>& sleep) {
  Result<TickerRequest> request = ParseTickerRequest(invocation.payload);
  if (!request.ok()) {
    HttpResponseHead head;
    head.status_code = 400;
    head.headers = {{"content-type", "application/json"}};
    if (!StartHttpResponse(out, head).ok()) return;
    const nlohmann::json message = {{"message", request.status().message()}};
    (void)out.Write(message.dump());
    return;
  }
  HttpResponseHead head;
  head.headers = {{"content-type", "text/event-stream"}, {"cache-control", "no-cache"}};
  if (!StartHttpResponse(out, head).ok()) return;
  for (int tick = 1; tick <= request->count; ++tick) {
    if (tick > 1) sleep(std::chrono::milliseconds(request->interval_ms));
    if (!out.Write(TickEvent(tick, invocation.RemainingTime().count())).ok()) return;
  }
}

}  // namespace zerostart::functions
