#include "src/emulator/environment.h"

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

double ElapsedMs(nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

// Lambda filters application logs by level in JSON format only.
int MinLevelRank(const LoggingConfig& logging) {
  if (logging.format != LogFormat::kJson) return -1;
  return LogLevelRank(logging.application_level.empty() ? "INFO" : logging.application_level);
}

int64_t EpochMs(std::chrono::system_clock::time_point t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

InvokeResult FunctionErrorResult(std::string body) {
  InvokeResult result;
  result.body = std::move(body);
  result.content_type = std::string(lambda::kJsonContentType);
  result.function_error = true;
  return result;
}

InvokeResult ShutdownResult() {
  InvokeResult result;
  result.http_status = 500;
  result.body = ServiceErrorJson("zerostart serve is shutting down", "Service");
  result.content_type = std::string(lambda::kJsonContentType);
  result.exception = std::string(lambda::kServiceException);
  return result;
}

void DeliverAnswer(std::mutex& mutex, const std::shared_ptr<Invocation>& invocation) {
  if (invocation->log_tail) {
    // Report() delivers it, once the tail holds the REPORT line. Only here can two threads
    // deliver: a deferred REPORT may be written by another thread (an extension's) before or
    // after the thread that completed the invoke gets here; the first with the answer final
    // sends it. Without a tail only the completing thread delivers.
    std::lock_guard<std::mutex> lock(mutex);
    if (invocation->report_pending || invocation->claimed) return;
    invocation->claimed = true;
  }
  // `result` no longer changes once `done` is set (under the mutex, by this thread), except for
  // log_result, which Report() sets before it delivers.
  if (invocation->reply) invocation->reply(invocation->result);
  {
    std::lock_guard<std::mutex> lock(mutex);
    invocation->delivered = true;
  }
  invocation->done_cv.notify_all();
}

Environment::Environment(EnvironmentOptions options, std::mutex& mutex, uint64_t id)
    : options_(std::move(options)),
      id_(id),
      mutex_(mutex),
      tee_(options_.sink),
      telemetry_([sink = options_.sink](std::string message) { sink->WriteStderr(message + "\n"); }),
      platform_(options_.config->logging, options_.function->name,
                options_.max_concurrency > 0 ? kInitLambdaManagedInstances : kInitOnDemand, &telemetry_),
      function_sink_(&tee_, &telemetry_, LogSource::kFunction, MinLevelRank(options_.config->logging)),
      extension_sink_(&tee_, &telemetry_, LogSource::kExtension, MinLevelRank(options_.config->logging)),
      timeout_(duration_cast<nanoseconds>(std::chrono::duration<double>(options_.config->timeout_seconds))),
      init_timeout_(std::max<nanoseconds>(std::chrono::seconds(lambda::kInitTimeoutSeconds), timeout_)) {}

Environment::~Environment() { Join(); }

void Environment::Start() {
  supervisor_ = std::thread([this] { SupervisorMain(); });
}

void Environment::Join() {
  if (supervisor_.joinable()) supervisor_.join();
}

bool Environment::IsLiveLocked() const {
  return (state_ == State::kStarting || state_ == State::kReady) && !exited_;
}

size_t Environment::SlotsTaken() const { return assigned_.size() + in_flight_.size() + orphans_.size(); }

bool Environment::HasRoomLocked() const {
  return IsLiveLocked() && SlotsTaken() < static_cast<size_t>(slots());
}

bool Environment::HasOrphanLocked(std::string_view request_id) const {
  return std::find(orphans_.begin(), orphans_.end(), request_id) != orphans_.end();
}

void Environment::AssignLocked(std::shared_ptr<Invocation> invocation) {
  idle_since_.reset();
  ThawLocked();
  invocation->assigned_at = Clock::now();
  assigned_.push_back(std::move(invocation));
}

void Environment::NotifyAssigned() {
  // notify_all: with M workers waiting, any may take it; a notify_one could wake one that is
  // about to leave (its environment ending) and pass it on to no one.
  next_cv_.notify_all();
}

std::optional<std::chrono::steady_clock::time_point> Environment::IdleSinceLocked() const {
  return idle_since_;
}

void Environment::ShutdownLocked(std::vector<std::shared_ptr<Invocation>>* answered) {
  if (ending_ == Ending::kShutdown || state_ == State::kDead) return;
  ending_ = Ending::kShutdown;
  shutdown_reason_ = lambda::kShutdownReasonSpindown;
  for (auto& invocation : assigned_) {
    if (Complete(*invocation, ShutdownResult())) answered->push_back(invocation);
  }
  assigned_.clear();
  std::vector<std::shared_ptr<Invocation>> in_flight = in_flight_;
  for (auto& invocation : in_flight) {
    if (Complete(*invocation, ShutdownResult())) answered->push_back(invocation);
  }
  if (state_ != State::kDying) MarkDying();
  supervisor_cv_.notify_all();
}

bool Environment::Complete(Invocation& invocation, InvokeResult result) {
  if (invocation.done) return false;
  invocation.done = true;
  invocation.result = std::move(result);
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](const std::shared_ptr<Invocation>& i) { return i.get() == &invocation; });
  if (it != in_flight_.end()) in_flight_.erase(it);
  return true;
}

