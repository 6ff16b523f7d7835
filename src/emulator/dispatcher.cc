#include "src/emulator/dispatcher.h"

#include <signal.h>

#include <algorithm>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/emulator/errors.h"
#include "src/emulator/report.h"

namespace zerostart::emulator {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

double Ms(nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

InvokeResult FunctionError(std::string body) {
  InvokeResult result;
  result.body = std::move(body);
  result.content_type = std::string(lambda::kJsonContentType);
  result.function_error = true;
  return result;
}

// How long shutdown lets the function handle SIGTERM (Lambda: ~500 ms with internal extensions).
constexpr milliseconds kShutdownGrace{500};
// How long a dead function's streamed bytes may take to be relayed before its exit is answered
// (its connection ends with it, unless a process it started still holds the socket).
constexpr milliseconds kRelayDrainLimit{1000};

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options)
    : options_(std::move(options)),
      tee_(options_.sink),
      timeout_(duration_cast<nanoseconds>(std::chrono::duration<double>(options_.config.timeout_seconds))),
      init_timeout_(std::max<nanoseconds>(std::chrono::seconds(lambda::kInitTimeoutSeconds), timeout_)) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  eager_pending_ = options_.eager;
  supervisor_ = std::thread([this] { SupervisorMain(); });
}

void Dispatcher::Stop() {
  std::vector<std::shared_ptr<Invocation>> answered;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      for (auto& invocation : queue_) {
        if (Complete(*invocation, ShutdownResult())) answered.push_back(invocation);
      }
      queue_.clear();
      if (std::shared_ptr<Invocation> in_flight = in_flight_) {
        if (Complete(*in_flight, ShutdownResult())) answered.push_back(std::move(in_flight));
      }
      ++generation_;
    }
  }
  next_cv_.notify_all();
  supervisor_cv_.notify_all();
  for (auto& invocation : answered) Deliver(invocation);
  // Stop() may run twice (explicitly, then from the destructor): whoever takes the thread joins it.
  std::thread supervisor;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    supervisor = std::move(supervisor_);
  }
  if (supervisor.joinable()) supervisor.join();
}

InvokeResult Dispatcher::ShutdownResult() const {
  InvokeResult result;
  result.http_status = 500;
  result.body = ServiceErrorJson("zerostart serve is shutting down", "Service");
  result.content_type = std::string(lambda::kJsonContentType);
  result.exception = std::string(lambda::kServiceException);
  return result;
}

bool Dispatcher::Complete(Invocation& invocation, InvokeResult result) {
  if (invocation.done) return false;
  invocation.done = true;
  invocation.result = std::move(result);
  if (in_flight_.get() == &invocation) in_flight_.reset();
  return true;
}

bool Dispatcher::CanHandOver() const {
  return state_ == State::kReady && !in_flight_ && reporting_ == 0 && !queue_.empty();
}

void Dispatcher::MarkDying() {
  state_ = State::kDying;
  ++generation_;
  next_cv_.notify_all();
  supervisor_cv_.notify_one();
}

double Dispatcher::InitDurationMs(Clock::time_point now) const { return Ms(now - spawned_at_); }

// --- Invoke side ---

void Dispatcher::Enqueue(std::shared_ptr<Invocation> invocation) {
  bool wake_runtime = false;
  bool wake_supervisor = false;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) {
      Complete(*invocation, ShutdownResult());
      lock.unlock();
      Deliver(invocation);
      return;
    }
    queue_.push_back(std::move(invocation));
    wake_runtime = waiting_next_ > 0 && CanHandOver();
    wake_supervisor = state_ == State::kNone;
  }
  // notify_all: a waiter of a dead instance would take a notify_one and pass it on to no one.
  if (wake_runtime) next_cv_.notify_all();
  if (wake_supervisor) supervisor_cv_.notify_one();
}

InvokeResult Dispatcher::Invoke(std::shared_ptr<Invocation> invocation) {
  Enqueue(invocation);
  std::unique_lock<std::mutex> lock(mutex_);
  invocation->done_cv.wait(lock, [&] { return invocation->delivered; });
  return std::move(invocation->result);
}

