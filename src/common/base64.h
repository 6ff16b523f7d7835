// Base64 (RFC 4648 §4, standard alphabet): the Invoke API's X-Amz-Client-Context header, which
// Lambda receives base64-encoded and hands to the runtime decoded (emulator), and the binary
// bodies of Function URL events (functions).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_COMMON_BASE64_H_
#define ZEROSTART_SRC_COMMON_BASE64_H_

#include <string>
#include <string_view>

#include "zerostart/status.h"

namespace zerostart {

// Decodes `text`; '=' padding is optional. InvalidArgument for any other character, a
// misplaced '=', or a length that no encoding produces.
Result<std::string> Base64Decode(std::string_view text);

// Encodes with padding (used by tests and the invoke client).
std::string Base64Encode(std::string_view bytes);

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_BASE64_H_
