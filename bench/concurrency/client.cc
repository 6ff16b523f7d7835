#include "bench/concurrency/client.h"

#include <errno.h>
#include <sys/epoll.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "src/common/net.h"

namespace zerostart::bench::concurrency {
namespace {

// A round's answers must all be in by then; beyond it an invoke counts as unanswered.
constexpr std::chrono::seconds kAnswerTimeout{60};

// A path no route serves: the connection's thread answers 404 itself.
constexpr std::string_view kProbeRequest = "GET /zs-concurrency-bench HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

}  // namespace

std::vector<Answer> SendAll(std::vector<Client>& clients, const std::vector<std::string>& requests,
                            const std::function<void()>& sent) {
  std::vector<Answer> answers(clients.size());
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  for (size_t i = 0; i < clients.size(); ++i) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, clients[i].fd.get(), &event);
  }
  size_t open = 0;
  for (size_t i = 0; i < clients.size(); ++i) {
    answers[i].sent_ns = NowNs();
    Status written = net::WriteAll(clients[i].fd.get(), requests[i]);
    if (written.ok()) {
      ++open;
    } else {
      answers[i].failure = "write: " + written.ToString();
      ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, clients[i].fd.get(), nullptr);
    }
  }
  if (sent) sent();
  const int64_t deadline = NowNs() + std::chrono::nanoseconds(kAnswerTimeout).count();
  std::vector<epoll_event> events(256);
  std::vector<char> buffer(64 * 1024);
  while (open > 0) {
    const int64_t left_ms = (deadline - NowNs()) / 1'000'000;
    const int ready = left_ms <= 0 ? 0 : ::epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()),
                                                      static_cast<int>(left_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    for (int e = 0; e < ready; ++e) {
      const size_t i = static_cast<size_t>(events[static_cast<size_t>(e)].data.u64);
      const int64_t sent_at = answers[i].sent_ns;  // FeedAnswer replaces the whole answer
      Result<size_t> got = net::ReadSome(clients[i].fd.get(), buffer.data(), buffer.size());
      Result<bool> done = !got.ok()    ? Result<bool>(got.status())
                          : *got == 0 ? Result<bool>(UnavailableError("connection closed before the answer"))
                                      : benchmark::FeedAnswer(clients[i], std::string_view(buffer.data(), *got), &answers[i]);
      if (done.ok() && !*done) continue;
      if (done.ok()) {
        answers[i].sent_ns = sent_at;
        answers[i].answered_ns = NowNs();
      } else {
        answers[i].failure = done.status().ToString();
      }
      ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, clients[i].fd.get(), nullptr);
      --open;
    }
  }
  for (Answer& answer : answers) {
    if (answer.status == 0 && answer.failure.empty()) answer.failure = "no answer within 60 s";
  }
  return answers;
}

Result<std::vector<Client>> OpenClients(uint16_t port, size_t count) {
  std::vector<Client> clients;
  clients.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect({"127.0.0.1", port}));
    clients.emplace_back(std::move(fd));
  }
  std::vector<Answer> probes = SendAll(clients, std::vector<std::string>(count, std::string(kProbeRequest)));
  for (const Answer& probe : probes) {
    if (probe.status != 404) {
      return UnavailableError("probe: HTTP " + std::to_string(probe.status) + " " + probe.failure);
    }
  }
  return clients;
}

Wall WallOf(const std::vector<Answer>& answers) {
  Wall wall{INT64_MAX, 0};
  for (const Answer& a : answers) {
    wall.first_sent = std::min(wall.first_sent, a.sent_ns);
    if (a.status != 0) wall.last_answered = std::max(wall.last_answered, a.answered_ns);
  }
  return wall;
}

}  // namespace zerostart::bench::concurrency
