// Environment: one Lambda execution environment — one function process tree (its own process
// group, cgroup and log stream), its function side (a Runtime API endpoint of its own, or a
// go1.x client), and the invokes it is serving. The Pool makes environments and assigns
// invokes to them; an environment never outlives its process: after a timeout, a crash, an init
// failure, idle reclaim or shutdown it is torn down and the Pool makes a fresh one when needed
// (whose first REPORT carries Init Duration).
//
// Two models (AWS docs, "Lambda Managed Instances execution environment"):
//   classic (max_concurrency 0): one invoke at a time; frozen between invokes (Freezer); a
//     timed-out invoke kills the environment.
//   Lambda Managed Instances (max_concurrency M >= 1): the process gets
//     AWS_LAMBDA_MAX_CONCURRENCY=M and up to M invokes at once (M concurrent /next long-polls);
//     never frozen; a timed-out invoke is answered Sandbox.Timedout but its code is not killed —
//     it keeps its slot until the runtime answers it or the environment ends.
//
// Lifecycle: starting (spawned, waiting for its first /next; Init Duration = spawn -> that /next,
// or -> the go1.x Ping answer) -> ready -> dying (timeout, exit, init error, idle, shutdown) ->
// dead (process gone, function side stopped, cgroup removed; EnvironmentOptions::on_dead).
// A supervisor thread per environment (environment_supervisor.cc) spawns the process, enforces
// the timeouts, notices the exit, reclaims the idle environment and tears it down.
//
// Locking: every environment of a pool shares the Pool's mutex (`mutex` below); methods named
// *Locked require it held, the others take it. The warm path is two hand-offs through condition
// variables (the invoke thread -> the function side's thread blocked in Next() -> back); the
// supervisor is not woken per invoke (it sleeps until the earliest deadline, never longer than
// the timeout, so a newly handed-over invoke needs no notification).
//
// Log tails (X-Amz-Log-Type: Tail, classic model only): the function's lines reach the sink
// through a tee that also appends them to the in-flight invocation's LogTail; START/END/REPORT
// are appended too, and such an invocation's answer is delivered once its REPORT is written.
#ifndef ZEROSTART_SRC_EMULATOR_ENVIRONMENT_H_
#define ZEROSTART_SRC_EMULATOR_ENVIRONMENT_H_

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
#include <vector>

#include "src/emulator/cgroup_limits.h"
#include "src/emulator/extensions.h"
#include "src/emulator/freezer.h"
#include "src/emulator/function_config.h"
#include "src/emulator/function_process.h"
#include "src/emulator/function_side.h"
#include "src/emulator/function_log_sink.h"
#include "src/emulator/invocation.h"
#include "src/emulator/log_sink.h"
#include "src/emulator/log_tail.h"
#include "src/emulator/platform_log.h"
#include "src/emulator/telemetry.h"

namespace zerostart::emulator {

struct EnvironmentOptions {
  const FunctionConfig* config = nullptr;      // must outlive the environment
  const ResolvedFunction* function = nullptr;  // must outlive the environment
  LogSink* sink = nullptr;                     // must outlive the environment
  // 0: classic, one invoke at a time. M >= 1: Lambda Managed Instances, M at once (see above).
  int max_concurrency = 0;
  bool freeze = true;                          // classic model: freeze while idle
  std::chrono::nanoseconds idle_timeout{0};    // reclaim after this long idle; 0: never
  bool enforce_limits = false;                 // Lambda's CPU share and memory limit, own cgroup
  FunctionSideFactory make_function_side;
  std::string function_arn;  // what extensions' INVOKE events name
  // External extensions (absolute paths of executables, FindExtensions()) started before the
  // function in the same environment: same cgroup, variables and working directory, each in a
  // process group of its own (so one's exit does not take the others or the function with it).
  std::vector<std::string> extensions;
  // Called from the supervisor thread (no lock held) with invokes that were assigned to this
  // environment but never reached its function when it ended (e.g. its process exited between
  // invokes): the pool places them again. Not called at shutdown (they are answered).
  std::function<void(std::vector<std::shared_ptr<Invocation>>)> reassign;
  // Called once from the supervisor thread when the environment is dead (everything released
  // except the thread itself). The pool then destroys it from another thread. Must not block.
  std::function<void(Environment*)> on_dead;
};

// The lines to print once an invocation is answered (END/REPORT and friends). Returned to the
// thread that answered it, which prints them with Report() after replying to the runtime, so
// the reply is not delayed by measuring memory.
struct ReportTicket {
  std::shared_ptr<Invocation> invocation;
  std::shared_ptr<FunctionProcess> process;  // to flush output and measure memory; may be null
  // The external extensions' processes: Max Memory Used is the whole environment's.
  std::vector<std::shared_ptr<FunctionProcess>> extensions;
  double duration_ms = 0;
  std::optional<double> init_duration_ms;
  std::string status;          // "", "timeout", "error"
  std::string error_type;
  std::string before_start;    // e.g. INIT_REPORT for a failed init
  bool print_start = false;    // START was not printed at hand-over (the invoke never got there)
  std::string before_end;      // e.g. the "Task timed out" line
};

// Sends the answer `invocation` got (Complete()d by this thread) through invocation->reply, if
// set, and wakes whoever waits for it — unless a REPORT ticket with a log tail is still out
// (Report() delivers it then). REQUIRES: `mutex` (the pool's) not held.
void DeliverAnswer(std::mutex& mutex, const std::shared_ptr<Invocation>& invocation);

// The answer every invoke gets when serve stops: 500 ServiceException.
InvokeResult ShutdownResult();

// A function error: 200 with X-Amz-Function-Error: Unhandled and `body` (JSON) as the answer.
InvokeResult FunctionErrorResult(std::string body);

// A fresh cgroup name for one environment, "zerostart-<pid>-<n>" (unique within the process;
// CgroupLimits removes empty groups of that shape whose pid is gone).
std::string NewEnvironmentGroupName();

class Environment {
 public:
  enum class PostOutcome {
    kAccepted,          // 202
    kInvalidRequestId,  // 400: not an invocation in flight (unknown or already answered)
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

