// The supervisor of one Environment: spawns its process, enforces the init and invoke
// timeouts, answers for a process that exits, reclaims the environment when it has been idle
// too long, and tears it down (process group, function side, cgroup).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <utility>

#include "src/common/cpu_budget.h"
#include "src/common/lambda_protocol.h"
#include "src/emulator/environment.h"
#include "src/emulator/errors.h"
#include "src/emulator/ids.h"
#include "src/emulator/report.h"

namespace zerostart::emulator {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// How long a dead function's streamed bytes may take to be relayed before its exit is answered
// (its connection ends with it, unless a process it started still holds the socket).
constexpr milliseconds kRelayDrainLimit{1000};
// How long buffered telemetry may take to reach its subscribers when the environment ends.
constexpr milliseconds kTelemetryFlushLimit{300};

double SupervisorMs(nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

std::string NewEnvironmentGroupName() {
  static std::atomic<int> counter{0};
  return "zerostart-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

std::shared_ptr<Invocation> Environment::TakeInitInvoke() {
  if (assigned_.empty()) return nullptr;
  std::shared_ptr<Invocation> invocation = std::move(assigned_.front());
  assigned_.pop_front();
  return invocation;
}

std::shared_ptr<Invocation> Environment::EarliestDeadlineLocked() const {
  std::shared_ptr<Invocation> earliest;
  for (const auto& invocation : in_flight_) {
    if (!earliest || invocation->deadline < earliest->deadline) earliest = invocation;
  }
  return earliest;
}

void Environment::OnProcessExit() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    exited_ = true;
  }
  supervisor_cv_.notify_all();
  next_cv_.notify_all();
}

void Environment::SupervisorMain() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (Spawn(lock)) {
    while (state_ == State::kStarting || state_ == State::kReady) {
      Clock::time_point now = Clock::now();
      std::shared_ptr<Invocation> earliest = EarliestDeadlineLocked();
      std::optional<Clock::time_point> idle_end;
      if (state_ == State::kReady && idle_since_ && options_.idle_timeout.count() > 0) {
        idle_end = *idle_since_ + options_.idle_timeout;
      }
      // An answered invoke whose extensions are still at work ends by its deadline too.
      std::optional<Clock::time_point> deferred_end;
      for (const ReportTicket& ticket : deferred_reports_) {
        if (!deferred_end || ticket.invocation->deadline < *deferred_end) deferred_end = ticket.invocation->deadline;
      }
      std::optional<Clock::time_point> unclaimed_end;
      if (state_ == State::kReady && !assigned_.empty()) unclaimed_end = assigned_.front()->assigned_at + timeout_;
      if (exited_) {
        HandleExit(lock);
      } else if (extension_failed_) {
        HandleExtensionFailure(lock);
      } else if (state_ == State::kReady && earliest && now >= earliest->deadline) {
        HandleTimeout(lock, earliest);
      } else if (state_ == State::kReady && deferred_end && now >= *deferred_end) {
        HandleExtensionsTimeout(lock);
      } else if (state_ == State::kStarting && now >= spawned_at_ + init_timeout_) {
        HandleInitTimeout(lock);
      } else if (unclaimed_end && now >= *unclaimed_end) {
        HandleUnclaimed(lock);
      } else if (idle_end && now >= *idle_end) {
        ending_ = Ending::kIdle;
        shutdown_reason_ = lambda::kShutdownReasonSpindown;
        MarkDying();
      } else {
        // No notification is needed when an invoke is handed over: its deadline is at least
        // `timeout` away, and we never sleep longer than that.
        Clock::time_point wake = now + timeout_;
        if (earliest) wake = std::min(wake, earliest->deadline);
        if (state_ == State::kStarting) wake = std::min(wake, spawned_at_ + init_timeout_);
        if (idle_end) wake = std::min(wake, *idle_end);
        if (unclaimed_end) wake = std::min(wake, *unclaimed_end);
        if (deferred_end) wake = std::min(wake, *deferred_end);
        supervisor_wake_ = wake;
        supervisor_cv_.wait_until(lock, wake);
        supervisor_wake_ = Clock::time_point::max();
      }
    }
  }
  TearDown(lock);
  lock.unlock();
  if (options_.on_dead) options_.on_dead(this);
}

