// StreamClient: a test caller that reads an answer as it arrives — the HTTP head, then each
// piece of a chunked body, and (for InvokeWithResponseStream) each event-stream message — so
// tests can check that bytes reach the caller before the function has finished. Every read
// gives up after its timeout (the socket's receive timeout), so a test never hangs.
#ifndef ZEROSTART_TESTS_STREAMING_STREAM_CLIENT_H_
#define ZEROSTART_TESTS_STREAMING_STREAM_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/eventstream/decoder.h"
#include "src/http/connection.h"
#include "zerostart/status.h"

namespace zerostart::testing {

class StreamClient {
 public:
  static Result<StreamClient> Connect(uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(20));

  // Sends `request` (Content-Length added).
  Status Send(const http::Request& request) { return connection_->Write(request); }
  // Reads until the head has arrived; nullopt on error or timeout.
  std::optional<http::Response> ReadHead();
  // Reads until at least one more body byte arrived (returns them) or the body ended (returns
  // what was left, possibly empty, and sets ended()). nullopt on error or timeout.
  std::optional<std::string> ReadBody();
  // Reads the rest of the body (until it ends).
  std::optional<std::string> ReadRest();
  // The next event-stream message of the body; nullopt at the end of the body, on error or
  // timeout.
  std::optional<eventstream::Message> NextEvent();

  bool ended() const { return ended_; }
  const Status& error() const { return error_; }
  void Close() { connection_.reset(); }

 private:
  explicit StreamClient(std::unique_ptr<http::Connection> connection) : connection_(std::move(connection)) {}

  std::unique_ptr<http::Connection> connection_;
  bool ended_ = false;
  Status error_;
  std::unique_ptr<eventstream::Decoder> decoder_ = std::make_unique<eventstream::Decoder>();
  std::vector<eventstream::Message> events_;
};

}  // namespace zerostart::testing

#endif  // ZEROSTART_TESTS_STREAMING_STREAM_CLIENT_H_
