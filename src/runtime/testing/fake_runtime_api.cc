#include "src/runtime/testing/fake_runtime_api.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/http/connection.h"

namespace zerostart::runtime::testing {
namespace {

// Makes close(fd) send an RST rather than a FIN.
void ResetOnClose(int fd) {
  linger hard{1, 0};
  (void)::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
}

Status WriteReply(http::Connection& connection, const Reply& reply) {
  if (reply.write_bytes == 0) {
    return reply.raw.empty() ? connection.Write(reply.response)
                             : net::WriteAll(connection.fd(), reply.raw);
  }
  std::string bytes = reply.raw;
  if (bytes.empty()) {
    bytes = http::SerializeResponseHead(reply.response);
    // As Connection::Write: no body for 1xx/204/304.
    if (http::StatusAllowsBody(http::SendableStatus(reply.response.status))) {
      bytes += reply.response.body;
    }
  }
  // Without Nagle's algorithm each small write leaves as a segment of its own.
  int on = 1;
  (void)::setsockopt(connection.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  for (size_t at = 0; at < bytes.size(); at += reply.write_bytes) {
    ZS_RETURN_IF_ERROR(
        net::WriteAll(connection.fd(), std::string_view(bytes).substr(at, reply.write_bytes)));
  }
  return OkStatus();
}

}  // namespace

FakeRuntimeApi::FakeRuntimeApi(Script script, BodyObserver observer, Connections connections)
    : script_(std::move(script)), observer_(std::move(observer)), mode_(connections) {
  Result<UniqueFd> listener = net::Listen({"127.0.0.1", 0});
  Result<uint16_t> port = listener.ok() ? net::LocalPort(listener->get()) : listener.status();
  if (!port.ok()) {
    std::fprintf(stderr, "FakeRuntimeApi: cannot listen: %s\n", port.status().ToString().c_str());
    std::abort();
  }
  listener_ = std::move(listener).value();
  port_ = *port;
  thread_ = std::thread([this] { Serve(); });
}

FakeRuntimeApi::~FakeRuntimeApi() { Stop(); }

std::string FakeRuntimeApi::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::vector<http::Request> FakeRuntimeApi::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> FakeRuntimeApi::body_pieces(size_t index) const {
  std::lock_guard lock(mutex_);
  return index < pieces_.size() ? pieces_[index] : std::vector<std::string>{};
}

size_t FakeRuntimeApi::Record(http::Request request, std::vector<std::string> pieces) {
  size_t index;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
    pieces_.push_back(std::move(pieces));
    index = requests_.size() - 1;
  }
  changed_.notify_all();
  return index;
}

size_t FakeRuntimeApi::connections_accepted() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

bool FakeRuntimeApi::WaitForClosedConnections(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return connections_closed_ >= count; });
}

bool FakeRuntimeApi::WaitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void FakeRuntimeApi::CloseListener() {
  std::lock_guard lock(mutex_);
  listener_.Reset();
}

void FakeRuntimeApi::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    // shutdown() wakes a thread blocked in accept() or read() on these fds.
    if (listener_.valid()) (void)::shutdown(listener_.get(), SHUT_RDWR);
    for (int fd : open_fds_) (void)::shutdown(fd, SHUT_RDWR);
  }
  if (thread_.joinable()) thread_.join();
  // The accept thread has ended: no connection thread starts after this.
  std::vector<std::thread> connection_threads;
  {
    std::lock_guard lock(mutex_);
    connection_threads.swap(connection_threads_);
  }
  for (std::thread& thread : connection_threads) thread.join();
  CloseListener();
}

void FakeRuntimeApi::Serve() {
  for (;;) {
    int listen_fd;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || !listener_.valid()) return;
      listen_fd = listener_.get();
    }
    Result<UniqueFd> accepted = net::Accept(listen_fd);
    if (!accepted.ok()) {
      // Shut down by Stop(), or by a StopReply on a concurrent connection: close it here, on
      // the thread that was using it.
      if (mode_ == Connections::kConcurrent) CloseListener();
      return;
    }
    auto connection = std::make_unique<http::Connection>(std::move(accepted).value());
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      ++connections_;
      open_fds_.push_back(connection->fd());
      if (mode_ == Connections::kConcurrent) {
        connection_threads_.emplace_back(
            [this, open = std::move(connection)]() mutable { (void)ServeConnection(open); });
        continue;
      }
    }
    if (ServeConnection(connection)) {
      CloseListener();
      return;  // `connection` closes on scope exit, after the listener: connects now fail
    }
  }
}