void Dispatcher::Deliver(const std::shared_ptr<Invocation>& invocation) {
  if (invocation->log_tail) {
    // Report() delivers it, once the tail holds the REPORT line.
    std::lock_guard<std::mutex> lock(mutex_);
    if (invocation->report_pending) return;
  }
  // `result` no longer changes once `done` is set (under mutex_, by this thread), except for
  // log_result, which Report() sets before it delivers.
  if (invocation->reply) invocation->reply(invocation->result);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    invocation->delivered = true;
  }
  invocation->done_cv.notify_all();
}

void Dispatcher::InvokeAsync(std::shared_ptr<Invocation> invocation) {
  invocation->async = true;
  Enqueue(std::move(invocation));
}

// --- Runtime side ---

std::shared_ptr<Invocation> Dispatcher::Next() { return NextFor(std::nullopt); }

std::shared_ptr<Invocation> Dispatcher::Next(uint64_t spawn_id) { return NextFor(spawn_id); }

bool Dispatcher::IsLive(uint64_t spawn_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return !stopping_ && spawn_id == spawn_id_ && !exited_ &&
         (state_ == State::kStarting || state_ == State::kReady);
}

bool Dispatcher::Retire(uint64_t spawn_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || spawn_id != spawn_id_ || exited_ || in_flight_ ||
      (state_ != State::kStarting && state_ != State::kReady)) {
    return false;
  }
  MarkDying();  // the supervisor tears it down; the next invoke spawns a fresh instance
  return true;
}

std::shared_ptr<Invocation> Dispatcher::NextFor(std::optional<uint64_t> spawn_id) {
  std::unique_lock<std::mutex> lock(mutex_);
  // On a busy machine a new process can ask for its first event before SpawnInstance has
  // recorded it: wait for that, or its REPORT would neither flush its output nor measure it.
  next_cv_.wait(lock, [this] { return stopping_ || !spawning_; });
  if (stopping_) return nullptr;
  if (spawn_id && *spawn_id != spawn_id_) return nullptr;  // a driver of an older instance
  if (state_ == State::kStarting) {
    init_duration_ms_ = InitDurationMs(Clock::now());
    state_ = State::kReady;
    // Init is over: from now on the function gets Lambda's share of the CPU (once per instance).
    if (options_.limits) options_.limits->Throttle();
  } else if (state_ != State::kReady) {
    return nullptr;  // a connection of an instance that is gone
  }
  if (in_flight_) return in_flight_;  // see the header: the same event again
  const uint64_t generation = generation_;
  ++waiting_next_;
  next_cv_.wait(lock, [&] { return stopping_ || generation_ != generation || CanHandOver(); });
  --waiting_next_;
  if (stopping_ || generation_ != generation) return nullptr;

  std::shared_ptr<Invocation> invocation = std::move(queue_.front());
  queue_.pop_front();
  in_flight_ = invocation;
  Clock::time_point now = Clock::now();
  invocation->handed_over = now;
  invocation->deadline = now + timeout_;
  invocation->deadline_epoch_ms =
      EpochMs(std::chrono::system_clock::now() + duration_cast<std::chrono::system_clock::duration>(timeout_));
  lock.unlock();
  if (invocation->log_tail) tee_.SetTail(invocation->log_tail);
  tee_.WriteStdout(StartLine(invocation->request_id, lambda::kLatestVersion));
  // Duration starts now, just before the event is written: on a busy machine the woken function
  // may run (and answer) before our write(2) even returns, so a later timestamp could miss it.
  invocation->started_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  return invocation;
}

ReportTicket Dispatcher::TicketBeforeStart(const std::shared_ptr<Invocation>& invocation) {
  ReportTicket ticket;
  ticket.invocation = invocation;
  ticket.process = process_;
  ticket.print_start = true;
  invocation->report_pending = true;
  ++reporting_;
  return ticket;
}

