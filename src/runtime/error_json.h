// The one wire shape of a function error (Runtime API /error and /init/error bodies):
//   {"errorMessage":"...","errorType":"...","stackTrace":["...", ...]}
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_RUNTIME_ERROR_JSON_H_
#define ZEROSTART_SRC_RUNTIME_ERROR_JSON_H_

#include <string>
#include <string_view>

#include "zerostart/response.h"

namespace zerostart::runtime {

// Appends `text` to `*out` as a JSON string literal (with the quotes). Valid UTF-8 passes
// through unchanged (aws-lambda-cpp turns every non-ASCII byte into \uffff on x86-64; we do
// not); '"', '\\' and control characters are escaped; each byte of an invalid UTF-8 sequence
// becomes U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string_view text, std::string* out);

// The error type actually sent: `error.type`, or "Unhandled" when it is empty.
std::string_view EffectiveErrorType(const FunctionError& error);

// Replaces `*out` with the JSON error body for `error` (type as EffectiveErrorType).
void SerializeErrorBody(const FunctionError& error, std::string* out);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_ERROR_JSON_H_