bool Environment::Spawn(std::unique_lock<std::mutex>& lock) {
  spawned_at_ = Clock::now();  // Init Duration counts the spawn itself
  lock.unlock();
  // Extensions, external or internal, subscribe during init and get its records.
  if (options_.config->protocol == Protocol::kRuntimeApi) telemetry_.KeepBacklog();
  std::string init_start = platform_.InitStart();
  if (!init_start.empty()) options_.sink->WriteStdout(init_start);

  Status failure;
  std::string_view error_type = lambda::kErrorTypeInvalidEntrypoint;
  std::shared_ptr<FunctionProcess> process;
  std::unique_ptr<CgroupLimits> limits;
  std::unique_ptr<FunctionSide> side;
  SpawnOptions spawn;
  if (options_.enforce_limits) {
    CgroupLimitsOptions cgroup;
    cgroup.memory_mb = options_.config->memory_mb;
    cgroup.visible_cpus = VisibleCpus();
    cgroup.group_name = NewEnvironmentGroupName();
    // The CPU quota starts lifted: the process's init runs unthrottled, as on Lambda.
    limits = CgroupLimits::Create(cgroup);
    limits->BeforeSpawn();
    spawn.join_cgroup_fds = limits->join_fds();
  }
  auto made = options_.make_function_side(*this);
  if (made.ok()) {
    side = std::move(made).value();
    spawn.path = options_.function->executable;
    spawn.args = options_.config->args;
    spawn.env = BuildFunctionEnv(*options_.config, *options_.function, side->runtime_api(),
                                 NewLogStreamName(std::chrono::system_clock::now()));
    if (managed()) spawn.env[std::string(lambda::kMaxConcurrencyEnv)] = std::to_string(options_.max_concurrency);
    for (auto& [key, value] : side->ProcessEnv()) spawn.env[key] = std::move(value);
    spawn.working_dir = options_.function->directory;
    side->Start();
    std::string extension_failure;
    bool extensions_started = true;
    if (!options_.extensions.empty()) {
      // Extensions talk to the function side: publish it first. They start, and register,
      // before the function does (AWS docs "Lambda Extensions API", Init phase).
      lock.lock();
      limits_ = std::move(limits);
      side_ = std::move(side);
      extensions_started = SpawnExtensions(lock, spawn, &extension_failure);
      limits = std::move(limits_);
      side = std::move(side_);
      const bool go_on = extensions_started && !extension_failed_ && ending_ != Ending::kShutdown &&
                         state_ == State::kStarting && Clock::now() < spawned_at_ + init_timeout_;
      lock.unlock();
      if (!go_on) extensions_started = false;
    }
    if (!extensions_started) {
      if (!extension_failure.empty()) {
        failure = InternalError(extension_failure);
        error_type = lambda::kErrorTypeExtensionLaunch;
      }
    } else {
      auto spawned = FunctionProcess::Spawn(spawn, &function_sink_, [this] { OnProcessExit(); });
      if (spawned.ok()) {
        process = std::shared_ptr<FunctionProcess>(std::move(spawned).value());
      } else {
        failure = spawned.status();
      }
    }
  } else {
    failure = made.status();
  }

  lock.lock();
  limits_ = std::move(limits);
  side_ = std::move(side);
  if (process) {
    process_ = std::move(process);
    freezer_ = limits_ ? limits_->MakeFreezer() : nullptr;
    if (!freezer_) {
      // Without a cgroup, each process group of the environment is stopped on its own.
      std::vector<pid_t> groups{process_->pid()};
      for (const auto& extension : extensions_) {
        if (extension->process) groups.push_back(extension->process->pid());
      }
      freezer_ = MakeSignalFreezer(std::move(groups));
    }
    next_cv_.notify_all();  // a /next that arrived before process_ was set
    if (ending_ == Ending::kShutdown) return false;
    return true;
  }
  // The extensions did not all register: an extension failure or the init timeout ends it.
  if (failure.ok()) return ending_ != Ending::kShutdown;

  // The executable vanished or broke since start-up: the invoke that wanted it fails.
  MarkDying();
  std::string message = failure.message();
  std::shared_ptr<Invocation> invocation = TakeInitInvoke();
  std::optional<ReportTicket> ticket;
  if (invocation) {
    Complete(*invocation, FunctionErrorResult(FunctionErrorJson(
                              error_type, "RequestId: " + invocation->request_id + " Error: " + message)));
    ticket = TicketBeforeStart(invocation);  // no process: the spawn failed
    ticket->status = "error";
    ticket->error_type = std::string(error_type);
  }
  lock.unlock();
  options_.sink->WriteStderr("zerostart: " + message + "\n");
  if (invocation) DeliverAnswer(mutex_, invocation);
  if (ticket) Report(std::move(*ticket));
  lock.lock();
  return false;
}