std::shared_ptr<Invocation> Environment::FindInFlight(std::string_view request_id) const {
  for (const auto& invocation : in_flight_) {
    if (invocation->request_id == request_id) return invocation;
  }
  return nullptr;
}

bool Environment::ReleaseOrphanLocked(std::string_view request_id) {
  auto orphan = std::find(orphans_.begin(), orphans_.end(), request_id);
  if (orphan == orphans_.end()) return false;
  orphans_.erase(orphan);
  NoteIfIdle(Clock::now());
  next_cv_.notify_all();
  return true;
}

bool Environment::CanHandOver() const {
  // Not to a process known to be dead: its invokes are placed again when the environment ends.
  if (state_ != State::kReady || exited_ || assigned_.empty()) return false;
  if (managed()) return in_flight_.size() + orphans_.size() < static_cast<size_t>(slots());
  // Classic: one at a time, and only once the previous REPORT is written (lines never reorder).
  return in_flight_.empty() && reporting_ == 0;
}

void Environment::MarkDying() {
  state_ = State::kDying;
  next_cv_.notify_all();
  supervisor_cv_.notify_all();
}

void Environment::NoteIfIdle(Clock::time_point now) {
  if (!assigned_.empty() || !in_flight_.empty() || reporting_ != 0 || idle_since_) return;
  idle_since_ = now;
  // The supervisor sleeps until its next deadline without being woken per invoke; wake it only
  // when the idle reclaim is due before that (an idle timeout shorter than the invoke timeout).
  if (options_.idle_timeout.count() > 0 && now + options_.idle_timeout < supervisor_wake_) {
    supervisor_cv_.notify_all();
  }
}

void Environment::FreezeLocked() {
  if (frozen_ || !freezer_ || freeze_failed_ || managed() || !options_.freeze) return;
  Status frozen = freezer_->Freeze();
  if (!frozen.ok()) {
    freeze_failed_ = true;
    options_.sink->WriteStderr("zerostart: cannot freeze the idle environment (" + frozen.message() +
                               "); it keeps running between invokes\n");
    return;
  }
  frozen_ = true;
  telemetry_.Pause();
}

void Environment::ThawLocked() {
  if (!frozen_ || !freezer_) return;
  Status thawed = freezer_->Thaw();
  if (thawed.ok()) {
    frozen_ = false;
    telemetry_.Resume();
    return;
  }
  // A process we cannot thaw cannot serve: end the environment (its invokes are placed again).
  // It stays marked frozen: TearDown then removes it through its cgroup, which thaws as it kills.
  options_.sink->WriteStderr("zerostart: cannot thaw the environment (" + thawed.message() + ")\n");
  freeze_failed_ = true;
  if (IsLiveLocked()) MarkDying();
}

