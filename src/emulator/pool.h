// Pool: the execution environments of one function and the scheduling of its invokes, as
// Lambda scales a function (AWS docs, "Lambda function scaling" and "Configuring reserved
// concurrency"): an invoke takes an environment with room — a warm one first (the one idle the
// shortest time, so the others can be reclaimed), then one still initialising — or, with fewer
// than `concurrency` environments, a new one (a cold start: its REPORT carries Init Duration).
// With every environment full, a synchronous invoke is answered at once with 429
// TooManyRequestsException (Reason: ReservedFunctionConcurrentInvocationLimitExceeded) — never
// queued. Asynchronous (Event) invokes go through an AsyncEventQueue with Lambda's retry policy
// and run on the same environments under the same limit.
//
// Each environment serves one invoke at a time (classic), or up to max_concurrency at once
// (Lambda Managed Instances; see environment.h); `concurrency` counts environments.
//
// Thread safety: all public methods may be called concurrently. One mutex guards the pool and
// all its environments (they share it).
#ifndef ZEROSTART_SRC_EMULATOR_POOL_H_
#define ZEROSTART_SRC_EMULATOR_POOL_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "src/emulator/async_events.h"
#include "src/emulator/environment.h"
#include "src/emulator/function_config.h"
#include "src/emulator/function_side.h"
#include "src/emulator/invocation.h"
#include "src/emulator/log_sink.h"

namespace zerostart::emulator {

// The defaults `zerostart serve` documents.
inline constexpr int kDefaultConcurrency = 10;
inline constexpr int kDefaultIdleTimeoutSeconds = 300;
// The largest --concurrency accepted: each environment is a process tree with a few threads and
// descriptors in serve; Lambda's default account limit is 1,000.
inline constexpr int kMaxConcurrency = 1000;

struct PoolOptions {
  FunctionConfig config;
  ResolvedFunction function;
  LogSink* sink = nullptr;    // must outlive the pool
  int concurrency = kDefaultConcurrency;  // environments at most (reserved concurrency)
  int max_concurrency = 0;    // 0: classic; M >= 1: Lambda Managed Instances, M per environment
  bool freeze = true;         // classic: freeze idle environments
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(kDefaultIdleTimeoutSeconds);  // 0: never
  bool eager = false;         // start one environment now (always so with max_concurrency >= 1)
  bool enforce_limits = false;
  FunctionSideFactory make_function_side;
  AsyncEventOptions async;    // Event invokes: retries and the on-failure destination
  std::string function_arn;   // what extensions' INVOKE events name
  std::vector<std::string> extensions;  // external extensions, started in every environment
};

class Pool {
 public:
  explicit Pool(PoolOptions options);
  // Stop().
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Starts the janitor (and one environment, if eager).
  void Start();
  // Answers every assigned and in-flight invoke with a service error (500), shuts every
  // environment down (SIGKILL to its process group, function side stopped, cgroups removed)
  // in parallel, and waits until all are gone. Pending Event invokes are dropped (said on
  // stderr). Idempotent.
  void Stop();

  // Runs `invocation` and blocks until it is answered (429 at once when every environment is
  // full). If invocation->reply is set, the thread that produced the answer calls it first.
  // `admitted`, if set, is called once the invoke has an environment and before the function
  // can see it (e.g. to send a streaming caller its response head), with the pool's mutex
  // held: it must not block (a small write to a fresh socket) nor call the pool.
  InvokeResult Invoke(std::shared_ptr<Invocation> invocation, const std::function<void()>& admitted = {});
  // Accepts an asynchronous (Event) invocation; it runs later (see AsyncEventQueue).
  void InvokeAsync(std::shared_ptr<Invocation> invocation);

  const PoolOptions& options() const { return options_; }

  struct Stats {
    int environments = 0;  // live (starting or ready)
    int busy = 0;          // live environments with an invoke assigned or in flight
    uint64_t started = 0;  // environments started since Start()
    uint64_t throttled = 0;
  };
  Stats stats();
  // Retires every environment started so far, for a function replaced on disk: none of them gets
  // another invoke (the next one starts a fresh environment), and each is torn down as soon as
  // it has no invoke in flight — now, or at a later FinishRetiring(). Returns how many are still
  // busy. REQUIRES: mutex not held (as every public method).
  int RetireEnvironments();
  // Tears down the retired environments that have become idle; returns how many are still busy.
  int FinishRetiring();
  // For tests and diagnostics: what each live environment has now (in the order they started).
  struct EnvironmentInfo {
    uint64_t id = 0;
    std::string runtime_api;  // "127.0.0.1:PORT" ("" in go1.x mode)
    std::vector<std::string> group_dirs;
    bool ready = false;
    bool frozen = false;
  };
  std::vector<EnvironmentInfo> Environments();
  // Waits until no environment is left (after idle reclaim or failures) or `timeout` passes;
  // true if none is left. For tests of idle reclaim.
  bool WaitForNoEnvironments(std::chrono::milliseconds timeout);

 private:
  // REQUIRES: mutex_ held. Assigns `invocation` (see the top of the file) and returns its
  // environment (to notify once the mutex is released); null when throttled.
  // *created is set when the environment is new: the caller must Start() it once the mutex is
  // released.
  std::shared_ptr<Environment> PlaceLocked(const std::shared_ptr<Invocation>& invocation,
                                           const std::function<void()>& admitted, bool* created);
  // REQUIRES: mutex_ held. A new environment, not yet started (call Start() without the mutex).
  std::shared_ptr<Environment> NewEnvironmentLocked();
  // Places `invocation` (unless it is answered already) and wakes its environment; throttled,
  // or when stopping, it is answered at once instead. REQUIRES: mutex_ not held.
  void Admit(const std::shared_ptr<Invocation>& invocation, const std::function<void()>& admitted);
  void Reassign(std::vector<std::shared_ptr<Invocation>> invocations);
  void OnDead(Environment* environment);
  void JanitorMain();
  InvokeResult ThrottleResult() const;

  const PoolOptions options_;
  std::mutex mutex_;
  std::condition_variable janitor_cv_;
  std::condition_variable gone_cv_;
  bool started_ = false;
  bool stopping_ = false;
  uint64_t next_id_ = 0;
  uint64_t retired_through_id_ = 0;  // environments with an id up to this get no invoke
  uint64_t throttled_ = 0;
  std::list<std::shared_ptr<Environment>> environments_;  // live and ending
  std::vector<Environment*> dead_;                         // to destroy (janitor)
  std::thread janitor_;
  std::unique_ptr<AsyncEventQueue> async_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_POOL_H_