template <typename MakeErrorJson>
void Environment::FailInvokes(std::unique_lock<std::mutex>& lock, std::string_view error_type,
                              MakeErrorJson error_json) {
  const bool was_starting = state_ == State::kStarting;
  Clock::time_point now = Clock::now();
  MarkDying();
  std::vector<std::shared_ptr<Invocation>> answered;
  std::vector<ReportTicket> tickets;
  std::string note;
  std::vector<std::shared_ptr<Invocation>> in_flight = in_flight_;
  for (const auto& invocation : in_flight) {
    if (!Complete(*invocation, FunctionErrorResult(error_json(invocation->request_id)))) continue;
    ReportTicket ticket = TicketFor(invocation, now);
    ticket.status = "error";
    ticket.error_type = std::string(error_type);
    answered.push_back(invocation);
    tickets.push_back(std::move(ticket));
  }
  // Answered already, but extensions were still at work on them.
  for (auto& ticket : deferred_reports_) {
    ticket.status = "error";
    ticket.error_type = std::string(error_type);
    tickets.push_back(std::move(ticket));
  }
  deferred_reports_.clear();
  if (was_starting) {
    std::string init_report = platform_.InitReport(InitDurationMs(now), kStatusError, error_type);
    if (std::shared_ptr<Invocation> invocation = TakeInitInvoke()) {
      Complete(*invocation, FunctionErrorResult(error_json(invocation->request_id)));
      ReportTicket ticket = TicketBeforeStart(invocation);
      ticket.status = "error";
      ticket.error_type = std::string(error_type);
      ticket.before_start = std::move(init_report);
      answered.push_back(invocation);
      tickets.push_back(std::move(ticket));
    } else {
      note = std::move(init_report);
    }
  }
  lock.unlock();
  for (const auto& invocation : answered) DeliverAnswer(mutex_, invocation);
  for (auto& ticket : tickets) Report(std::move(ticket));
  if (!note.empty()) options_.sink->WriteStdout(note);
  lock.lock();
}

void Environment::HandleExtensionsTimeout(std::unique_lock<std::mutex>& lock) {
  const double timeout_seconds = options_.config->timeout_seconds;
  const Clock::time_point now = Clock::now();
  std::vector<ReportTicket> expired;
  for (auto it = deferred_reports_.begin(); it != deferred_reports_.end();) {
    if (it->invocation->deadline > now) {
      ++it;
      continue;
    }
    it->status = "timeout";
    it->duration_ms = SupervisorMs(timeout_);
    it->before_end = platform_.Timeout(it->invocation->request_id, timeout_seconds);
    expired.push_back(std::move(*it));
    it = deferred_reports_.erase(it);
  }
  shutdown_reason_ = lambda::kShutdownReasonTimeout;
  MarkDying();
  lock.unlock();
  options_.sink->WriteStderr("zerostart: an extension did not ask for its next event within the invoke's timeout; "
                             "its environment is shut down\n");
  for (auto& ticket : expired) Report(std::move(ticket));
  lock.lock();
}