ReportTicket Dispatcher::TicketFor(const std::shared_ptr<Invocation>& invocation, Clock::time_point now) {
  ReportTicket ticket;
  ticket.invocation = invocation;
  ticket.process = process_;
  invocation->report_pending = true;
  int64_t started = invocation->started_ns.load(std::memory_order_relaxed);
  Clock::time_point start = started != 0 ? Clock::time_point(nanoseconds(started)) : invocation->handed_over;
  ticket.duration_ms = std::max(0.0, Ms(now - start));
  if (!init_reported_ && init_duration_ms_) {
    ticket.init_duration_ms = init_duration_ms_;
    init_reported_ = true;
  }
  ++reporting_;
  return ticket;
}

template <typename MakeResult>
Dispatcher::PostResult Dispatcher::FinishInFlight(std::string_view request_id, bool streaming,
                                                  MakeResult make_result) {
  PostResult post;
  std::shared_ptr<Invocation> invocation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!in_flight_ || in_flight_->request_id != request_id) {
      post.outcome = PostOutcome::kInvalidRequestId;
      return post;
    }
    if (in_flight_->stream_started != streaming) {
      // /response or /error once streaming began (Lambda: only the trailers can end it now).
      post.outcome = PostOutcome::kInvalidState;
      return post;
    }
    Clock::time_point now = Clock::now();
    invocation = in_flight_;
    Complete(*invocation, make_result(&post.outcome));
    post.report = TicketFor(invocation, now);
  }
  Deliver(invocation);
  return post;
}

Dispatcher::PostResult Dispatcher::PostResponse(std::string_view request_id, std::string body,
                                                std::string content_type) {
  return FinishInFlight(request_id, /*streaming=*/false, [&](PostOutcome* outcome) {
    InvokeResult result;
    if (body.size() > lambda::kMaxPayloadBytes) {
      result = FunctionError(ResponseTooLargeJson());
      *outcome = PostOutcome::kTooLarge;
    } else {
      result.body = std::move(body);
      result.content_type =
          content_type.empty() ? std::string(lambda::kJsonContentType) : std::move(content_type);
    }
    return result;
  });
}

Dispatcher::PostResult Dispatcher::PostError(std::string_view request_id, std::string_view body,
                                             std::string_view error_type_header) {
  return FinishInFlight(request_id, /*streaming=*/false, [&](PostOutcome*) -> InvokeResult {
    return FunctionError(NormalizeErrorBody(body, error_type_header));
  });
}

Dispatcher::StreamStart Dispatcher::BeginStream(std::string_view request_id) {
  StreamStart start;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!in_flight_ || in_flight_->request_id != request_id) {
    start.outcome = PostOutcome::kInvalidRequestId;
  } else if (in_flight_->stream_started) {
    start.outcome = PostOutcome::kInvalidState;
  } else {
    in_flight_->stream_started = true;
    in_flight_->relaying = true;
    start.invocation = in_flight_;
  }
  return start;
}

void Dispatcher::EndRelay(Invocation& invocation) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    invocation.relaying = false;
  }
  supervisor_cv_.notify_all();
}

Dispatcher::PostResult Dispatcher::FinishStream(std::string_view request_id, StreamEnd end) {
  return FinishInFlight(request_id, /*streaming=*/true, [&](PostOutcome*) {
    InvokeResult result;
    result.streamed = true;
    if (!end.error_json.empty()) {
      result.body = std::move(end.error_json);
      result.content_type = std::string(lambda::kJsonContentType);
      result.function_error = true;
    } else {
      result.body = std::move(end.body);
      result.content_type = std::move(end.content_type);
    }
    return result;
  });
}