double Environment::InitDurationMs(Clock::time_point now) const { return ElapsedMs(now - spawned_at_); }

// --- Function side ---

bool Environment::IsLive() {
  std::lock_guard<std::mutex> lock(mutex_);
  return IsLiveLocked();
}

bool Environment::Retire() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!IsLiveLocked() || !in_flight_.empty()) return false;
  MarkDying();  // the supervisor tears it down; the pool makes a fresh environment when needed
  return true;
}

std::shared_ptr<Invocation> Environment::Next() {
  std::unique_lock<std::mutex> lock(mutex_);
  // On a busy machine a new process can ask for its first event before Spawn() has recorded
  // it: wait for that, or its REPORT would neither flush its output nor measure it.
  next_cv_.wait(lock, [this] { return process_ != nullptr || state_ != State::kStarting; });
  if (state_ == State::kStarting && !exited_) {
    if (!runtime_ready_) {
      runtime_ready_ = true;  // internal extensions can no longer register
      std::string done = platform_.InitRuntimeDone(kStatusSuccess, "");
      if (!done.empty()) options_.sink->WriteStdout(done);
      FinishInitIfReadyLocked();
    }
    // Init ends once every extension has asked for its first event too.
    next_cv_.wait(lock, [this] { return state_ != State::kStarting; });
  }
  if (state_ != State::kReady) {
    WaitOutShutdownPhaseLocked(lock);
    return nullptr;  // a connection of an environment that is ending
  }
  if (!managed() && !in_flight_.empty()) return in_flight_.front();  // see the header
  ++waiting_next_;
  if (!CanHandOver()) {
    NoteIfIdle(Clock::now());
    // Idle and parked in /next: as on Lambda, the environment does not run until the next invoke.
    if (assigned_.empty() && in_flight_.empty() && reporting_ == 0) FreezeLocked();
    next_cv_.wait(lock, [&] { return state_ != State::kReady || CanHandOver(); });
  }
  --waiting_next_;
  if (state_ != State::kReady) {
    WaitOutShutdownPhaseLocked(lock);
    return nullptr;
  }

  std::shared_ptr<Invocation> invocation = std::move(assigned_.front());
  assigned_.pop_front();
  in_flight_.push_back(invocation);
  Clock::time_point now = Clock::now();
  invocation->handed_over = now;
  invocation->deadline = now + timeout_;
  invocation->deadline_epoch_ms =
      EpochMs(std::chrono::system_clock::now() + duration_cast<std::chrono::system_clock::duration>(timeout_));
  if (!extensions_.empty()) QueueInvokeEventsLocked(*invocation);
  lock.unlock();
  if (invocation->log_tail && !managed()) tee_.SetTail(invocation->log_tail);
  std::string start = platform_.Start(invocation->request_id);
  if (!start.empty()) tee_.WriteStdout(start);
  // Duration starts now, just before the event is written: on a busy machine the woken function
  // may run (and answer) before our write(2) even returns, so a later timestamp could miss it.
  invocation->started_ns.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  return invocation;
}

void Environment::AddExtensionProcessesLocked(ReportTicket* ticket) const {
  for (const auto& extension : extensions_) {
    if (extension->process) ticket->extensions.push_back(extension->process);
  }
}

ReportTicket Environment::TicketBeforeStart(const std::shared_ptr<Invocation>& invocation) {
  ReportTicket ticket;
  ticket.invocation = invocation;
  ticket.process = process_;
  AddExtensionProcessesLocked(&ticket);
  ticket.print_start = true;
  invocation->report_pending = true;
  ++reporting_;
  return ticket;
}

