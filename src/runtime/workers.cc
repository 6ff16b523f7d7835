#include "src/runtime/workers.h"

#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <typeinfo>
#include <vector>

#include "src/common/log.h"
#include "src/runtime/handler_boundary.h"
#include "src/runtime/invoke_loop.h"

namespace zerostart::runtime {
namespace {

using Clients = std::span<const std::unique_ptr<RuntimeApiClient>>;

// How the workers end: the first one to stop decides the exit code and stops the others.
class Ending {
 public:
  explicit Ending(Clients clients) : clients_(clients) {}

  // Records that a worker stopped with `why`. The first call logs `why` and cancels every
  // client's Next (the one that failed included: harmless); later calls, the cancelled
  // workers' own, change nothing.
  void Stop(const std::string& why, int exit_code) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
      exit_code_ = exit_code;
    }
    log::Error(why);
    for (const std::unique_ptr<RuntimeApiClient>& client : clients_) client->CancelNext();
  }

  int exit_code() const {
    std::lock_guard lock(mutex_);
    return exit_code_;
  }

 private:
  const Clients clients_;
  mutable std::mutex mutex_;
  bool stopped_ = false;
  int exit_code_ = kExitInternal;
};

// Runs worker `index`: serve(client) until its Next fails, then stops the others. Never
// throws: on a thread of its own, an escaping exception would terminate the process.
template <typename Serve>
void RunWorker(Clients clients, size_t index, Ending& ending, const Serve& serve) noexcept {
  try {
    Status ended = serve(*clients[index]);
    ending.Stop("runtime: stopping: " + ended.ToString(), kExitLambdaGone);
  } catch (const std::exception& e) {
    ending.Stop("runtime: internal error: " + DemangledTypeName(typeid(e)) + ": " + e.what(),
                kExitInternal);
  } catch (...) {
    ending.Stop("runtime: internal error: unknown exception", kExitInternal);
  }
}

// Init through clients[0], then one worker per client: 1..n-1 on threads, 0 on this one.
template <typename Serve>
int InitThenServeConcurrently(Clients clients, const InitFunction& init, const Serve& serve) {
  if (!InitOrReport(*clients[0], init)) return kExitInitFailed;
  Ending ending(clients);
  std::vector<std::thread> threads;
  threads.reserve(clients.size() - 1);
  try {
    for (size_t i = 1; i < clients.size(); ++i) {
      threads.emplace_back([&, i] { RunWorker(clients, i, ending, serve); });
    }
  } catch (const std::system_error& e) {
    // Serving fewer workers than Lambda will send invokes would leave the extra ones waiting
    // for a /next that never comes: stop the ones started instead.
    ending.Stop("runtime: cannot start worker " + std::to_string(threads.size() + 1) + " of " +
                    std::to_string(clients.size()) + ": " + e.what(),
                kExitInternal);
  }
  RunWorker(clients, 0, ending, serve);
  for (std::thread& thread : threads) thread.join();
  return ending.exit_code();
}

}  // namespace

int ServeInvokesConcurrently(Clients clients, const Handler& handler, const InitFunction& init,
                             const FunctionContext& function) {
  return InitThenServeConcurrently(clients, init, [&](RuntimeApiClient& client) {
    return ServeUntilNextFails(client, handler, function, /*trace_env=*/nullptr);
  });
}

int ServeStreamingInvokesConcurrently(Clients clients, const StreamingHandler& handler,
                                      const InitFunction& init, const FunctionContext& function) {
  return InitThenServeConcurrently(clients, init, [&](RuntimeApiClient& client) {
    return ServeStreamingUntilNextFails(client, handler, function, /*trace_env=*/nullptr);
  });
}

}  // namespace zerostart::runtime