void Environment::HandleExtensionFailure(std::unique_lock<std::mutex>& lock) {
  const std::string error_type = extension_error_type_;
  const std::string message = extension_error_message_;
  options_.sink->WriteStderr("zerostart: " + message + "; the environment is shut down\n");
  FailInvokes(lock, error_type, [&](const std::string& request_id) {
    return FunctionErrorJson(error_type, "RequestId: " + request_id + " Error: " + message);
  });
}

bool Environment::SpawnExtensions(std::unique_lock<std::mutex>& lock, SpawnOptions spawn, std::string* failure) {
  std::vector<Extension*> launched;
  for (const std::string& path : options_.extensions) {
    auto extension = std::make_unique<Extension>();
    extension->name = std::filesystem::path(path).filename().string();
    extension->external = true;
    extension->id = NewRequestId();
    launched.push_back(extension.get());
    extensions_.push_back(std::move(extension));
  }
  lock.unlock();
  bool started = true;
  for (size_t i = 0; i < launched.size() && started; ++i) {
    Extension* extension = launched[i];
    spawn.path = options_.extensions[i];
    spawn.args.clear();
    auto spawned = FunctionProcess::Spawn(spawn, &extension_sink_, [this, extension] { OnExtensionExit(extension); });
    lock.lock();
    if (spawned.ok()) {
      extension->process = std::shared_ptr<FunctionProcess>(std::move(spawned).value());
    } else {
      *failure = "extension " + extension->name + " could not be started: " + spawned.status().message();
      started = false;
    }
    lock.unlock();
  }
  lock.lock();
  if (!started) return false;
  supervisor_cv_.wait_until(lock, spawned_at_ + init_timeout_, [&] {
    if (extension_failed_ || ending_ == Ending::kShutdown || state_ != State::kStarting) return true;
    return std::all_of(launched.begin(), launched.end(), [](const Extension* e) { return e->registered; });
  });
  return true;
}

void Environment::StopProcesses(const std::shared_ptr<FunctionProcess>& process, CgroupLimits* limits) {
  std::vector<std::shared_ptr<FunctionProcess>> subscribed;
  std::vector<std::shared_ptr<FunctionProcess>> others;
  milliseconds budget{0};
  // What the subscribers have not been sent yet goes before SHUTDOWN (the last invoke's
  // platform.report, typically), so an extension can rely on having it when it flushes.
  telemetry_.FlushAndStop(Clock::now() + kTelemetryFlushLimit);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    budget = BeginShutdownPhaseLocked();
    for (const auto& extension : extensions_) {
      if (!extension->process) continue;
      (budget.count() > 0 && extension->shutdown_events ? subscribed : others).push_back(extension->process);
    }
  }
  // Lambda sends SIGTERM only when an extension is registered (AWS docs "Lambda execution
  // environment lifecycle", Shutdown phase); that is why runtimes register an internal one.
  const Clock::time_point deadline = Clock::now() + budget;
  auto left = [&] {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
  };
  if (budget.count() > 0 && process) process->Signal(SIGTERM);
  for (const auto& other : others) other->Signal(SIGKILL);
  if (budget.count() > 0) {
    if (process) process->WaitForExit(left());
    for (const auto& extension : subscribed) extension->WaitForExit(left());
  }
  auto kill = [&](const std::shared_ptr<FunctionProcess>& victim) {
    victim->Signal(SIGKILL);
    // A process that a failed thaw left frozen dies only once its group is thawed: removing the
    // group kills and thaws everything in it.
    while (!victim->WaitForExit(std::chrono::seconds(1))) {
      if (limits) limits->Remove();
      victim->Signal(SIGKILL);
    }
  };
  if (process) kill(process);
  for (const auto& extension : subscribed) kill(extension);
  for (const auto& extension : others) kill(extension);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    extensions_closed_ = true;
  }
  extension_cv_.notify_all();
  next_cv_.notify_all();  // the function's /next calls kept open through the Shutdown phase
}