bool FakeRuntimeApi::ServeConnection(std::unique_ptr<http::Connection>& open) {
  http::Connection& connection = *open;
  bool stop = false;
  for (;;) {
    // The body is read piece by piece, as it arrives, so that tests see a streamed body's
    // chunks one at a time (and can hold the sender between them).
    Result<const http::Request*> read_head = connection.ReadRequestHead();
    if (!read_head.ok()) break;
    http::Request head;
    head.method = (*read_head)->method;
    head.target = (*read_head)->target;
    head.headers = (*read_head)->headers;
    std::vector<std::string> pieces;
    std::string body;
    bool complete = false;
    bool dropped = false;
    while (!complete && !dropped) {
      std::string piece;
      Result<bool> done = connection.ReadRequestBody(&piece);
      if (!done.ok()) break;
      complete = *done;
      if (piece.empty()) continue;
      body += piece;
      pieces.push_back(piece);
      if (observer_ && !observer_(head, piece, pieces.size() - 1)) dropped = true;
    }
    if (!complete) {
      // Broken off (by the observer or the client): record what came, then drop.
      head.body = std::move(body);
      Record(std::move(head), std::move(pieces));
      break;
    }
    http::Request request = connection.TakeRequest();
    request.body = std::move(body);
    size_t index = Record(request, std::move(pieces));
    Reply reply = script_(request, index);
    if (reply.stop) {
      stop = true;
      break;
    }
    if (reply.drop) {
      if (reply.reset) ResetOnClose(connection.fd());
      break;
    }
    Status written = WriteReply(connection, reply);
    if (!written.ok() || reply.close_after) {
      if (reply.reset) ResetOnClose(connection.fd());
      break;
    }
  }
  {
    std::lock_guard lock(mutex_);
    std::erase(open_fds_, connection.fd());
    // Connections are refused from now on. With one connection at a time the caller closes
    // the listener; a concurrent one may not close it under the accept thread's feet, but
    // shutdown() stops the listening at once (and wakes accept()).
    if (stop && mode_ == Connections::kConcurrent && listener_.valid()) {
      (void)::shutdown(listener_.get(), SHUT_RDWR);
    }
  }
  if (stop) {
    if (mode_ == Connections::kConcurrent) open.reset();
    return true;  // one at a time: the caller closes `open` after the listener
  }
  open.reset();
  {
    std::lock_guard lock(mutex_);
    ++connections_closed_;
  }
  changed_.notify_all();
  return false;
}

Reply EventReply(std::string request_id, std::string payload, std::string content_type,
                 std::string deadline_ms) {
  Reply reply;
  reply.response.status = 200;
  if (!request_id.empty()) {
    reply.response.headers.Add(std::string(lambda::kRequestIdHeader), std::move(request_id));
  }
  if (!deadline_ms.empty()) {
    reply.response.headers.Add(std::string(lambda::kDeadlineMsHeader), std::move(deadline_ms));
  }
  if (!content_type.empty()) {
    reply.response.headers.Add(std::string(lambda::kContentTypeHeader), std::move(content_type));
  }
  reply.response.body = std::move(payload);
  return reply;
}

Reply AcceptedReply() {
  Reply reply;
  reply.response.status = 202;
  reply.response.headers.Add(std::string(lambda::kContentTypeHeader),
                             std::string(lambda::kJsonContentType));
  reply.response.body = std::string(lambda::kAcceptedBody);
  return reply;
}

Reply StopReply() {
  Reply reply;
  reply.stop = true;
  return reply;
}

Script ServeEvents(std::vector<Reply> events) {
  struct Queue {
    std::mutex mutex;
    std::vector<Reply> events;
    size_t next = 0;
  };
  auto queue = std::make_shared<Queue>();
  queue->events = std::move(events);
  return [queue](const http::Request& request, size_t) -> Reply {
    if (request.method != "GET") return AcceptedReply();
    std::lock_guard lock(queue->mutex);
    if (queue->next >= queue->events.size()) return StopReply();
    return queue->events[queue->next++];
  };
}

}  // namespace zerostart::runtime::testing
