#include "src/common/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <charconv>
#include <cstring>

namespace zerostart::net {
namespace {

std::string Errno(std::string_view what) {
  std::string m(what);
  m += ": ";
  m += std::strerror(errno);
  return m;
}

// Fills `storage` for host:port. We never call getaddrinfo (see net.h).
Result<socklen_t> MakeAddress(const HostPort& address, sockaddr_storage* storage) {
  std::memset(storage, 0, sizeof(*storage));
  std::string host = address.host == "localhost" || address.host.empty() ? "127.0.0.1" : address.host;
  auto* v4 = reinterpret_cast<sockaddr_in*>(storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(address.port);
    return static_cast<socklen_t>(sizeof(sockaddr_in));
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(storage);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(address.port);
    return static_cast<socklen_t>(sizeof(sockaddr_in6));
  }
  return InvalidArgumentError("host '" + address.host +
                              "' is not a numeric address (zerostart does not resolve names)");
}

void SetNoDelay(int fd) {
  int one = 1;
  // Best effort: a socket that refuses TCP_NODELAY still works, only slower.
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text) {
  HostPort out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgumentError("bad address '" + std::string(text) + "': expected [v6]:port");
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError("bad address '" + std::string(text) + "': expected host:port");
    }
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return InvalidArgumentError("bad port in address '" + std::string(text) + "'");
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

Result<UniqueFd> Connect(const HostPort& address) {
  sockaddr_storage storage;
  ZS_ASSIGN_OR_RETURN(socklen_t length, MakeAddress(address, &storage));
  UniqueFd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return InternalError(Errno("socket"));
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    return UnavailableError(Errno("connect to " + address.host + ":" + std::to_string(address.port)));
  }
  SetNoDelay(fd.get());
  return fd;
}

Result<UniqueFd> Listen(const HostPort& address) {
  sockaddr_storage storage;
  ZS_ASSIGN_OR_RETURN(socklen_t length, MakeAddress(address, &storage));
  UniqueFd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return InternalError(Errno("socket"));
  int one = 1;
  (void)setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    return UnavailableError(Errno("bind " + address.host + ":" + std::to_string(address.port)));
  }
  if (::listen(fd.get(), 128) != 0) return InternalError(Errno("listen"));
  return fd;
}

Result<uint16_t> LocalPort(int fd) {
  sockaddr_storage storage;
  socklen_t length = sizeof(storage);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return InternalError(Errno("getsockname"));
  }
  if (storage.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

Result<UniqueFd> Accept(int listen_fd) {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      SetNoDelay(fd);
      return UniqueFd(fd);
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    return UnavailableError(Errno("accept"));
  }
}

Status WriteAll(int fd, std::string_view data) { return WriteAll2(fd, data, {}); }

Status WriteAll2(int fd, std::string_view a, std::string_view b) { return WriteAll3(fd, a, b, {}); }

Status WriteAll3(int fd, std::string_view a, std::string_view b, std::string_view c) {
  const std::string_view parts[] = {a, b, c};
  return WriteAllParts(fd, parts);
}

Status WriteAllParts(int fd, std::span<const std::string_view> parts) {
  if (parts.size() > kMaxWriteParts) return InvalidArgumentError("too many parts for one write");
  iovec iov[kMaxWriteParts];
  const size_t count = parts.size();
  for (size_t i = 0; i < count; ++i) iov[i] = {const_cast<char*>(parts[i].data()), parts[i].size()};
  size_t first = 0;
  while (first < count) {
    if (iov[first].iov_len == 0) {
      ++first;
      continue;
    }
    msghdr msg{};
    msg.msg_iov = &iov[first];
    msg.msg_iovlen = count - first;
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(Errno("write"));
    }
    auto left = static_cast<size_t>(n);
    while (first < count && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      iov[first].iov_len = 0;
      ++first;
    }
    if (first < count) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return OkStatus();
}

Result<size_t> ReadSome(int fd, char* buffer, size_t size) {
  for (;;) {
    ssize_t n = ::read(fd, buffer, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    return UnavailableError(Errno("read"));
  }
}

bool IsLoopback(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

}  // namespace zerostart::net