  // `mutex` is the pool's and outlives the environment. `id` numbers the pool's environments.
  Environment(EnvironmentOptions options, std::mutex& mutex, uint64_t id);
  // Joins the supervisor. REQUIRES: Shutdown() was called or on_dead has run; not called from
  // the supervisor thread.
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  uint64_t id() const { return id_; }
  const EnvironmentOptions& options() const { return options_; }
  // The sink the function's output goes to (the tee that feeds log tails).
  LogSink* sink() { return &tee_; }

  // --- Pool side ---
  // Starts the supervisor, which spawns the process at once.
  void Start();
  // REQUIRES: mutex held. Starting or ready, not dying.
  bool IsLiveLocked() const;
  bool IsReadyLocked() const { return state_ == State::kReady; }
  // REQUIRES: mutex held. True when a new invoke can be assigned: live, and fewer than its
  // slots (1, or M) taken by invokes not yet answered (and, in the M model, timed-out ones the
  // runtime still works on).
  bool HasRoomLocked() const;
  // REQUIRES: mutex held. Whether a timed-out invoke with this request id may still be answered
  // late here (M model): an Event retry, which keeps the request id, must go elsewhere.
  bool HasOrphanLocked(std::string_view request_id) const;
  // REQUIRES: mutex held and HasRoomLocked(). Takes `invocation`: it is handed to the function
  // as soon as the function asks for work (thawing the environment first). The caller then
  // notifies: call NotifyAssigned() after releasing the mutex.
  void AssignLocked(std::shared_ptr<Invocation> invocation);
  void NotifyAssigned();
  // REQUIRES: mutex held. When the environment last became idle (nothing assigned, nothing
  // reporting); nullopt while it is busy.
  std::optional<std::chrono::steady_clock::time_point> IdleSinceLocked() const;
  // REQUIRES: mutex held. Its Runtime API address ("" in go1.x mode or before it is made) and
  // its cgroup directories (none without limits), for tests and diagnostics.
  std::string RuntimeApiLocked() const { return side_ ? side_->runtime_api() : ""; }
  std::vector<std::string> GroupDirsLocked() const {
    return limits_ ? limits_->group_dirs() : std::vector<std::string>{};
  }
  // REQUIRES: mutex held. Whether it is frozen now (as the emulator asked; see Freezer).
  bool FrozenLocked() const { return frozen_; }
  // REQUIRES: mutex held. Begins shutdown: every assigned and in-flight invoke is answered
  // with ShutdownResult() (appended to `answered`, for the caller to DeliverAnswer() once the
  // mutex is released); the supervisor then kills the process group (SIGKILL), stops the
  // function side and removes the cgroup. Idempotent.
  void ShutdownLocked(std::vector<std::shared_ptr<Invocation>>* answered);
  // Waits until the supervisor has finished (the environment is dead). REQUIRES: mutex not held.
  void Join();

