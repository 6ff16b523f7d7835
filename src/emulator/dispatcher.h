// Dispatcher: the queue of invokes and the one function instance that serves them, in order —
// the Lambda side of one execution environment.
//
// Invoke threads queue Invocations (FIFO) and wait for their answer; runtime-API threads take
// them through Next() and answer them with PostResponse/PostError; a supervisor thread starts
// the function process when an invoke needs it (or at once with `eager`), enforces the timeout,
// notices the process's exit, and tears it down. Every queued invoke gets exactly one answer.
//
// The runtime side is played either by Runtime API connection threads (Next()/Post*) or by a
// driver that speaks another protocol to the function itself (go1.x: Go1xClient). Such a driver
// learns of each new instance through DispatcherOptions::instance_env (called with the spawn id),
// takes that instance's invokes with Next(spawn_id) (the first call ends Init Duration), answers
// them with PostResponse/PostError, checks IsLive(spawn_id) to stop talking to a dead process,
// and may Retire(spawn_id) an instance that asked to exit.
//
// Log tails (X-Amz-Log-Type: Tail): the function's lines reach the sink through a tee that also
// appends them to the in-flight invocation's LogTail; START/END/REPORT are appended too, and
// such an invocation's answer is delivered only once its REPORT line is written.
//
// Instance lifecycle: none -> starting (spawned, waiting for its first /next; Init Duration is
// spawn -> that /next, or -> Next(spawn_id)) -> ready -> dying (timeout, exit, init error, shutdown) -> none.
// A timed-out, crashed or init-failed instance is SIGKILLed (whole process group) and the next
// invoke starts a fresh one, whose first REPORT carries Init Duration again.
//
// The warm path costs two thread hand-offs (invoke thread -> runtime connection thread ->
// invoke thread), both condition variables; the supervisor is not involved (it only sleeps
// until the in-flight deadline, which is never earlier than `timeout` after it last looked).
//
// Thread safety: all public methods are safe to call concurrently.
#ifndef ZEROSTART_SRC_EMULATOR_DISPATCHER_H_
#define ZEROSTART_SRC_EMULATOR_DISPATCHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "src/common/env.h"
#include "src/emulator/cgroup_limits.h"
#include "src/emulator/function_config.h"
#include "src/emulator/function_process.h"
#include "src/emulator/invocation.h"
#include "src/emulator/log_sink.h"
#include "src/emulator/log_tail.h"

namespace zerostart::emulator {

struct DispatcherOptions {
  FunctionConfig config;
  ResolvedFunction function;
  std::string runtime_api;  // "127.0.0.1:PORT", given to the function as AWS_LAMBDA_RUNTIME_API;
                            // empty: no Runtime API (go1.x), the variable is not set
  bool eager = false;       // start the function at once instead of on the first invoke
  LogSink* sink = nullptr;  // must outlive the dispatcher
  // Optional: extra environment for one instance, applied over all the rest (BuildFunctionEnv
  // and --env overrides). Called once per spawn with the new instance's spawn id, on the
  // supervisor thread, WITHOUT the dispatcher's lock (it may start threads that call
  // IsLive/Next(spawn_id)), before the process is started; it must not block for long. The
  // spawn may still fail, after which IsLive(spawn_id) is false.
  std::function<EnvMap(uint64_t spawn_id)> instance_env;
  // Optional (must outlive the dispatcher): Lambda's CPU and memory limits. Each process joins
  // its groups at spawn with the CPU quota lifted (BeforeSpawn), the quota is applied when its
  // init ends (first /next or Next(spawn_id)), and an exit the memory limit caused is answered
  // with Runtime.OutOfMemory instead of Runtime.ExitError.
  CgroupLimits* limits = nullptr;
};

// The lines to print once an invocation is answered (END/REPORT and friends). Returned to the
// thread that answered it, which prints them with Report() after replying to the runtime, so
// the reply is not delayed by measuring memory.
struct ReportTicket {
  std::shared_ptr<Invocation> invocation;
  std::shared_ptr<FunctionProcess> process;  // to flush output and measure memory; may be null
  double duration_ms = 0;
  std::optional<double> init_duration_ms;
  std::string status;          // "", "timeout", "error"
  std::string error_type;
  std::string before_start;    // e.g. INIT_REPORT for a failed init
  bool print_start = false;    // START was not printed at hand-over (the invoke never got there)
  std::string before_end;      // e.g. the "Task timed out" line
};

class Dispatcher {
 public:
  enum class PostOutcome {
    kAccepted,          // 202
    kInvalidRequestId,  // 400: not the invocation in flight (unknown or already answered)
    kTooLarge,          // 413: response over lambda::kMaxPayloadBytes; the caller got an error
    kInvalidState,      // 403: e.g. /init/error after init
  };
  struct PostResult {
    PostOutcome outcome = PostOutcome::kAccepted;
    std::optional<ReportTicket> report;  // if set: call Report() after answering the runtime
  };
  struct StreamStart {
    PostOutcome outcome = PostOutcome::kAccepted;
    std::shared_ptr<Invocation> invocation;  // set when kAccepted
  };
  // How a streamed response ended (see stream_relay.h).
  struct StreamEnd {
    std::string body;          // what the function wrote, for a caller that wants it buffered
    std::string content_type;  // the function's Content-Type
    std::string error_json;    // non-empty: the response ended with this function error
  };

