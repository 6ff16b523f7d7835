// The callers of zs_concurrency_bench: raw keep-alive connections to serve's Invoke API, read
// with src/http's Parser, one request in flight on each. A connection is opened and proven
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
#include <string_view>
#include <utility>
#include <vector>

#include "bench/concurrency/figures.h"
#include "src/common/unique_fd.h"
#include "src/http/parser.h"
#include "zerostart/status.h"

namespace zerostart::bench::concurrency {

struct Client {
  explicit Client(UniqueFd socket) : fd(std::move(socket)), parser(http::Parser::Kind::kResponse) {}
  UniqueFd fd;
  http::Parser parser;
};

struct Answer {
  int status = 0;  // 0: none
  std::string request_id;
  std::string error_type;  // X-Amzn-ErrorType
  std::string function_error;  // X-Amz-Function-Error ("Unhandled" for a function error)
  std::string body;
  std::string failure;     // why there is no answer
  int64_t sent_ns = 0;
  int64_t answered_ns = 0;
  double latency_ms() const { return Ms(answered_ns - sent_ns); }
};

// The figures of a parsed answer (no times).
Answer AnswerFrom(http::Response response);

// A whole Invoke request (POST of the function's invocations path) carrying `payload`.
std::string InvokeRequest(std::string_view payload);
// The same as an InvokeWithResponseStream request (POST of the function's
// response-streaming-invocations path): the answer's body is event-stream messages.
std::string StreamInvokeRequest(std::string_view payload);

// Writes requests[i] on clients[i], all in one loop, calls `sent` (if set), then reads every
// answer as it comes (epoll). An invoke without an answer within 60 s (counted from after
// `sent`), or whose connection ended, gets status 0 and a failure.
std::vector<Answer> SendAll(std::vector<Client>& clients, const std::vector<std::string>& requests,
                            const std::function<void()>& sent = {});

// One request, one answer, on one connection (blocking). Unavailable when the connection ends
// first; the parser's or the socket's error otherwise.
Result<Answer> InvokeOnce(Client& client, std::string_view request);

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
