// `zerostart invoke --stream`: one InvokeWithResponseStream call
// (POST /2021-11-15/functions/NAME/response-streaming-invocations), whose PayloadChunk events
// are written to `out` as they arrive; the InvokeComplete event ends it.
// Thread safety: a plain function.
#ifndef ZEROSTART_SRC_CLI_STREAM_INVOKE_H_
#define ZEROSTART_SRC_CLI_STREAM_INVOKE_H_

#include <cstdio>
#include <string>

#include "src/http/connection.h"

namespace zerostart::cli {

struct StreamOutcome {
  bool ok = false;            // the stream ended with InvokeComplete
  std::string error_code;     // InvokeComplete.ErrorCode (the function's error), if any
  std::string error_details;  // InvokeComplete.ErrorDetails
  std::string log_result;     // InvokeComplete.LogResult (base64), if asked for
  std::string failure;        // why the call failed (HTTP error, broken stream), when !ok
};

// Sends `request` (already aimed at the streaming path) on `connection` and copies each chunk's
// bytes to `out` (flushed per chunk; null: discarded).
StreamOutcome StreamInvoke(http::Connection& connection, const http::Request& request, std::FILE* out);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_STREAM_INVOKE_H_
