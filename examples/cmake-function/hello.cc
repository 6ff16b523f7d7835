// hello: answers each event with its bytes in upper case (ASCII letters only, so a JSON event
// stays JSON: {"name":"world"} -> {"NAME":"WORLD"}); an empty event is an InvalidRequest error.
// Behind a Function URL (zerostart/http_event.h) it answers the request's body in upper case as
// text/plain, and an empty body with HTTP 400.
#include <zerostart/http_event.h>
#include <zerostart/runtime.h>

#include <optional>
#include <string>
#include <utility>

namespace {

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

zerostart::Response Hello(const zerostart::Invocation& invocation) {
  std::optional<zerostart::Result<std::string>> body =
      zerostart::FunctionUrlBody(invocation.payload);
  if (!body) {
    if (invocation.payload.empty()) {
      return zerostart::Response::Failure("InvalidRequest", "empty event");
    }
    return zerostart::Response::Success(Upper(invocation.payload));
  }
  // A function error behind a URL is a bare 502 for the caller; an HTTP error says what failed.
  if (!body->ok() || (*body)->empty()) {
    return zerostart::Response::Success(zerostart::FunctionUrlErrorResponse(
        400, "InvalidRequest", body->ok() ? "empty body" : body->status().message()));
  }
  zerostart::HttpResponse response;
  response.headers = {{"content-type", "text/plain"}};
  response.body = Upper(std::move(**body));
  return zerostart::Response::Success(zerostart::FunctionUrlResponse(response));
}

}  // namespace

int main() { return zerostart::Run(Hello); }