  // --- Function side (called by the FunctionSide's threads; the mutex must not be held) ---
  // GET /next: blocks until an invocation is handed to the function, prints START and returns
  // it (its Duration starts here); the caller writes the event. The first call ends init (Init
  // Duration, the CPU quota applies). Returns null when the connection should be closed (the
  // environment ends). Classic model: a /next while an invocation is in flight returns that same
  // invocation again (as Lambda's rapid does: the runtime lost it).
  std::shared_ptr<Invocation> Next();
  PostResult PostResponse(std::string_view request_id, std::string body, std::string content_type);
  PostResult PostError(std::string_view request_id, std::string_view body,
                       std::string_view error_type_header);
  PostResult PostInitError(std::string_view body, std::string_view error_type_header);
  // POST /response with Lambda-Runtime-Function-Response-Mode: streaming. BeginStream marks the
  // in-flight invocation `request_id` as streaming (kInvalidRequestId if it is not in flight,
  // kInvalidState if it already streams); its bytes then go to invocation->stream, if set,
  // while it stays in flight (a timeout or crash can still end it). FinishStream answers it
  // (kInvalidRequestId if it was answered meanwhile, e.g. timed out); its Duration ends here.
  // PostResponse/PostError for a streaming invocation are kInvalidState.
  StreamStart BeginStream(std::string_view request_id);
  PostResult FinishStream(std::string_view request_id, StreamEnd end);
  // The function side stopped reading a stream BeginStream started (after FinishStream, or
  // because the connection ended). A function that dies mid-stream is answered only after this
  // (or after a drain limit), so the caller gets every byte it wrote before it died.
  void EndRelay(Invocation& invocation);
  // --- Extensions API (environment_extensions.cc; the function side's threads, no lock held) ---
  struct ExtensionAnswer {
    std::optional<ExtensionRefusal> refusal;  // set: answer it instead
    std::string identifier;                   // register: Lambda-Extension-Identifier
    std::string body;                         // register: the answer body
  };
  // POST /extension/register. An external extension registers under its file name (once); any
  // other name registers an internal one, allowed until the function's first /next. Refusals:
  // Extension.InvalidExtensionName (empty), InvalidRequestFormat (body), InvalidEventType (an
  // unknown event; SHUTDOWN for an internal extension; INVOKE with Lambda Managed Instances),
  // InvalidExtensionState (registered twice), RegistrationClosed, TooManyExtensions.
  ExtensionAnswer RegisterExtension(std::string_view name, std::string_view body, bool wants_account_id);
  // GET /extension/event/next: ends the extension's previous event (an INVOKE it held then
  // counts as done) and blocks until it has a new one, whose JSON it returns. nullopt with
  // `refusal` set: an unknown identifier; with `refusal` unset: the environment is gone (close).
  std::optional<std::string> NextExtensionEvent(std::string_view id, ExtensionRefusal* refusal);
  // An event NextExtensionEvent returned could not be written to the extension (its connection
  // had gone): it goes back to the front of the extension's queue for its next /event/next.
  void ReturnExtensionEvent(std::string_view id, std::string event);
  // POST /extension/init/error (init) or /extension/exit/error: the environment fails with
  // Extension.InitError / Extension.ExitError, naming `error_type`. Refusals: unknown
  // identifier; init/error after init.
  ExtensionAnswer ReportExtensionError(std::string_view id, std::string_view error_type, bool init);
  // PUT /2022-07-01/telemetry from the extension `id` (AWS docs "Lambda Telemetry API"):
  // TelemetryHub::Subscribe's answer, or a refusal for an unknown identifier. Platform events
  // of the init so far are delivered to a subscription made during init.
  TelemetrySubscribeAnswer SubscribeTelemetry(std::string_view id, std::string_view body,
                                              ExtensionRefusal* refusal);

  // A response body too large even to read: answers the in-flight invocation with
  // Function.ResponseSizeTooLarge when exactly one is in flight (which one it was is unknown
  // otherwise: the others end by their timeout).
  PostResult ResponseTooLargeToRead();
  // Prints the END/REPORT lines of `ticket` and lets the next invocation be handed over.
  void Report(ReportTicket ticket);
  // True while the environment is starting or ready and its process is not known to have
  // exited (a driver stops talking to a dead process).
  bool IsLive();
  // Retires the live environment: it is torn down (SIGKILL to its group, as after a timeout).
  // For a function that asked to exit (go1.x ShouldExit) or a broken connection. Returns false
  // and does nothing if it is not live or an invocation is in flight (answer it first).
  bool Retire();

