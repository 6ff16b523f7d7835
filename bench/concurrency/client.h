// The callers of zs_concurrency_bench: raw keep-alive connections to serve's Invoke API, one
// request in flight on each, answered all at once (SendAll). A connection is opened and proven
// served (OpenClients) before any invoke is sent on it, so no figure includes the listener's
// accept backlog.
//
// Thread safety: none; each Client belongs to one thread at a time.
#ifndef ZEROSTART_BENCH_CONCURRENCY_CLIENT_H_
#define ZEROSTART_BENCH_CONCURRENCY_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/concurrency/figures.h"
#include "src/benchmark/invoke_client.h"
#include "zerostart/status.h"

namespace zerostart::bench::concurrency {

// The fan-out's connections and answers are the Invoke client's (src/benchmark/invoke_client.h):
// its request builders, answer parser and InvokeOnce serve every caller of these connections.
using Client = benchmark::RawConnection;
using Answer = benchmark::Answer;

// Writes requests[i] on clients[i], all in one loop, calls `sent` (if set), then reads every
// answer as it comes (epoll). An invoke without an answer within 60 s (counted from after
// `sent`), or whose connection ended, gets status 0 and a failure.
std::vector<Answer> SendAll(std::vector<Client>& clients, const std::vector<std::string>& requests,
                            const std::function<void()>& sent = {});

// Opens `count` connections and waits until serve answers a probe on each (each connection then
// has its thread in serve). Unavailable when a probe is not answered 404.
Result<std::vector<Client>> OpenClients(uint16_t port, size_t count);

// A round of answers: the first request written -> the last answer read.
struct Wall {
  int64_t first_sent = 0;
  int64_t last_answered = 0;
  double ms() const { return Ms(last_answered - first_sent); }
};
Wall WallOf(const std::vector<Answer>& answers);

}  // namespace zerostart::bench::concurrency

#endif  // ZEROSTART_BENCH_CONCURRENCY_CLIENT_H_
