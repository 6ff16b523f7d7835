// Turning a Runtime API /next response into an Invocation.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_RUNTIME_INVOCATION_HEADERS_H_
#define ZEROSTART_SRC_RUNTIME_INVOCATION_HEADERS_H_

#include <chrono>
#include <optional>
#include <string_view>

#include "src/http/message.h"
#include "zerostart/invocation.h"

namespace zerostart::runtime {

// Parses Lambda-Runtime-Deadline-Ms (decimal milliseconds since the Unix epoch, surrounding
// whitespace allowed). nullopt for anything else (empty, sign, garbage, overflow).
std::optional<std::chrono::system_clock::time_point> ParseDeadlineMs(std::string_view text);

// Fills *invocation from a /next response, moving the body into payload. Every header may be
// absent: strings are then empty, and a missing or unparsable deadline is the epoch (so
// RemainingTime() is negative, exactly as with emulators that send a constant 1970 deadline;
// the handler still runs). Returns false when the request id is missing or empty (there is
// nothing to answer).
bool FillInvocation(http::Response* next_response, Invocation* invocation);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_INVOCATION_HEADERS_H_
