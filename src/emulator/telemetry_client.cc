#include "src/emulator/telemetry_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "src/common/net.h"
#include "src/common/unique_fd.h"
#include "src/http/connection.h"
#include "src/http/message.h"

namespace zerostart::emulator {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often a connect in progress looks at Abort(): a connecting socket is not woken by
// shutdown(2), so the wait is sliced instead.
constexpr milliseconds kAbortCheck{50};

// A destination's answer is a status line and maybe "OK"; it is read only to know the batch
// arrived, so a small limit keeps a misbehaving one from costing memory.
constexpr http::Limits kAnswerLimits{.max_head_bytes = 16 * 1024,
                                     .max_header_count = 64,
                                     .max_body_bytes = 64 * 1024,
                                     .read_buffer_bytes = 4 * 1024};

std::string Errno(std::string_view what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

std::string Ms(milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

void SetTimeout(int fd, int option, milliseconds timeout) {
  const auto ms = std::max<int64_t>(timeout.count(), 1);
  timeval tv{.tv_sec = static_cast<time_t>(ms / 1000),
             .tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000)};
  (void)setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

}  // namespace

Result<int> TelemetryClient::Connect(milliseconds connect_timeout, milliseconds io_timeout) {
  const std::string address = "127.0.0.1:" + std::to_string(target_.port);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return InternalError(Errno("socket", errno));
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(target_.port);
  peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Non-blocking, so that a destination whose backlog is full (the SYN is never answered)
  // costs connect_timeout, not the kernel's minutes of SYN retries.
  int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&peer), sizeof(peer));
  if (rc != 0 && errno != EINPROGRESS) return UnavailableError(Errno("connect to " + address, errno));
  const Clock::time_point deadline = Clock::now() + connect_timeout;
  while (rc != 0) {
    {
      std::lock_guard lock(mutex_);
      if (aborted_) return UnavailableError("delivery to " + address + " aborted");
    }
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return DeadlineExceededError("no connection to " + address + " within " + Ms(connect_timeout));
    }
    pollfd pending{.fd = fd.get(), .events = POLLOUT, .revents = 0};
    const int ready = ::poll(&pending, 1, static_cast<int>(std::min(left, kAbortCheck).count()));
    if (ready < 0 && errno != EINTR) return InternalError(Errno("poll", errno));
    if (ready <= 0) continue;
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    if (error != 0) return UnavailableError(Errno("connect to " + address, error));
    rc = 0;
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return InternalError(Errno("fcntl", errno));
  }
  // Blocking reads and writes that give up after io_timeout (EAGAIN): a destination that
  // accepts and never reads or answers holds the sender for that long at most.
  SetTimeout(fd.get(), SO_SNDTIMEO, io_timeout);
  SetTimeout(fd.get(), SO_RCVTIMEO, io_timeout);
  int one = 1;
  (void)setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  std::lock_guard lock(mutex_);
  if (aborted_) return UnavailableError("delivery to " + address + " aborted");
  fd_ = fd.get();
  return fd.Release();
}

Status TelemetryClient::Exchange(int fd, std::string_view body) {
  http::Connection connection(UniqueFd(fd), kAnswerLimits);
  http::Request request;
  request.method = "POST";
  request.target = target_.path;
  request.headers.Add("Host", target_.host_header);
  request.headers.Add("Content-Type", "application/json");
  request.headers.Add("Content-Length", std::to_string(body.size()));
  // One connection per batch: batches are at least timeoutMs (25 ms or more) apart unless
  // full, and a fresh connection never meets a keep-alive the destination already closed.
  request.headers.Add("Connection", "close");
  std::string head = http::SerializeRequestHead(request);
  Status status = net::WriteAll2(fd, head, body);
  if (status.ok()) {
    Result<http::Response> answer = connection.ReadResponse();
    if (!answer.ok()) {
      status = answer.status();
    } else if (answer->status >= 400) {
      status = FailedPreconditionError(
          "answered " + std::to_string(answer->status) + " " +
          (answer->reason.empty() ? std::string(http::ReasonPhrase(answer->status)) : answer->reason));
    }
  }
  // Forget the fd before `connection` closes it, so Abort() never shuts down a reused number.
  std::lock_guard lock(mutex_);
  fd_ = -1;
  return status;
}

Status TelemetryClient::Post(std::string_view body, milliseconds connect_timeout,
                             milliseconds io_timeout) {
  ZS_ASSIGN_OR_RETURN(int fd, Connect(connect_timeout, io_timeout));
  const Clock::time_point started = Clock::now();
  Status status = Exchange(fd, body);
  if (!status.ok() && status.code() != StatusCode::kFailedPrecondition &&
      Clock::now() - started >= io_timeout) {
    std::lock_guard lock(mutex_);
    if (!aborted_) {
      return DeadlineExceededError("127.0.0.1:" + std::to_string(target_.port) +
                                   " took the batch but did not answer within " + Ms(io_timeout));
    }
  }
  return status;
}

void TelemetryClient::Abort() {
  std::lock_guard lock(mutex_);
  aborted_ = true;
  // Wakes a read or write blocked on the socket; Exchange then fails with Unavailable.
  if (fd_ >= 0) (void)::shutdown(fd_, SHUT_RDWR);
}

}  // namespace zerostart::emulator
