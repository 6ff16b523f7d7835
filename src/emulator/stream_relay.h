// The function's side of a streamed response: reads the chunked body of
// POST /runtime/invocation/{id}/response (Lambda-Runtime-Function-Response-Mode: streaming)
// as it arrives and relays each piece to the caller's StreamSink at once — or, for a caller
// that wants the response buffered, collects it (up to lambda::kMaxPayloadBytes, as Lambda
// does for a buffered Invoke of a streaming function).
//
// Limits as Lambda documents them (AWS docs, "Configuring a Lambda function to stream
// responses"): at most lambda::kMaxStreamedResponseBytes; the first kStreamUnthrottledBytes at
// full speed, then at most StreamLimits::bytes_per_second (0: no cap). The cap is applied by
// reading the function's socket no faster, so the function feels it as Lambda's: its writes
// block.
// Thread safety: runs on the Runtime API connection's thread; the sink serialises itself.
#ifndef ZEROSTART_SRC_EMULATOR_STREAM_RELAY_H_
#define ZEROSTART_SRC_EMULATOR_STREAM_RELAY_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "src/common/lambda_protocol.h"
#include "src/emulator/invocation.h"
#include "src/http/connection.h"

namespace zerostart::emulator {

struct StreamLimits {
  uint64_t max_bytes = lambda::kMaxStreamedResponseBytes;
  uint64_t unthrottled_bytes = lambda::kStreamUnthrottledBytes;
  uint64_t bytes_per_second = lambda::kStreamBandwidthBytesPerSecond;  // 0: no cap
  uint64_t max_buffered_bytes = lambda::kMaxPayloadBytes;
};

struct RelayResult {
  enum class Ending {
    kComplete,      // the terminal chunk and trailers arrived: `end` tells how it ended
    kTooLarge,      // over max_bytes: `end` holds Function.ResponseSizeTooLarge; the rest of
                    // the body was not read (answer 413 and close the connection)
    kBroken,        // the connection failed or the bytes were malformed: `error` says how; the
                    // invocation ends by the function's exit or its timeout
  };
  Ending ending = Ending::kComplete;
  StreamEnd end;
  Status error;
  uint64_t bytes = 0;  // body bytes the function wrote
};

// Relays the body of the request whose head `connection` has just read. `content_type` is the
// request's Content-Type. Returns how the body ended; never throws.
RelayResult RelayStream(http::Connection& connection, Invocation& invocation,
                        std::string content_type, const StreamLimits& limits);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_STREAM_RELAY_H_