double Environment::DurationMs(const Invocation& invocation, Clock::time_point now) {
  int64_t started = invocation.started_ns.load(std::memory_order_relaxed);
  Clock::time_point start = started != 0 ? Clock::time_point(nanoseconds(started)) : invocation.handed_over;
  return std::max(0.0, ElapsedMs(now - start));
}

ReportTicket Environment::TicketFor(const std::shared_ptr<Invocation>& invocation, Clock::time_point now) {
  ReportTicket ticket;
  ticket.invocation = invocation;
  ticket.process = process_;
  AddExtensionProcessesLocked(&ticket);
  invocation->report_pending = true;
  ticket.duration_ms = DurationMs(*invocation, now);
  if (!init_reported_ && init_duration_ms_) {
    ticket.init_duration_ms = init_duration_ms_;
    init_reported_ = true;
  }
  ++reporting_;
  return ticket;
}

template <typename MakeResult>
Environment::PostResult Environment::FinishInFlight(std::string_view request_id, bool streaming,
                                                    MakeResult make_result) {
  PostResult post;
  std::shared_ptr<Invocation> invocation;
  double runtime_ms = 0;
  bool function_error = false;
  uint64_t produced_bytes = 0;
  std::string error_type;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    invocation = FindInFlight(request_id);
    if (!invocation) {
      // A timed-out invoke of the M model: the function finished it after all; its slot is free.
      ReleaseOrphanLocked(request_id);
      post.outcome = PostOutcome::kInvalidRequestId;
      return post;
    }
    if (invocation->stream_started != streaming) {
      // /response or /error once streaming began (Lambda: only the trailers can end it now).
      post.outcome = PostOutcome::kInvalidState;
      return post;
    }
    Clock::time_point now = Clock::now();
    Complete(*invocation, make_result(&post.outcome));
    post.report = TicketFor(invocation, now);
    runtime_ms = post.report->duration_ms;
    function_error = invocation->result.function_error;
    produced_bytes = invocation->result.body.size();
    if (function_error && platform_.WantsRuntimeDone()) error_type = ErrorTypeOf(invocation->result.body);
    DeferReportLocked(post.report);
  }
  // Before the answer: whoever gets it may stop serve at once, and the record must be out.
  std::string done = platform_.RuntimeDone(invocation->request_id, function_error ? kStatusError : kStatusSuccess,
                                           error_type, runtime_ms, produced_bytes);
  if (!done.empty()) tee_.WriteStdout(done);
  DeliverAnswer(mutex_, invocation);
  return post;
}

Environment::PostResult Environment::PostResponse(std::string_view request_id, std::string body,
                                                  std::string content_type) {
  return FinishInFlight(request_id, /*streaming=*/false, [&](PostOutcome* outcome) {
    InvokeResult result;
    if (body.size() > lambda::kMaxPayloadBytes) {
      result = FunctionErrorResult(ResponseTooLargeJson());
      *outcome = PostOutcome::kTooLarge;
    } else {
      result.body = std::move(body);
      result.content_type =
          content_type.empty() ? std::string(lambda::kJsonContentType) : std::move(content_type);
    }
    return result;
  });
}

Environment::PostResult Environment::PostError(std::string_view request_id, std::string_view body,
                                               std::string_view error_type_header) {
  return FinishInFlight(request_id, /*streaming=*/false, [&](PostOutcome*) -> InvokeResult {
    return FunctionErrorResult(NormalizeErrorBody(body, error_type_header));
  });
}

Environment::StreamStart Environment::BeginStream(std::string_view request_id) {
  StreamStart start;
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Invocation> invocation = FindInFlight(request_id);
  if (!invocation) {
    ReleaseOrphanLocked(request_id);  // a late streamed answer frees the slot as a buffered one does
    start.outcome = PostOutcome::kInvalidRequestId;
  } else if (invocation->stream_started) {
    start.outcome = PostOutcome::kInvalidState;
  } else {
    invocation->stream_started = true;
    invocation->relaying = true;
    relaying_.push_back(invocation);
    start.invocation = std::move(invocation);
  }
  return start;
}