  explicit Dispatcher(DispatcherOptions options);
  // Stop().
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the supervisor thread (and the function, if eager).
  void Start();
  // Answers every queued and in-flight invoke with a service error, terminates the function
  // (SIGTERM to its group, SIGKILL after 500 ms), waits for the supervisor. Idempotent.
  void Stop();

  // --- Invoke side ---
  // Queues `invocation` and blocks until it is answered. If invocation->reply is set, the
  // thread that produced the answer calls it first (so the caller's answer does not wait for
  // this thread to wake up); Invoke() returns after it has run.
  InvokeResult Invoke(std::shared_ptr<Invocation> invocation);
  // Queues an asynchronous (Event) invocation; its result is only logged.
  void InvokeAsync(std::shared_ptr<Invocation> invocation);

  // --- Runtime side (called by the Runtime API server) ---
  // GET /next: blocks until an invocation is handed to the runtime, then prints START and
  // returns it (its Duration starts here); the caller writes the event. Returns null when
  // the connection should be closed (the instance is gone, or the emulator stops). A /next
  // while an invocation is in flight returns that same invocation again (as Lambda's rapid
  // does: the runtime lost it).
  std::shared_ptr<Invocation> Next();
  PostResult PostResponse(std::string_view request_id, std::string body, std::string content_type);
  PostResult PostError(std::string_view request_id, std::string_view body,
                       std::string_view error_type_header);
  PostResult PostInitError(std::string_view body, std::string_view error_type_header);
  // POST /response with Lambda-Runtime-Function-Response-Mode: streaming. BeginStream marks the
  // in-flight invocation `request_id` as streaming (kInvalidRequestId if it is not in flight,
  // kInvalidState if it already streams); its bytes then go to invocation->stream, if set,
  // while it stays in flight (a timeout or crash can still end it). FinishStream answers it
  // (kInvalidRequestId if it was answered meanwhile, e.g. timed out); its Duration ends here,
  // at the last byte. PostResponse/PostError for a streaming invocation are kInvalidState.
  StreamStart BeginStream(std::string_view request_id);
  PostResult FinishStream(std::string_view request_id, StreamEnd end);
  // The Runtime API thread stopped reading a stream BeginStream started (after FinishStream, or
  // because the connection ended). A function that dies mid-stream is answered only after this
  // (or after kRelayDrainLimit), so the caller gets every byte it wrote before it died.
  void EndRelay(Invocation& invocation);
  // --- Hooks for a driver that plays the runtime side itself (see the top of this file) ---
  // Next() for the instance `spawn_id` only: null at once when that is not the current
  // instance, so a driver of a dead instance can neither mark a newer one ready nor take its
  // invokes. The first call for an instance marks it ready (ends its Init Duration).
  std::shared_ptr<Invocation> Next(uint64_t spawn_id);
  // True while `spawn_id` is the current instance, starting or ready, its process not known
  // to have exited, and the dispatcher is not stopping.
  bool IsLive(uint64_t spawn_id);
  // Retires the live instance `spawn_id`: it is torn down (SIGKILL to its group, as after a
  // timeout) and the next invoke starts a fresh instance (whose REPORT shows Init Duration).
  // For a function that asked to exit (go1.x ShouldExit) or a broken connection. Returns false
  // and does nothing if `spawn_id` is not live or an invocation is in flight (answer it first).
  bool Retire(uint64_t spawn_id);

