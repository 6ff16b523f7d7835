// libFuzzer target for the Function URL event builder, fed the way the emulator's Invoke server
// feeds it: the input is raw request bytes, read by the HTTP parser; each request it completes
// goes through ParseUrlTarget and BuildUrlEvent. Besides "never crashes", every event built
// must keep the contract of function_url_event.h:
//   - it is JSON that nlohmann parses, with version "2.0";
//   - rawPath and requestContext.http.path are the target's raw path and rawQueryString its raw
//     query: the same bytes when they are valid UTF-8, else with U+FFFD in place of bad bytes
//     (the same rule for the method, header values and userAgent);
//   - header names are lowercased and Cookie headers travel only as "cookies";
//   - queryStringParameters is present exactly when the query has a non-empty parameter;
//   - the body is the request's: as is when isBase64Encoded is false (a text Content-Type),
//     else its base64, which decodes back to the same bytes; no body, no "body";
//   - an error is InvalidArgument (and then the query or name holds a '%') or, never reached
//     at these sizes, ResourceExhausted.
// Run: zs_function_url_event_fuzz -dict=src/emulator/function_url_event_fuzz.dict
//      tests/testdata/function_url_event_corpus
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "src/common/base64.h"
#include "src/emulator/function_url_event.h"
#include "src/http/parser.h"

namespace zerostart::emulator {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Whether `text` is valid UTF-8, by nlohmann's strict serializer (which refuses anything else).
bool IsUtf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

// A string the event carries for `sent`: the same bytes, or U+FFFD where bytes were bad.
void CheckCarried(const nlohmann::json& value, const std::string& sent) {
  Check(value.is_string());
  const std::string& got = value.get_ref<const std::string&>();
  if (IsUtf8(sent)) {
    Check(got == sent);
  } else {
    Check(got.find("\xEF\xBF\xBD") != std::string::npos);
  }
}

bool HasParameter(std::string_view query) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    if (amp != 0) return true;
    query.remove_prefix(1);
  }
  return false;
}

void CheckEvent(const http::Request& request) {
  Result<UrlTarget> target = ParseUrlTarget(request.target);
  if (!target.ok()) {
    Check(target.status().code() == StatusCode::kNotFound ||
          (target.status().code() == StatusCode::kInvalidArgument &&
           request.target.find('%') != std::string::npos));
    return;
  }
  Check(!target->function_name.empty() && !target->raw_path.empty() && target->raw_path[0] == '/');
  UrlEventContext context;
  context.request_id = "c0ffee00-0000-4000-8000-000000000000";
  context.url_id = UrlIdForFunction(target->function_name);
  context.now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  Result<std::string> built = BuildUrlEvent(request, *target, context);
  if (!built.ok()) {
    Check((built.status().code() == StatusCode::kInvalidArgument &&
           target->raw_query.find('%') != std::string::npos) ||
          built.status().code() == StatusCode::kResourceExhausted);
    return;
  }
  nlohmann::json event = nlohmann::json::parse(*built, nullptr, /*allow_exceptions=*/false);
  Check(event.is_object());
  Check(event["version"] == "2.0");
  CheckCarried(event["rawPath"], target->raw_path);
  Check(event["rawPath"] == event["requestContext"]["http"]["path"]);
  CheckCarried(event["rawQueryString"], target->raw_query);
  CheckCarried(event["requestContext"]["http"]["method"], request.method);
  CheckCarried(event["requestContext"]["http"]["userAgent"],
               std::string(request.headers.Get("User-Agent").value_or("")));

  const nlohmann::json& headers = event["headers"];
  Check(headers.is_object());
  bool any_cookie_header = false;
  for (const http::Header& h : request.headers.entries()) {
    if (http::EqualsIgnoreCase(h.name, "Cookie")) any_cookie_header = true;
  }
  for (const auto& [name, value] : headers.items()) {
    Check(name != "cookie" && value.is_string());
    for (char c : name) Check(!(c >= 'A' && c <= 'Z'));
  }
  Check(!event.contains("cookies") || (any_cookie_header && event["cookies"].is_array() &&
                                       !event["cookies"].empty()));
  Check(event.contains("queryStringParameters") == HasParameter(target->raw_query));

  Check(event["isBase64Encoded"].is_boolean());
  if (request.body.empty()) {
    Check(!event.contains("body") && event["isBase64Encoded"] == false);
  } else if (event["isBase64Encoded"] == true) {
    Result<std::string> decoded = Base64Decode(event["body"].get<std::string>());
    Check(decoded.ok() && *decoded == request.body);
  } else {
    Check(event["body"] == request.body);
    Check(IsTextContentType(request.headers.Get("Content-Type").value_or("")));
  }
}

}  // namespace
}  // namespace zerostart::emulator

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zerostart;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  http::Parser parser(http::Parser::Kind::kRequest);
  while (!input.empty()) {
    Result<size_t> used = parser.Feed(input);
    if (!used.ok()) return 0;
    input.remove_prefix(*used);
    if (!parser.done()) break;  // Feed consumed everything
    emulator::CheckEvent(parser.TakeRequest());
  }
  if (parser.FinishAtEof().ok() && parser.done()) emulator::CheckEvent(parser.TakeRequest());
  return 0;
}
