#include "bench/stub_runtime_api.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/http/connection.h"
#include "src/http/message.h"

namespace zerostart::bench {
namespace {

using Clock = std::chrono::steady_clock;

// How often the loop wakes up without socket activity to notice a runtime that died.
constexpr std::chrono::milliseconds kExitCheckInterval{20};
// A runtime that sends half a request and stalls must not hang the benchmark.
constexpr int kReceiveTimeoutSeconds = 5;

std::string DeadlineMsFromNow(std::chrono::milliseconds budget) {
  const auto deadline = std::chrono::system_clock::now() + budget;
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline.time_since_epoch()).count());
}

http::Response NextResponse(const StubEvent& event) {
  http::Response response;
  response.status = 200;
  response.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  response.headers.Add(std::string(lambda::kRequestIdHeader), event.request_id);
  response.headers.Add(std::string(lambda::kDeadlineMsHeader),
                       DeadlineMsFromNow(std::chrono::seconds(30)));
  response.headers.Add(std::string(lambda::kFunctionArnHeader), event.function_arn);
  response.headers.Add(std::string(lambda::kTraceIdHeader),
                       "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0");
  response.body = event.payload;
  return response;
}

http::Response Accepted() {
  http::Response response;
  response.status = 202;
  response.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  response.body = std::string(lambda::kAcceptedBody);
  return response;
}

http::Response NotFound() {
  http::Response response;
  response.status = 404;
  return response;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "the runtime exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "the runtime was killed by signal " + std::to_string(WTERMSIG(status));
  return "the runtime stopped";
}

}  // namespace

Result<FirstResponse> ServeFirstInvoke(int listen_fd, const StubEvent& event, ChildProcess& child,
                                       Clock::time_point deadline,
                                       const std::function<void()>& on_response) {
  const std::string invocation = std::string(lambda::kInvocationPrefix) + event.request_id;
  const std::string response_path = invocation + std::string(lambda::kResponseSuffix);
  const std::string error_path = invocation + std::string(lambda::kErrorSuffix);
  std::vector<http::Connection> connections;
  bool event_sent = false;
  std::vector<pollfd> fds;

  while (true) {
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return DeadlineExceededError("no response before the deadline");
    const auto wait = std::min<Clock::duration>(deadline - now, kExitCheckInterval);

    fds.clear();
    fds.push_back({listen_fd, POLLIN, 0});
    for (const http::Connection& c : connections) fds.push_back({c.fd(), POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(),
                             static_cast<int>(
                                 std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
    if (ready < 0 && errno != EINTR) return UnavailableError("poll failed");
    if (ready <= 0) {
      int status = 0;
      if (child.Exited(&status)) return FailedPreconditionError(DescribeExit(status));
      continue;
    }

    // Connections first (their indices in fds are 1..), then new ones, so that erasing a
    // closed connection does not shift a pollfd we still have to look at.
    for (size_t i = fds.size() - 1; i >= 1; --i) {
      if (fds[i].revents == 0) continue;
      http::Connection& connection = connections[i - 1];
      Result<http::Request> request = connection.ReadRequest();
      if (!request.ok()) {  // closed (curl exits after each request) or garbage
        connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(i - 1));
        continue;
      }
      const std::string& target = request->target;
      if (request->method == "POST" && target == response_path) {
        FirstResponse first{Clock::now(), std::move(request->body)};
        on_response();
        (void)connection.Write(Accepted());  // the runtime is killed next; a failure is moot
        return first;
      }
      if (request->method == "POST" &&
          (target == error_path || target == lambda::kInitErrorPath)) {
        return FailedPreconditionError("the runtime reported an error: " + request->body);
      }
      if (request->method == "GET" && target == lambda::kNextPath && !event_sent) {
        event_sent = true;
        if (!connection.Write(NextResponse(event)).ok()) {
          return UnavailableError("could not send the event to the runtime");
        }
        continue;
      }
      if (request->method == "GET" && target == lambda::kNextPath) continue;  // park it
      (void)connection.Write(NotFound());
      if (EndsWith(target, lambda::kResponseSuffix)) {
        return FailedPreconditionError("response for an unknown request: " + target);
      }
    }
    if (fds[0].revents != 0) {
      Result<UniqueFd> accepted = net::Accept(listen_fd);
      if (!accepted.ok()) return UnavailableError("accept failed: " + accepted.status().message());
      const timeval timeout{kReceiveTimeoutSeconds, 0};
      ::setsockopt(accepted->get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      connections.emplace_back(std::move(accepted).value());
    }
  }
}

}  // namespace zerostart::bench
