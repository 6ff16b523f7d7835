// TCP helpers over IPv4/IPv6 literals, without the resolver: function binaries link
// statically, and glibc's getaddrinfo cannot be used from a static binary. "localhost" is
// understood as 127.0.0.1; any other host must be a numeric address.
//
// All functions are thread-safe. Returned fds are blocking, close-on-exec, with TCP_NODELAY.
#ifndef ZEROSTART_SRC_COMMON_NET_H_
#define ZEROSTART_SRC_COMMON_NET_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "src/common/unique_fd.h"
#include "zerostart/status.h"

namespace zerostart::net {

struct HostPort {
  std::string host;  // numeric IPv4/IPv6 or "localhost"; no brackets
  uint16_t port = 0;
};

// Parses "host:port", "[v6]:port". InvalidArgument on anything else (missing or bad port).
Result<HostPort> ParseHostPort(std::string_view text);

// True for an address only this machine can reach: "localhost", 127.0.0.0/8, ::1 (and
// ::ffff:127.x). False for anything else, including 0.0.0.0 and :: (every interface) and
// text that is not an address.
bool IsLoopback(std::string_view host);

// Connects to host:port. Unavailable when refused/unreachable; InvalidArgument for a host that
// is not numeric (and not "localhost").
Result<UniqueFd> Connect(const HostPort& address);

// Listens on host:port (port 0 = any free port; backlog 128, SO_REUSEADDR).
Result<UniqueFd> Listen(const HostPort& address);

// The port a socket is bound to (to learn the port chosen for port 0).
Result<uint16_t> LocalPort(int fd);

// Accepts one connection (retries EINTR). Unavailable once the listener is shut down.
Result<UniqueFd> Accept(int listen_fd);

// Writes all of `data` (retries EINTR and short writes; MSG_NOSIGNAL, so a closed peer is an
// Unavailable error, never SIGPIPE).
Status WriteAll(int fd, std::string_view data);
// Writes a then b with one writev where possible (head + body without copying the body).
Status WriteAll2(int fd, std::string_view a, std::string_view b);
// Writes a, b, c in order with one writev where possible.
Status WriteAll3(int fd, std::string_view a, std::string_view b, std::string_view c);
// Writes `parts` in order with one writev where possible (at most kMaxWriteParts parts;
// InvalidArgument beyond).
inline constexpr size_t kMaxWriteParts = 8;
Status WriteAllParts(int fd, std::span<const std::string_view> parts);

// Reads up to `size` bytes (retries EINTR). Returns 0 at end of stream. Unavailable on reset.
Result<size_t> ReadSome(int fd, char* buffer, size_t size);

}  // namespace zerostart::net

#endif  // ZEROSTART_SRC_COMMON_NET_H_
