// TelemetryClient: delivers batches of Telemetry API events to one subscriber's HTTP
// destination on 127.0.0.1 (AWS docs, "Lambda Telemetry API reference": Lambda POSTs each
// batch as a JSON array). Every wait is bounded, so a destination that refuses, stalls or never
// answers costs at most the given timeouts, and Abort() cuts a delivery short from another
// thread.
//
// Thread safety: Post() from one thread at a time; Abort() from any thread, at any time.
#ifndef ZEROSTART_SRC_EMULATOR_TELEMETRY_CLIENT_H_
#define ZEROSTART_SRC_EMULATOR_TELEMETRY_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "zerostart/status.h"

namespace zerostart::emulator {

class TelemetryClient {
 public:
  struct Target {
    uint16_t port = 0;        // on 127.0.0.1
    std::string host_header;  // the Host header, e.g. "sandbox.localdomain:4243"
    std::string path = "/";   // the request target
  };

  explicit TelemetryClient(Target target) : target_(std::move(target)) {}
  TelemetryClient(const TelemetryClient&) = delete;
  TelemetryClient& operator=(const TelemetryClient&) = delete;

  // Sends `body` (a JSON array of events) as POST <path>, Content-Type application/json, on a
  // new connection (closed afterwards), and reads the answer. Connecting may take up to
  // `connect_timeout`; each later read or write may wait up to `io_timeout`.
  // OK for any status below 400. Errors: Unavailable (refused, reset, closed early, or
  // aborted), DeadlineExceeded (no connection or no answer in time), FailedPrecondition (the
  // destination answered 4xx/5xx), InvalidArgument (a malformed answer).
  Status Post(std::string_view body, std::chrono::milliseconds connect_timeout,
              std::chrono::milliseconds io_timeout);

  // Makes a Post in progress return within about 50 ms, and every later Post fail at once
  // (Unavailable). Irreversible.
  void Abort();

  const Target& target() const { return target_; }

 private:
  // The connected socket (blocking, with send/receive timeouts), or an error.
  Result<int> Connect(std::chrono::milliseconds connect_timeout,
                      std::chrono::milliseconds io_timeout);
  Status Exchange(int fd, std::string_view body);

  const Target target_;
  std::mutex mutex_;
  int fd_ = -1;  // the socket of the Post in progress, for Abort to shut down
  bool aborted_ = false;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_TELEMETRY_CLIENT_H_