Dispatcher::PostResult Dispatcher::PostInitError(std::string_view body,
                                                 std::string_view error_type_header) {
  PostResult post;
  std::shared_ptr<Invocation> invocation;
  std::string init_report;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ != State::kStarting) {
      post.outcome = PostOutcome::kInvalidState;
      return post;
    }
    double init_ms = InitDurationMs(Clock::now());
    std::string error = NormalizeErrorBody(body, error_type_header);
    std::string error_type = ErrorTypeOf(error);
    if (error_type.empty()) {
      error_type = error_type_header.empty() ? std::string(lambda::kErrorTypeUnknown)
                                             : std::string(error_type_header);
    }
    init_report = InitReportLine(init_ms, "error", error_type);
    MarkDying();
    if (!queue_.empty()) {
      // The invoke that caused this init fails with the runtime's error (Lambda's behaviour).
      invocation = std::move(queue_.front());
      queue_.pop_front();
      Complete(*invocation, FunctionError(std::move(error)));
      ReportTicket ticket = TicketBeforeStart(invocation);
      ticket.status = "error";
      ticket.error_type = error_type;
      ticket.before_start = std::move(init_report);
      post.report = std::move(ticket);
    }
  }
  if (invocation) {
    Deliver(invocation);
  } else {
    options_.sink->WriteStdout(init_report);
  }
  return post;
}

Dispatcher::PostResult Dispatcher::ResponseTooLargeToRead() {
  PostResult post;
  post.outcome = PostOutcome::kTooLarge;
  std::shared_ptr<Invocation> invocation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!in_flight_) return post;
    Clock::time_point now = Clock::now();
    invocation = in_flight_;
    Complete(*invocation, FunctionError(ResponseTooLargeJson()));
    post.report = TicketFor(invocation, now);
  }
  Deliver(invocation);
  return post;
}

void Dispatcher::Report(ReportTicket ticket) {
  uint64_t peak_kib = 0;
  if (ticket.process) {
    // Lines the function wrote before it answered belong before END.
    ticket.process->FlushOutput();
    peak_kib = ticket.process->PeakRssKib();
  }
  const std::string& id = ticket.invocation->request_id;
  std::string lines = std::move(ticket.before_start);
  if (ticket.print_start) lines += StartLine(id, lambda::kLatestVersion);
  lines += ticket.before_end;
  lines += EndLine(id);
  ReportFields fields;
  fields.request_id = id;
  fields.duration_ms = ticket.duration_ms;
  fields.memory_size_mb = options_.config.memory_mb;
  fields.max_memory_used_mb = KibToReportMb(peak_kib);
  fields.init_duration_ms = ticket.init_duration_ms;
  fields.status = ticket.status;
  fields.error_type = ticket.error_type;
  lines += ReportLine(fields);
  const std::shared_ptr<LogTail>& tail = ticket.invocation->log_tail;
  if (tail) {
    tee_.SetTail(nullptr);  // the function's lines until now were its; later ones are not
    tail->Append(lines);
  }
  options_.sink->WriteStdout(lines);
  if (tail) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ticket.invocation->result.log_result = tail->Base64();
      ticket.invocation->report_pending = false;
    }
    Deliver(ticket.invocation);
  }

  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --reporting_;
    wake = waiting_next_ > 0 && CanHandOver();
  }
  if (wake) next_cv_.notify_all();
}

// --- Supervisor ---

void Dispatcher::OnProcessExit(uint64_t spawn_id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (spawn_id != spawn_id_) return;
    exited_ = true;
  }
  supervisor_cv_.notify_one();
}

void Dispatcher::SupervisorMain() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    Clock::time_point now = Clock::now();
    bool alive = state_ == State::kStarting || state_ == State::kReady;
    if (alive && exited_) {
      HandleExit(lock);
    } else if (state_ == State::kReady && in_flight_ && now >= in_flight_->deadline) {
      HandleTimeout(lock);
    } else if (state_ == State::kStarting && process_ && now >= spawned_at_ + init_timeout_) {
      HandleInitTimeout(lock);
    } else if (state_ == State::kDying) {
      TearDown(lock);
    } else if (state_ == State::kNone && (!queue_.empty() || eager_pending_)) {
      SpawnInstance(lock);
    } else {
      // No notification is needed when an invoke is handed over: its deadline is at least
      // `timeout` away, and we never sleep longer than that.
      Clock::time_point wake = now + timeout_;
      if (state_ == State::kReady && in_flight_) wake = std::min(wake, in_flight_->deadline);
      if (state_ == State::kStarting) wake = std::min(wake, spawned_at_ + init_timeout_);
      supervisor_cv_.wait_until(lock, wake);
    }
  }
  std::shared_ptr<FunctionProcess> process = std::move(process_);
  state_ = State::kNone;
  lock.unlock();
  if (process) process->Terminate(kShutdownGrace);
}

