// InvokeClient: one kept-open loopback connection to an emulator's Invoke API, sending one
// event and timing the answer as the caller sees it. Not part of the runtime side: a caller.
// Thread safety: one thread per client.
#ifndef ZEROSTART_SRC_BENCHMARK_INVOKE_CLIENT_H_
#define ZEROSTART_SRC_BENCHMARK_INVOKE_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "src/http/connection.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

struct InvokeOutcome {
  double client_ms = 0;     // request written -> whole response read
  std::string request_id;   // X-Amzn-RequestId ("" if absent)
  std::string error;        // "" = success; else the error type (and message)
};

class InvokeClient {
 public:
  // Connects to 127.0.0.1:port; reads give up after `read_timeout_seconds` (a backstop behind
  // the emulator's own invoke timeout). Unavailable when the connection fails.
  static Result<std::unique_ptr<InvokeClient>> Connect(uint16_t port, double read_timeout_seconds);

  // POSTs `payload` to function `name`. Errors (connection lost, read timeout) and function
  // errors (X-Amz-Function-Error, HTTP >= 300) are returned in InvokeOutcome::error; after a
  // connection error the client reconnects on the next call.
  InvokeOutcome Invoke(const std::string& name, const std::string& payload);

 private:
  InvokeClient(uint16_t port, double read_timeout_seconds)
      : port_(port), read_timeout_seconds_(read_timeout_seconds) {}
  Status Reconnect();

  uint16_t port_;
  double read_timeout_seconds_;
  std::unique_ptr<http::Connection> connection_;
};

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_INVOKE_CLIENT_H_
