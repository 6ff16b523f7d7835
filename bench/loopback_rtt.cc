// zs_loopback_rtt: the floor under every warm-invoke figure on this machine: one TCP round trip
// of a small message between two processes over 127.0.0.1 (TCP_NODELAY, blocking sockets, as
// src/common/net.h opens them). A warm invoke through an emulator costs at least two of these
// (caller <-> emulator, emulator <-> runtime) plus the work at each end.
//
//   zs_loopback_rtt [--count N] [--bytes B]
//
// Prints one JSON line: {"count":N,"bytes":B,"p50_us":..,"p90_us":..,"p99_us":..,"max_us":..,
// "round_trips_per_s":..}. Exit status 1 when the socket work fails.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "src/benchmark/stats.h"
#include "src/common/net.h"

namespace zerostart::bench {

using benchmark::Percentile;
namespace {

using Clock = std::chrono::steady_clock;

// Reads exactly `size` bytes; false on end of stream or error.
bool ReadExactly(int fd, char* buffer, size_t size) {
  size_t have = 0;
  while (have < size) {
    Result<size_t> n = net::ReadSome(fd, buffer + have, size - have);
    if (!n.ok() || *n == 0) return false;
    have += *n;
  }
  return true;
}

// The child: echoes fixed-size messages until the peer closes.
int Echo(int listen_fd, size_t bytes) {
  Result<UniqueFd> fd = net::Accept(listen_fd);
  if (!fd.ok()) return 1;
  std::string buffer(bytes, '\0');
  while (ReadExactly(fd->get(), buffer.data(), bytes)) {
    if (!net::WriteAll(fd->get(), buffer).ok()) return 1;
  }
  return 0;
}

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

int Main(int argc, char** argv) {
  long count = 20000;
  long bytes = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view arg = argv[i];
    if (arg == "--count") count = std::strtol(argv[i + 1], nullptr, 10);
    else if (arg == "--bytes") bytes = std::strtol(argv[i + 1], nullptr, 10);
  }
  if (count < 1 || bytes < 1 || bytes > (1 << 20) || argc % 2 == 0) {
    std::fputs("usage: zs_loopback_rtt [--count N] [--bytes B]\n", stderr);
    return 2;
  }
  const size_t size = static_cast<size_t>(bytes);
  Result<UniqueFd> listener = net::Listen({"127.0.0.1", 0});
  if (!listener.ok()) return 1;
  Result<uint16_t> port = net::LocalPort(listener->get());
  if (!port.ok()) return 1;
  const pid_t child = ::fork();
  if (child < 0) return 1;
  if (child == 0) ::_exit(Echo(listener->get(), size));
  listener->Reset();

  Result<UniqueFd> fd = net::Connect({"127.0.0.1", *port});
  if (!fd.ok()) return 1;
  std::string message(size, 'x');
  std::string reply(size, '\0');
  std::vector<double> us;
  us.reserve(static_cast<size_t>(count));
  const Clock::time_point begin = Clock::now();
  for (long i = 0; i < count; ++i) {
    const Clock::time_point start = Clock::now();
    if (!net::WriteAll(fd->get(), message).ok() || !ReadExactly(fd->get(), reply.data(), size)) {
      return 1;
    }
    us.push_back(Micros(Clock::now() - start));
  }
  const double seconds = Micros(Clock::now() - begin) / 1e6;
  fd->Reset();
  ::waitpid(child, nullptr, 0);

  std::sort(us.begin(), us.end());
  auto rank = [&](double q) { return Percentile(us, q * 100); };  // the project's one definition
  std::printf(
      "{\"count\":%ld,\"bytes\":%ld,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
      "\"max_us\":%.1f,\"round_trips_per_s\":%.0f}\n",
      count, bytes, rank(0.5), rank(0.9), rank(0.99), us.back(),
      static_cast<double>(count) / seconds);
  return 0;
}

}  // namespace
}  // namespace zerostart::bench

int main(int argc, char** argv) { return zerostart::bench::Main(argc, argv); }