void Dispatcher::HandleExit(std::unique_lock<std::mutex>& lock) {
  if (in_flight_ && in_flight_->relaying) {
    // The function died mid-stream: what it wrote before is still being read from its
    // connection, which ends with it. Answer only once those bytes have gone to the caller.
    std::shared_ptr<Invocation> streaming = in_flight_;
    supervisor_cv_.wait_for(lock, kRelayDrainLimit, [&] { return stopping_ || !streaming->relaying; });
    if (stopping_) return;  // Stop() answered it
  }
  std::optional<ExitInfo> info = process_ ? process_->exit_info() : std::nullopt;
  int wait_status = info ? info->wait_status : 0;
  const bool was_starting = state_ == State::kStarting;
  Clock::time_point now = Clock::now();
  // Killed by the memory limit (the memory controller counted an OOM kill), or an ordinary exit.
  const bool out_of_memory = options_.limits && options_.limits->OomKilledSinceSpawn(wait_status);
  const std::string_view error_type = out_of_memory ? lambda::kErrorTypeOutOfMemory : lambda::kErrorTypeExit;
  auto error_json = [&](const std::string& request_id) {
    return out_of_memory ? OutOfMemoryErrorJson(request_id, wait_status)
                         : ExitErrorJson(request_id, wait_status);
  };
  MarkDying();
  std::shared_ptr<Invocation> invocation;
  std::optional<ReportTicket> ticket;
  std::string note;
  if (in_flight_) {
    invocation = in_flight_;
    Complete(*invocation, FunctionError(error_json(invocation->request_id)));
    ticket = TicketFor(invocation, now);
    ticket->status = "error";
    ticket->error_type = std::string(error_type);
  } else if (was_starting) {
    std::string init_report = InitReportLine(InitDurationMs(now), "error", error_type);
    if (!queue_.empty()) {
      invocation = std::move(queue_.front());
      queue_.pop_front();
      Complete(*invocation, FunctionError(error_json(invocation->request_id)));
      ticket = TicketBeforeStart(invocation);
      ticket->status = "error";
      ticket->error_type = std::string(error_type);
      ticket->before_start = std::move(init_report);
    } else {
      note = std::move(init_report);
    }
  } else {
    options_.sink->WriteStderr("zerostart: the function exited between invokes (" +
                               ExitDescription(wait_status) +
                               (out_of_memory ? ", out of memory" : "") + ")\n");
  }
  lock.unlock();
  if (invocation) Deliver(invocation);
  if (ticket) Report(std::move(*ticket));
  if (!note.empty()) options_.sink->WriteStdout(note);
  lock.lock();
}

void Dispatcher::HandleTimeout(std::unique_lock<std::mutex>& lock) {
  std::shared_ptr<Invocation> invocation = in_flight_;
  const double timeout_seconds = options_.config.timeout_seconds;
  Complete(*invocation, FunctionError(TimeoutErrorJson(invocation->request_id, timeout_seconds)));
  ReportTicket ticket = TicketFor(invocation, Clock::now());
  ticket.duration_ms = std::min(ticket.duration_ms, Ms(timeout_));
  ticket.status = "timeout";
  ticket.before_end =
      TimeoutLogLine(std::chrono::system_clock::now(), invocation->request_id, timeout_seconds);
  MarkDying();
  lock.unlock();
  Deliver(invocation);
  Report(std::move(ticket));  // measures memory before TearDown kills the process
  lock.lock();
}