void Environment::EndRelay(Invocation& invocation) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    invocation.relaying = false;
    relaying_.erase(std::remove_if(relaying_.begin(), relaying_.end(),
                                   [&](const std::shared_ptr<Invocation>& i) { return i.get() == &invocation; }),
                    relaying_.end());
  }
  supervisor_cv_.notify_all();
}

Environment::PostResult Environment::FinishStream(std::string_view request_id, StreamEnd end) {
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

Environment::PostResult Environment::PostInitError(std::string_view body,
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
    init_report = platform_.InitReport(init_ms, kStatusError, error_type);
    MarkDying();
    // The invoke that caused this init fails with the runtime's error (Lambda's behaviour).
    invocation = TakeInitInvoke();
    if (invocation) {
      Complete(*invocation, FunctionErrorResult(std::move(error)));
      ReportTicket ticket = TicketBeforeStart(invocation);
      ticket.status = "error";
      ticket.error_type = error_type;
      ticket.before_start = std::move(init_report);
      post.report = std::move(ticket);
    }
  }
  if (invocation) {
    DeliverAnswer(mutex_, invocation);
  } else if (!init_report.empty()) {
    options_.sink->WriteStdout(init_report);
  }
  return post;
}

Environment::PostResult Environment::ResponseTooLargeToRead() {
  PostResult post;
  post.outcome = PostOutcome::kTooLarge;
  std::shared_ptr<Invocation> invocation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (in_flight_.size() != 1) return post;
    Clock::time_point now = Clock::now();
    invocation = in_flight_.front();
    Complete(*invocation, FunctionErrorResult(ResponseTooLargeJson()));
    post.report = TicketFor(invocation, now);
    DeferReportLocked(post.report);
  }
  DeliverAnswer(mutex_, invocation);
  return post;
}

void Environment::Report(ReportTicket ticket) {
  uint64_t peak_kib = 0;
  if (ticket.process) {
    // Lines the function wrote before it answered belong before END.
    ticket.process->FlushOutput();
    peak_kib = ticket.process->PeakRssKib();
  }
  // Each process's own peak, added: an upper bound of what the environment held at once.
  for (const auto& extension : ticket.extensions) peak_kib += extension->PeakRssKib();
  const std::string& id = ticket.invocation->request_id;
  std::string lines = std::move(ticket.before_start);
  if (ticket.print_start) lines += platform_.Start(id);
  lines += ticket.before_end;
  ReportFields fields;
  fields.request_id = id;
  fields.duration_ms = ticket.duration_ms;
  fields.memory_size_mb = options_.config->memory_mb;
  fields.max_memory_used_mb = KibToReportMb(peak_kib);
  fields.init_duration_ms = ticket.init_duration_ms;
  fields.status = ticket.status;
  fields.error_type = ticket.error_type;
  lines += platform_.Report(fields);
  const std::shared_ptr<LogTail>& tail = ticket.invocation->log_tail;
  if (tail) {
    if (!managed()) tee_.SetTail(nullptr);  // the function's lines until now were its; later ones are not
    tail->Append(lines);
  }
  if (!lines.empty()) options_.sink->WriteStdout(lines);
  options_.sink->OnReport(fields);
  if (tail) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ticket.invocation->result.log_result = tail->Base64();
      ticket.invocation->report_pending = false;
    }
    DeliverAnswer(mutex_, ticket.invocation);
  }

  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --reporting_;
    // TearDown waits for the last reports before it ends the environment's telemetry.
    if (reporting_ == 0 && state_ == State::kDying) supervisor_cv_.notify_all();
    NoteIfIdle(Clock::now());
    wake = waiting_next_ > 0 && CanHandOver();
    // The function already waits in /next with nothing to do: it is idle now.
    if (!wake && waiting_next_ > 0 && idle_since_) FreezeLocked();
  }
  if (wake) next_cv_.notify_all();
}

}  // namespace zerostart::emulator