  // A response body too large even to read: answers the in-flight invocation (if any) with
  // Function.ResponseSizeTooLarge.
  PostResult ResponseTooLargeToRead();
  // Prints the END/REPORT lines of `ticket` and lets the next invocation be handed over.
  void Report(ReportTicket ticket);

  const DispatcherOptions& options() const { return options_; }

 private:
  enum class State { kNone, kStarting, kReady, kDying };
  using Clock = std::chrono::steady_clock;

  std::shared_ptr<Invocation> NextFor(std::optional<uint64_t> spawn_id);
  void SupervisorMain();
  // The Handle*/TearDown/Spawn helpers run on the supervisor with `lock` held; they may
  // release it while they work.
  void HandleExit(std::unique_lock<std::mutex>& lock);
  void HandleTimeout(std::unique_lock<std::mutex>& lock);
  void HandleInitTimeout(std::unique_lock<std::mutex>& lock);
  void TearDown(std::unique_lock<std::mutex>& lock);
  void SpawnInstance(std::unique_lock<std::mutex>& lock);
  void OnProcessExit(uint64_t spawn_id);

  // REQUIRES: mutex_ held. Sets the answer unless one was set; false if it was.
  bool Complete(Invocation& invocation, InvokeResult result);
  // REQUIRES: mutex_ not held; `invocation` was Complete()d by this thread. Sends the answer
  // through invocation->reply (if set) and wakes Invoke().
  void Deliver(const std::shared_ptr<Invocation>& invocation);
  // REQUIRES: mutex_ held. Moves to kDying and wakes whatever waits for this instance.
  void MarkDying();
  // REQUIRES: mutex_ held. A ticket for the in-flight invocation, answered now.
  ReportTicket TicketFor(const std::shared_ptr<Invocation>& invocation, Clock::time_point now);
  // REQUIRES: mutex_ held. A ticket for `invocation`, answered without ever being handed over
  // (its init failed): START is printed with its REPORT; no Duration.
  ReportTicket TicketBeforeStart(const std::shared_ptr<Invocation>& invocation);
  // Answers the in-flight invocation `request_id` with `make_result(&outcome)` (called under the
  // lock; it may change the outcome from kAccepted), delivers it and returns the REPORT ticket.
  // kInvalidRequestId, and no call, when that invocation is not the one in flight.
  // kInvalidState, and no call, when the invocation's streaming state is not `streaming`.
  template <typename MakeResult>
  PostResult FinishInFlight(std::string_view request_id, bool streaming, MakeResult make_result);
  // REQUIRES: mutex_ held. True when a waiting /next could take the queue's head now.
  bool CanHandOver() const;
  void Enqueue(std::shared_ptr<Invocation> invocation);
  InvokeResult ShutdownResult() const;
  double InitDurationMs(Clock::time_point now) const;

  const DispatcherOptions options_;
  // options_.sink, and the log tail of the invocation in flight when it asked for one.
  TailingLogSink tee_;
  const std::chrono::nanoseconds timeout_;
  const std::chrono::nanoseconds init_timeout_;

  std::mutex mutex_;
  std::condition_variable next_cv_;        // runtime threads waiting in Next()
  std::condition_variable supervisor_cv_;
  bool stopping_ = false;
  bool started_ = false;
  bool eager_pending_ = false;
  std::deque<std::shared_ptr<Invocation>> queue_;
  std::shared_ptr<Invocation> in_flight_;
  int reporting_ = 0;      // tickets handed out and not yet Report()ed
  int waiting_next_ = 0;   // threads inside Next()

  // The instance.
  State state_ = State::kNone;
  uint64_t generation_ = 0;  // changes when an instance starts or starts dying
  uint64_t spawn_id_ = 0;
  bool exited_ = false;      // the reaper reported the current process's exit
  std::shared_ptr<FunctionProcess> process_;
  bool spawning_ = false;    // SpawnInstance is starting process_ with the lock released
  Clock::time_point spawned_at_{};
  std::optional<double> init_duration_ms_;  // measured at the first /next
  bool init_reported_ = false;              // the first REPORT already showed it

  std::thread supervisor_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_DISPATCHER_H_