 private:
  enum class State { kStarting, kReady, kDying, kDead };
  using Clock = std::chrono::steady_clock;
  enum class Ending { kNone, kIdle, kShutdown };

  // --- environment_supervisor.cc ---
  void SupervisorMain();
  // The Handle*/TearDown/Spawn helpers run on the supervisor with `lock` held; they may
  // release it while they work.
  bool Spawn(std::unique_lock<std::mutex>& lock);
  void HandleExit(std::unique_lock<std::mutex>& lock);
  void HandleTimeout(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Invocation>& invocation);
  void HandleInitTimeout(std::unique_lock<std::mutex>& lock);
  // An invoke was given to the ready environment but its function did not ask for work within
  // the timeout (stuck after its last answer): the invoke times out, the environment ends.
  void HandleUnclaimed(std::unique_lock<std::mutex>& lock);
  void TearDown(std::unique_lock<std::mutex>& lock);
  // Answers every invoke in flight (and the one waiting for init, if starting) with
  // `error_type` and the JSON `error_json(request_id)` makes; the environment is dying.
  template <typename MakeErrorJson>
  void FailInvokes(std::unique_lock<std::mutex>& lock, std::string_view error_type, MakeErrorJson error_json);
  // An answered invoke's extensions did not all ask for their next event by its deadline: its
  // REPORT says timeout, and the environment ends.
  void HandleExtensionsTimeout(std::unique_lock<std::mutex>& lock);
  // An extension failed (crashed, or reported an init or exit error): the environment fails.
  void HandleExtensionFailure(std::unique_lock<std::mutex>& lock);
  // Spawns the external extensions with `spawn` (path and args replaced) and waits, with the
  // mutex released, until each has registered (or one failed, or the init deadline passed).
  // Returns false when they could not be started.
  bool SpawnExtensions(std::unique_lock<std::mutex>& lock, SpawnOptions spawn, std::string* failure);
  void OnExtensionExit(Extension* extension);
  // After the invokes were answered: the Shutdown phase. Without registered extensions,
  // SIGKILL at once; with them, SIGTERM to the function and SHUTDOWN to the extensions
  // subscribed to it, then SIGKILL to whatever is left at the deadline (500 ms, or 2 s with an
  // external extension). REQUIRES: mutex not held.
  void StopProcesses(const std::shared_ptr<FunctionProcess>& process, CgroupLimits* limits);

  // --- environment_extensions.cc ---
  // REQUIRES: `lock` holds the mutex. With an extension registered, waits until the Shutdown
  // phase is over (the function gets SIGTERM while its /next is still pending).
  void WaitOutShutdownPhaseLocked(std::unique_lock<std::mutex>& lock);
  // REQUIRES: mutex held. Init ends once the function and every registered extension have
  // asked for their first event.
  void FinishInitIfReadyLocked();
  // REQUIRES: mutex held. Queues INVOKE for every extension subscribed to it.
  void QueueInvokeEventsLocked(const Invocation& invocation);
  // REQUIRES: mutex held. Whether an extension still owes an /event/next for this invoke.
  bool ExtensionsBusyWithLocked(std::string_view request_id) const;
  // REQUIRES: mutex held. Keeps `ticket` until the extensions are done with its invoke (true),
  // or returns false when none is busy with it.
  bool DeferReportLocked(std::optional<ReportTicket>& ticket);
  // REQUIRES: mutex held. The deferred tickets whose invokes no extension is busy with any
  // more, with their Duration running to `now` (the post-runtime time included).
  std::vector<ReportTicket> TakeFinishedReportsLocked(Clock::time_point now);
  Extension* FindExtensionLocked(std::string_view id) const;
  // REQUIRES: mutex held. Queues SHUTDOWN for the subscribed external extensions and returns
  // how long the Shutdown phase may take (0: no extension registered, SIGKILL at once).
  std::chrono::milliseconds BeginShutdownPhaseLocked();
  void OnProcessExit();
  // REQUIRES: mutex held. The earliest in-flight deadline, if any.
  std::shared_ptr<Invocation> EarliestDeadlineLocked() const;
  // REQUIRES: mutex held. Fails the invoke waiting for this environment's init (the first
  // assigned one) with `result`; returns its ticket (START printed with its REPORT).
  std::shared_ptr<Invocation> TakeInitInvoke();

