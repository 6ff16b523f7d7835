// Function URL events for tests (test-only code): what a function behind a URL receives.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_RUNTIME_TESTING_HTTP_EVENTS_H_
#define ZEROSTART_SRC_RUNTIME_TESTING_HTTP_EVENTS_H_

#include <string>
#include <string_view>

namespace zerostart::runtime::testing {

// A POST through a Function URL as Lambda sends it (payload format 2.0), trimmed to the fields
// functions read: `body` as the event's body, base64-encoded with "isBase64Encoded":true when
// `base64`.
std::string FunctionUrlPostEvent(std::string_view body, bool base64);

}  // namespace zerostart::runtime::testing

#endif  // ZEROSTART_SRC_RUNTIME_TESTING_HTTP_EVENTS_H_
