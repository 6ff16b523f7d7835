#include "tests/streaming/stream_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include "src/common/net.h"

namespace zerostart::testing {

Result<StreamClient> StreamClient::Connect(uint16_t port, std::chrono::seconds timeout) {
  ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect({"127.0.0.1", port}));
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count());
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  return StreamClient(std::make_unique<http::Connection>(std::move(fd)));
}

std::optional<http::Response> StreamClient::ReadHead() {
  Result<const http::Response*> head = connection_->ReadResponseHead();
  if (!head.ok()) {
    error_ = head.status();
    return std::nullopt;
  }
  http::Response copy = **head;
  copy.body.clear();
  return copy;
}

std::optional<std::string> StreamClient::ReadBody() {
  std::string out;
  if (ended_) return out;
  Result<bool> done = connection_->ReadResponseBody(&out);
  if (!done.ok()) {
    error_ = done.status();
    return std::nullopt;
  }
  if (*done) {
    ended_ = true;
    (void)connection_->TakeResponse();
  }
  return out;
}

std::optional<std::string> StreamClient::ReadRest() {
  std::string all;
  while (!ended_) {
    std::optional<std::string> piece = ReadBody();
    if (!piece) return std::nullopt;
    all += *piece;
  }
  return all;
}

std::optional<eventstream::Message> StreamClient::NextEvent() {
  while (events_.empty()) {
    if (ended_) return std::nullopt;
    std::optional<std::string> piece = ReadBody();
    if (!piece) return std::nullopt;
    if (!decoder_->Feed(*piece, &events_).ok()) return std::nullopt;
  }
  eventstream::Message message = std::move(events_.front());
  events_.erase(events_.begin());
  return message;
}

}  // namespace zerostart::testing
