// Base64 (RFC 4648 §4, standard alphabet) decoding, for the Invoke API's X-Amz-Client-Context
// header, which Lambda receives base64-encoded and hands to the runtime decoded.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_BASE64_H_
#define ZEROSTART_SRC_EMULATOR_BASE64_H_

#include <string>
#include <string_view>

#include "zerostart/status.h"

namespace zerostart::emulator {

// Decodes `text`; '=' padding is optional. InvalidArgument for any other character, a
// misplaced '=', or a length that no encoding produces.
Result<std::string> Base64Decode(std::string_view text);

// Encodes with padding (used by tests and the invoke client).
std::string Base64Encode(std::string_view bytes);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_BASE64_H_