void Environment::HandleExit(std::unique_lock<std::mutex>& lock) {
  for (;;) {
    // The function died mid-stream: what it wrote before is still being read from its
    // connection, which ends with it. Answer only once those bytes have gone to the caller.
    auto relaying = std::find_if(in_flight_.begin(), in_flight_.end(),
                                 [](const std::shared_ptr<Invocation>& i) { return i->relaying; });
    if (relaying == in_flight_.end()) break;
    std::shared_ptr<Invocation> streaming = *relaying;
    if (!supervisor_cv_.wait_for(lock, kRelayDrainLimit, [&] { return !streaming->relaying; })) break;
  }
  std::optional<ExitInfo> info = process_ ? process_->exit_info() : std::nullopt;
  int wait_status = info ? info->wait_status : 0;
  // Killed by the memory limit (the memory controller counted an OOM kill), or an ordinary exit.
  const bool out_of_memory = limits_ && limits_->OomKilledSinceSpawn(wait_status);
  const std::string_view error_type = out_of_memory ? lambda::kErrorTypeOutOfMemory : lambda::kErrorTypeExit;
  auto error_json = [&](const std::string& request_id) {
    return out_of_memory ? OutOfMemoryErrorJson(request_id, wait_status)
                         : ExitErrorJson(request_id, wait_status);
  };
  if (state_ != State::kStarting && in_flight_.empty() && ending_ == Ending::kNone) {
    options_.sink->WriteStderr("zerostart: the function exited between invokes (" +
                               ExitDescription(wait_status) +
                               (out_of_memory ? ", out of memory" : "") + ")\n");
  }
  FailInvokes(lock, error_type, error_json);
}

void Environment::HandleTimeout(std::unique_lock<std::mutex>& lock,
                                const std::shared_ptr<Invocation>& invocation) {
  const double timeout_seconds = options_.config->timeout_seconds;
  Complete(*invocation, FunctionErrorResult(TimeoutErrorJson(invocation->request_id, timeout_seconds)));
  ReportTicket ticket = TicketFor(invocation, Clock::now());
  ticket.duration_ms = std::min(ticket.duration_ms, SupervisorMs(timeout_));
  ticket.status = "timeout";
  ticket.before_end =
      platform_.Timeout(invocation->request_id, timeout_seconds);
  shutdown_reason_ = lambda::kShutdownReasonTimeout;
  if (managed()) {
    // Lambda Managed Instances report the timeout but do not stop the code: the worker keeps
    // its slot until it answers (then 400 InvalidRequestID) or the environment ends.
    orphans_.push_back(invocation->request_id);
  } else {
    MarkDying();
  }
  lock.unlock();
  DeliverAnswer(mutex_, invocation);
  Report(std::move(ticket));  // measures memory before TearDown kills the process
  lock.lock();
}

void Environment::HandleInitTimeout(std::unique_lock<std::mutex>& lock) {
  const double init_timeout_seconds = std::chrono::duration<double>(init_timeout_).count();
  std::string init_report = platform_.InitReport(SupervisorMs(init_timeout_), kStatusTimeout, "");
  shutdown_reason_ = lambda::kShutdownReasonTimeout;
  MarkDying();
  std::shared_ptr<Invocation> invocation = TakeInitInvoke();
  std::optional<ReportTicket> ticket;
  if (invocation) {
    Complete(*invocation, FunctionErrorResult(InitTimeoutErrorJson(invocation->request_id, init_timeout_seconds)));
    ticket = TicketBeforeStart(invocation);
    ticket->status = "timeout";
    ticket->before_start = std::move(init_report);
  }
  lock.unlock();
  if (invocation) DeliverAnswer(mutex_, invocation);
  if (ticket) {
    Report(std::move(*ticket));
  } else if (!init_report.empty()) {
    options_.sink->WriteStdout(init_report);
  }
  lock.lock();
}

