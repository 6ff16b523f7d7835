// The prelude of a streamed Function URL response (zerostart::StartHttpResponse, stream.h):
//   {"statusCode":200,"headers":{"name":"value",...},"cookies":["...",...]}
// then 8 NUL bytes, after which the stream carries the HTTP body (the constants are in
// src/common/lambda_protocol.h). JSON strings are escaped as error bodies are (error_json.h):
// the prelude is always valid JSON whatever bytes the names and values hold.
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_RUNTIME_HTTP_PRELUDE_H_
#define ZEROSTART_SRC_RUNTIME_HTTP_PRELUDE_H_

#include <string>

#include "zerostart/stream.h"

namespace zerostart::runtime {

// Appends the prelude for `head` (JSON and delimiter) to `*out`. REQUIRES: a status code in
// 100..599 (StartHttpResponse checks it).
void AppendHttpPrelude(const HttpResponseHead& head, std::string* out);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_HTTP_PRELUDE_H_
