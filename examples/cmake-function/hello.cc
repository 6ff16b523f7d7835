// hello: answers each event with its bytes in upper case (ASCII letters only, so a JSON event
// stays JSON: {"name":"world"} -> {"NAME":"WORLD"}); an empty event is an InvalidRequest error.
#include <zerostart/runtime.h>

#include <string>
#include <utility>

namespace {

zerostart::Response Hello(const zerostart::Invocation& invocation) {
  if (invocation.payload.empty()) return zerostart::Response::Failure("InvalidRequest", "empty event");
  std::string upper = invocation.payload;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return zerostart::Response::Success(std::move(upper));
}

}  // namespace

int main() { return zerostart::Run(Hello); }