  // --- environment.cc ---
  // REQUIRES: mutex held. Sets the answer unless one was set; false if it was.
  bool Complete(Invocation& invocation, InvokeResult result);
  // REQUIRES: mutex held. Moves to kDying and wakes whatever waits for this environment.
  void MarkDying();
  // An invocation's Duration so far: from its START (or, before that, its hand-over) to `now`.
  static double DurationMs(const Invocation& invocation, Clock::time_point now);
  ReportTicket TicketFor(const std::shared_ptr<Invocation>& invocation, Clock::time_point now);
  ReportTicket TicketBeforeStart(const std::shared_ptr<Invocation>& invocation);
  // REQUIRES: mutex held.
  void AddExtensionProcessesLocked(ReportTicket* ticket) const;
  template <typename MakeResult>
  PostResult FinishInFlight(std::string_view request_id, bool streaming, MakeResult make_result);
  // REQUIRES: mutex held.
  std::shared_ptr<Invocation> FindInFlight(std::string_view request_id) const;
  bool CanHandOver() const;
  // REQUIRES: mutex held. Frees the slot of the timed-out invoke `request_id` (M model) when
  // the function answers it late; false if it is not one.
  bool ReleaseOrphanLocked(std::string_view request_id);
  size_t SlotsTaken() const;
  void NoteIfIdle(Clock::time_point now);
  // REQUIRES: mutex held. Freezes the (classic, idle) environment / thaws it.
  void FreezeLocked();
  void ThawLocked();
  double InitDurationMs(Clock::time_point now) const;
  int slots() const { return options_.max_concurrency > 0 ? options_.max_concurrency : 1; }
  bool managed() const { return options_.max_concurrency > 0; }

  const EnvironmentOptions options_;
  const uint64_t id_;
  std::mutex& mutex_;
  // options_.sink, and the log tail of the invocation in flight when it asked for one.
  TailingLogSink tee_;
  // The Telemetry API's subscribers; Lambda's own records (text or JSON) published to them.
  TelemetryHub telemetry_;
  const PlatformLog platform_;
  // What the function's and the extensions' processes write: filtered by level, published.
  FunctionLogSink function_sink_;
  FunctionLogSink extension_sink_;
  const std::chrono::nanoseconds timeout_;
  const std::chrono::nanoseconds init_timeout_;

  // Guarded by mutex_.
  std::condition_variable next_cv_;  // function-side threads waiting in Next()
  std::condition_variable supervisor_cv_;
  State state_ = State::kStarting;
  Ending ending_ = Ending::kNone;
  std::deque<std::shared_ptr<Invocation>> assigned_;   // not yet handed to the function
  std::vector<std::shared_ptr<Invocation>> in_flight_;  // handed to the function, unanswered
  std::vector<std::string> orphans_;  // M model: timed out, the function still works on them
  // Invocations whose streamed response is still being read (BeginStream .. EndRelay).
  std::vector<std::shared_ptr<Invocation>> relaying_;
  int reporting_ = 0;     // tickets handed out and not yet Report()ed
  int waiting_next_ = 0;  // threads inside Next()
  bool exited_ = false;   // the reaper reported the process's exit
  bool frozen_ = false;
  bool freeze_failed_ = false;  // said once; the environment then stays thawed
  std::optional<Clock::time_point> idle_since_;
  // When the supervisor will wake unless notified (max() while it is awake).
  Clock::time_point supervisor_wake_ = Clock::time_point::max();
  Clock::time_point spawned_at_{};
  std::optional<double> init_duration_ms_;  // measured at the first /next
  bool init_reported_ = false;              // the first REPORT already showed it

  // Set by the supervisor before the process starts, read by others after (under mutex_).
  std::shared_ptr<FunctionProcess> process_;
  std::unique_ptr<CgroupLimits> limits_;
  std::unique_ptr<FunctionSide> side_;
  std::unique_ptr<Freezer> freezer_;

  // Extensions (guarded by mutex_). The processes of external ones are set before the
  // function is spawned.
  std::vector<std::unique_ptr<Extension>> extensions_;
  std::condition_variable extension_cv_;  // extensions waiting in /event/next
  bool runtime_ready_ = false;       // the function asked for its first event
  bool extensions_closed_ = false;   // the Shutdown phase is over: /event/next returns
  bool extension_failed_ = false;    // for the supervisor: see HandleExtensionFailure
  std::string extension_error_type_;     // Extension.Crash / InitError / ExitError
  std::string extension_error_message_;
  // Answered invokes whose REPORT waits for extensions still working on them.
  std::vector<ReportTicket> deferred_reports_;
  // What SHUTDOWN says, set by what ends the environment.
  std::string_view shutdown_reason_;

  std::thread supervisor_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_ENVIRONMENT_H_