void Environment::HandleUnclaimed(std::unique_lock<std::mutex>& lock) {
  const double timeout_seconds = options_.config->timeout_seconds;
  std::shared_ptr<Invocation> invocation = TakeInitInvoke();  // the oldest assigned one
  Complete(*invocation, FunctionErrorResult(TimeoutErrorJson(invocation->request_id, timeout_seconds)));
  ReportTicket ticket = TicketBeforeStart(invocation);
  ticket.status = "timeout";
  ticket.before_end =
      platform_.Timeout(invocation->request_id, timeout_seconds);
  shutdown_reason_ = lambda::kShutdownReasonTimeout;
  MarkDying();
  lock.unlock();
  options_.sink->WriteStderr("zerostart: the function did not ask for its next invoke within the timeout; "
                             "its environment is shut down\n");
  DeliverAnswer(mutex_, invocation);
  Report(std::move(ticket));
  lock.lock();
}

void Environment::TearDown(std::unique_lock<std::mutex>& lock) {
  // A frozen cgroup's processes cannot even die: thaw first.
  ThawLocked();
  const bool shutdown = ending_ == Ending::kShutdown;
  std::shared_ptr<FunctionProcess> process = std::move(process_);
  std::unique_ptr<FunctionSide> side = std::move(side_);
  std::unique_ptr<CgroupLimits> limits = std::move(limits_);
  freezer_.reset();
  // Whatever is still in flight (the process died without the exit being seen yet) ends here.
  std::vector<std::shared_ptr<Invocation>> answered;
  std::vector<std::shared_ptr<Invocation>> in_flight = in_flight_;
  for (const auto& invocation : in_flight) {
    if (Complete(*invocation, shutdown ? ShutdownResult()
                                       : FunctionErrorResult(ExitErrorJson(invocation->request_id, SIGKILL)))) {
      answered.push_back(invocation);
    }
  }
  std::vector<std::shared_ptr<Invocation>> leftover(assigned_.begin(), assigned_.end());
  assigned_.clear();
  if (shutdown || !options_.reassign) {
    for (const auto& invocation : leftover) {
      if (Complete(*invocation, ShutdownResult())) answered.push_back(invocation);
    }
    leftover.clear();
  }
  std::vector<ReportTicket> deferred = std::move(deferred_reports_);
  deferred_reports_.clear();
  const int reports_out = reporting_ - static_cast<int>(deferred.size());
  lock.unlock();
  // Answers first: nothing below (killing, joining, removing groups) may delay them.
  for (const auto& invocation : answered) DeliverAnswer(mutex_, invocation);
  if (!leftover.empty()) options_.reassign(std::move(leftover));
  for (auto& ticket : deferred) Report(std::move(ticket));
  if (reports_out > 0) {
    // Answers just given still have their REPORT (and its telemetry) to write: let them.
    lock.lock();
    supervisor_cv_.wait_for(lock, kRelayDrainLimit, [&] { return reporting_ == 0; });
    lock.unlock();
  }
  StopProcesses(process, limits.get());
  {
    // The function is gone, so its streamed responses end; a caller that stopped reading would
    // keep a relay blocked in its write (and the function side from stopping): cut it off.
    lock.lock();
    supervisor_cv_.wait_for(lock, kRelayDrainLimit, [&] { return relaying_.empty(); });
    std::vector<std::shared_ptr<Invocation>> stuck = relaying_;
    lock.unlock();
    for (const auto& invocation : stuck) {
      if (invocation->stream) invocation->stream->Abort();
    }
  }
  if (side) side->Stop();
  process.reset();  // joins its threads, unless a ReportTicket still holds it
  if (limits) limits->Remove();
  lock.lock();
  state_ = State::kDead;
  next_cv_.notify_all();
}

}  // namespace zerostart::emulator
