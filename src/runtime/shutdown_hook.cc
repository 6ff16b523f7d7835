#include "src/runtime/shutdown_hook.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/log.h"
#include "src/runtime/extension_api.h"
#include "src/runtime/handler_boundary.h"

namespace zerostart::runtime {
namespace {

sigset_t SigtermSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  return set;
}

// The watcher's whole life: wait, call the hook, leave.
[[noreturn]] void WatchForSigterm(const ShutdownFunction& hook) {
  const sigset_t set = SigtermSet();
  int signal = 0;
  // sigwait returns only errors it cannot get (EINVAL for a bad set); retried for safety.
  while (::sigwait(&set, &signal) != 0 || signal != SIGTERM) {
  }
  FunctionError error;
  if (!CallShutdownHook(hook, &error)) {
    log::Write(log::Level::kError,
               "runtime: shutdown hook failed: " + error.type + ": " + error.message);
  }
  std::fflush(nullptr);
  // _exit, not exit: the handler or a GET /next may still run on other threads, and static
  // destructors must not pull their state away from under them. Lambda ends the environment
  // anyway; what the hook wrote has been flushed.
  ::_exit(0);
}

// The parked GET /event/next of the internal extension.
void ParkNext(ExtensionApiConnection connection, const http::Request& next) {
  Result<http::Response> answer = connection.Exchange(next);
  // An extension without events gets none: Lambda answers only when the environment goes away
  // (or never, as it SIGKILLs the process). Nothing to do either way.
  log::Warning("runtime: " + std::string(kShutdownExtensionName) +
               ": GET event/next returned, which it should not: " +
               (answer.ok() ? DescribeHttpError("answer", *answer)
                            : answer.status().ToString()));
}

}  // namespace

Status StartShutdownWatcher(ShutdownFunction hook) {
  const sigset_t set = SigtermSet();
  int blocked = ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (blocked != 0) return InternalError(std::string("blocking SIGTERM: ") + std::strerror(blocked));
  try {
    std::thread([hook = std::move(hook)] { WatchForSigterm(hook); }).detach();
  } catch (const std::system_error& e) {
    (void)::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    return InternalError(std::string("starting the SIGTERM thread: ") + e.what());
  }
  return OkStatus();
}

Status RegisterShutdownExtension(const RuntimeApiEndpoint& endpoint) {
  ExtensionApiConnection connection(endpoint);
  Result<http::Response> answer =
      connection.Exchange(ExtensionRegisterRequest(endpoint, kShutdownExtensionName, {}));
  if (!answer.ok()) return answer.status().WithContext("POST extension/register");
  if (answer->status < 200 || answer->status >= 300) {
    return FailedPreconditionError(DescribeHttpError("POST extension/register", *answer));
  }
  std::optional<std::string_view> identifier =
      answer->headers.Get(lambda::kExtensionIdentifierHeader);
  if (!identifier.has_value() || identifier->empty()) {
    return FailedPreconditionError("POST extension/register: the answer has no " +
                                   std::string(lambda::kExtensionIdentifierHeader));
  }
  http::Request next = ExtensionNextRequest(endpoint, *identifier);
  try {
    std::thread(ParkNext, std::move(connection), std::move(next)).detach();
  } catch (const std::system_error& e) {
    return InternalError(std::string("starting the extension thread: ") + e.what());
  }
  return OkStatus();
}

void ArmShutdownHook(const RuntimeApiEndpoint& endpoint, ShutdownFunction hook) {
  // The watcher first: SIGTERM must be blocked before any other thread exists (the parked
  // GET /event/next is one).
  Status watching = StartShutdownWatcher(std::move(hook));
  if (!watching.ok()) {
    log::Write(log::Level::kWarning,
               "runtime: the shutdown hook will not be called: " + watching.ToString());
    return;
  }
  Status registered = RegisterShutdownExtension(endpoint);
  if (!registered.ok()) {
    // As aws-lambda-go: Lambda may then send no SIGTERM, but the function runs on.
    log::Write(log::Level::kWarning, "runtime: could not register the internal extension " +
                                         std::string(kShutdownExtensionName) +
                                         ", so Lambda may not send SIGTERM: " +
                                         registered.ToString());
  }
}

}  // namespace zerostart::runtime