void Dispatcher::HandleInitTimeout(std::unique_lock<std::mutex>& lock) {
  const double init_timeout_seconds = std::chrono::duration<double>(init_timeout_).count();
  std::string init_report = InitReportLine(Ms(init_timeout_), "timeout", "");
  MarkDying();
  std::shared_ptr<Invocation> invocation;
  std::optional<ReportTicket> ticket;
  if (!queue_.empty()) {
    invocation = std::move(queue_.front());
    queue_.pop_front();
    Complete(*invocation, FunctionError(InitTimeoutErrorJson(invocation->request_id, init_timeout_seconds)));
    ticket = TicketBeforeStart(invocation);
    ticket->status = "timeout";
    ticket->before_start = std::move(init_report);
  }
  lock.unlock();
  if (invocation) Deliver(invocation);
  if (ticket) {
    Report(std::move(*ticket));
  } else {
    options_.sink->WriteStdout(init_report);
  }
  lock.lock();
}

void Dispatcher::TearDown(std::unique_lock<std::mutex>& lock) {
  std::shared_ptr<FunctionProcess> process = std::move(process_);
  lock.unlock();
  if (process) {
    process->Signal(SIGKILL);
    while (!process->WaitForExit(std::chrono::seconds(1))) process->Signal(SIGKILL);
  }
  process.reset();  // joins its threads, unless a ReportTicket still holds it
  lock.lock();
  state_ = State::kNone;
  exited_ = false;
  init_duration_ms_.reset();
  init_reported_ = false;
}

void Dispatcher::SpawnInstance(std::unique_lock<std::mutex>& lock) {
  eager_pending_ = false;
  state_ = State::kStarting;
  ++generation_;
  const uint64_t spawn_id = ++spawn_id_;
  exited_ = false;
  init_duration_ms_.reset();
  init_reported_ = false;
  spawned_at_ = Clock::now();  // Init Duration counts the spawn itself

  SpawnOptions spawn;
  spawn.path = options_.function.executable;
  spawn.args = options_.config.args;
  spawn.env = BuildFunctionEnv(options_.config, options_.function, options_.runtime_api,
                               NewLogStreamName(std::chrono::system_clock::now()));
  spawn.working_dir = options_.function.directory;
  if (options_.limits) {
    // Under the lock, so that no /next of an older instance can re-apply the quota meanwhile:
    // the new process's init runs unthrottled, as on Lambda.
    options_.limits->BeforeSpawn();
    spawn.join_cgroup_fds = options_.limits->join_fds();
  }
  spawning_ = true;
  lock.unlock();
  if (options_.instance_env) {
    for (auto& [key, value] : options_.instance_env(spawn_id)) spawn.env[key] = std::move(value);
  }
  auto spawned = FunctionProcess::Spawn(spawn, &tee_, [this, spawn_id] { OnProcessExit(spawn_id); });
  lock.lock();
  spawning_ = false;
  next_cv_.notify_all();
  if (spawned.ok()) {
    process_ = std::shared_ptr<FunctionProcess>(std::move(spawned).value());
    return;
  }

  // The executable vanished or broke since start-up: the invoke that wanted it fails.
  state_ = State::kNone;
  ++generation_;
  std::string message = spawned.status().message();
  std::shared_ptr<Invocation> invocation;
  std::optional<ReportTicket> ticket;
  if (!queue_.empty()) {
    invocation = std::move(queue_.front());
    queue_.pop_front();
    Complete(*invocation, FunctionError(FunctionErrorJson(
                              lambda::kErrorTypeInvalidEntrypoint,
                              "RequestId: " + invocation->request_id + " Error: " + message)));
    ticket = TicketBeforeStart(invocation);  // no process: the spawn failed
    ticket->status = "error";
    ticket->error_type = std::string(lambda::kErrorTypeInvalidEntrypoint);
  }
  lock.unlock();
  options_.sink->WriteStderr("zerostart: " + message + "\n");
  if (invocation) Deliver(invocation);
  if (ticket) Report(std::move(*ticket));
  lock.lock();
}

}  // namespace zerostart::emulator
