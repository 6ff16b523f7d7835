// The Extensions API of one Environment (AWS docs "Lambda Extensions API"): registration,
// events, and how extensions gate the phases — init ends when the function and every
// extension have asked for work; an invoke ends (END/REPORT, the next hand-over) when the
// function has answered and every INVOKE-subscribed extension has asked for its next event.
// The caller gets the function's answer at once: only the REPORT waits, and its Duration then
// includes the extensions' post-runtime time, as on Lambda.
#include <algorithm>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/emulator/environment.h"
#include "src/emulator/ids.h"

namespace zerostart::emulator {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

ExtensionRefusal Refuse(std::string_view error_type, std::string message) {
  return ExtensionRefusal{403, std::string(error_type), std::move(message)};
}

}  // namespace

Extension* Environment::FindExtensionLocked(std::string_view id) const {
  for (const auto& extension : extensions_) {
    if (extension->registered && extension->id == id) return extension.get();
  }
  return nullptr;
}

Environment::ExtensionAnswer Environment::RegisterExtension(std::string_view name, std::string_view body,
                                                            bool wants_account_id) {
  ExtensionAnswer answer;
  if (name.empty()) {
    answer.refusal = Refuse(lambda::kExtErrorInvalidName, "Empty extension name");
    return answer;
  }
  Result<std::vector<std::string>> events = ParseRegisterEvents(body);
  if (!events.ok()) {
    answer.refusal = Refuse(lambda::kRapiErrorInvalidRequestFormat, events.status().message());
    return answer;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Extension* extension = nullptr;
  for (const auto& candidate : extensions_) {
    if (candidate->name == name) extension = candidate.get();
  }
  const bool internal = extension == nullptr || !extension->external;
  bool invoke = false;
  bool shutdown = false;
  for (const std::string& event : *events) {
    if (event == lambda::kExtensionEventInvoke && !managed()) {
      invoke = true;
    } else if (event == lambda::kExtensionEventShutdown && !internal) {
      shutdown = true;
    } else {
      // Internal extensions live in the function's process, which gets SIGTERM itself; Lambda
      // Managed Instances send extensions SHUTDOWN only (RIE core/internalagent.go,
      // lambda-managed-instances core/externalagent.go).
      std::string why = event == lambda::kExtensionEventShutdown ? "SHUTDOWN is not available to internal extensions"
                        : event == lambda::kExtensionEventInvoke ? "INVOKE is not sent with Lambda Managed Instances"
                                                                 : "unknown event";
      answer.refusal = Refuse(lambda::kExtErrorInvalidEventType, event + ": " + why);
      return answer;
    }
  }
  if (extension != nullptr && extension->registered) {
    answer.refusal = Refuse(lambda::kExtErrorInvalidState,
                            "State transition from Registered to Registered failed for extension " +
                                std::string(name) + ". Error: the extension is already registered");
    return answer;
  }
  if (state_ != State::kStarting || (internal && runtime_ready_)) {
    answer.refusal = Refuse(lambda::kExtErrorRegistrationClosed, "Extension registration closed already");
    return answer;
  }
  if (extension == nullptr) {
    if (extensions_.size() >= static_cast<size_t>(lambda::kMaxExtensions)) {
      answer.refusal = Refuse(lambda::kExtErrorTooMany,
                              "Extension limit (" + std::to_string(lambda::kMaxExtensions) + ") reached");
      return answer;
    }
    extensions_.push_back(std::make_unique<Extension>());
    extension = extensions_.back().get();
    extension->name = std::string(name);
    extension->id = NewRequestId();
  }
  extension->registered = true;
  extension->invoke_events = invoke;
  extension->shutdown_events = shutdown;
  answer.identifier = extension->id;
  answer.body = RegisterAnswerJson(options_.function->name, lambda::kLatestVersion, options_.function->name,
                                   wants_account_id ? lambda::kEmulatorAccountId : "");
  supervisor_cv_.notify_all();  // SpawnExtensions waits for the external ones
  std::string record = platform_.Extension(name, *events);
  if (!record.empty()) options_.sink->WriteStdout(record);
  return answer;
}

std::optional<std::string> Environment::NextExtensionEvent(std::string_view id, ExtensionRefusal* refusal) {
  std::unique_lock<std::mutex> lock(mutex_);
  Extension* extension = FindExtensionLocked(id);
  if (extension == nullptr) {
    *refusal = Refuse(lambda::kExtErrorUnknownIdentifier, "Unknown extension " + std::string(id));
    return std::nullopt;
  }
  if (extension->busy) {
    // Asking for the next event is how an extension says it is done with the last one.
    extension->busy = false;
    extension->busy_request_id.clear();
    std::vector<ReportTicket> finished = TakeFinishedReportsLocked(Clock::now());
    if (!finished.empty()) {
      // The invoke is over: its REPORT lets the next one be handed over.
      lock.unlock();
      for (auto& ticket : finished) Report(std::move(ticket));
      lock.lock();
    }
  }
  if (!extension->ready) {
    extension->ready = true;
    FinishInitIfReadyLocked();
  }
  ++extension->waiting;
  extension_cv_.wait(lock, [&] { return !extension->events.empty() || extensions_closed_; });
  --extension->waiting;
  if (extension->events.empty()) return std::nullopt;
  std::string event = std::move(extension->events.front());
  extension->events.pop_front();
  extension->busy = true;
  return event;
}

void Environment::ReturnExtensionEvent(std::string_view id, std::string event) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Extension* extension = FindExtensionLocked(id);
    if (extension == nullptr) return;
    extension->events.push_front(std::move(event));
    extension->busy = false;
  }
  extension_cv_.notify_all();
}

Environment::ExtensionAnswer Environment::ReportExtensionError(std::string_view id, std::string_view error_type,
                                                               bool init) {
  ExtensionAnswer answer;
  std::lock_guard<std::mutex> lock(mutex_);
  Extension* extension = FindExtensionLocked(id);
  if (extension == nullptr) {
    answer.refusal = Refuse(lambda::kExtErrorUnknownIdentifier, "Unknown extension " + std::string(id));
    return answer;
  }
  if (error_type.empty()) {
    answer.refusal = Refuse(lambda::kExtErrorMissingHeader,
                            std::string(lambda::kExtensionErrorTypeHeader) + " not found");
    return answer;
  }
  if (init && state_ != State::kStarting) {
    answer.refusal = Refuse(lambda::kExtErrorInvalidState,
                            "State transition from Ready to InitError failed for extension " + extension->name +
                                ". Error: init is over");
    return answer;
  }
  extension->error_type = std::string(error_type);
  if (IsLiveLocked() && !extension_failed_) {
    extension_failed_ = true;
    extension_error_type_ = std::string(init ? lambda::kErrorTypeExtensionInit : lambda::kErrorTypeExtensionExit);
    extension_error_message_ = "Extension " + extension->name + " reported " +
                               (init ? "an init error: " : "an exit error: ") + std::string(error_type);
    supervisor_cv_.notify_all();
  }
  return answer;
}

TelemetrySubscribeAnswer Environment::SubscribeTelemetry(std::string_view id, std::string_view body,
                                                        ExtensionRefusal* refusal) {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Extension* extension = FindExtensionLocked(id);
    if (extension == nullptr) {
      *refusal = Refuse(lambda::kExtErrorUnknownIdentifier, "Unknown extension " + std::string(id));
      return {};
    }
    name = extension->name;
  }
  return telemetry_.Subscribe(name, body);
}

void Environment::OnExtensionExit(Extension* extension) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    extension->exited = true;
    extension->busy_request_id.clear();
    // Leaving during the Shutdown phase is what it should do; before that it is a crash.
    if (IsLiveLocked() && ending_ == Ending::kNone && !extension_failed_) {
      extension_failed_ = true;
      extension_error_type_ = std::string(lambda::kErrorTypeExtensionCrash);
      extension_error_message_ = "Extension " + extension->name + " exited unexpectedly";
    }
  }
  supervisor_cv_.notify_all();
}

void Environment::WaitOutShutdownPhaseLocked(std::unique_lock<std::mutex>& lock) {
  // On Lambda the runtime's /next stays pending through the Shutdown phase: a runtime that
  // registered an extension to get SIGTERM must get SIGTERM, not a failed /next first (which
  // aws-lambda-go, for one, takes as fatal).
  next_cv_.wait(lock, [this] {
    if (extensions_closed_ || state_ == State::kDead) return true;
    return std::none_of(extensions_.begin(), extensions_.end(),
                        [](const std::unique_ptr<Extension>& extension) { return extension->registered; });
  });
}

void Environment::FinishInitIfReadyLocked() {
  if (state_ != State::kStarting || !runtime_ready_ || exited_ || extension_failed_) return;
  for (const auto& extension : extensions_) {
    if (!extension->registered || !extension->ready) return;
  }
  init_duration_ms_ = InitDurationMs(Clock::now());
  state_ = State::kReady;
  std::string report = platform_.InitReport(*init_duration_ms_, kStatusSuccess, "");
  if (!report.empty()) options_.sink->WriteStdout(report);
  telemetry_.DropBacklog();
  // Init is over: from now on the function gets Lambda's share of the CPU (once per process).
  if (limits_) limits_->Throttle();
  // Invokes assigned during init may go now (to this and the other workers).
  next_cv_.notify_all();
}

void Environment::QueueInvokeEventsLocked(const Invocation& invocation) {
  bool queued = false;
  for (const auto& extension : extensions_) {
    if (!extension->invoke_events || extension->exited) continue;
    extension->events.push_back(InvokeEventJson(invocation.deadline_epoch_ms, invocation.request_id,
                                                options_.function_arn, invocation.request.trace_id));
    extension->busy_request_id = invocation.request_id;
    queued = true;
  }
  if (queued) extension_cv_.notify_all();
}

bool Environment::ExtensionsBusyWithLocked(std::string_view request_id) const {
  return std::any_of(extensions_.begin(), extensions_.end(), [&](const std::unique_ptr<Extension>& extension) {
    return !extension->exited && extension->busy_request_id == request_id;
  });
}

bool Environment::DeferReportLocked(std::optional<ReportTicket>& ticket) {
  if (!ticket || !ExtensionsBusyWithLocked(ticket->invocation->request_id)) return false;
  deferred_reports_.push_back(std::move(*ticket));
  ticket.reset();
  return true;
}

std::vector<ReportTicket> Environment::TakeFinishedReportsLocked(Clock::time_point now) {
  std::vector<ReportTicket> finished;
  for (auto it = deferred_reports_.begin(); it != deferred_reports_.end();) {
    if (ExtensionsBusyWithLocked(it->invocation->request_id)) {
      ++it;
      continue;
    }
    it->duration_ms = std::max(it->duration_ms, DurationMs(*it->invocation, now));
    finished.push_back(std::move(*it));
    it = deferred_reports_.erase(it);
  }
  return finished;
}

std::chrono::milliseconds Environment::BeginShutdownPhaseLocked() {
  bool any = false;
  bool external = false;
  for (const auto& extension : extensions_) {
    if (!extension->registered) continue;
    any = true;
    external = external || extension->external;
  }
  if (!any) return milliseconds(0);
  const milliseconds budget(external ? lambda::kShutdownWithExternalMs : lambda::kShutdownInternalOnlyMs);
  const int64_t deadline_ms =
      duration_cast<milliseconds>((std::chrono::system_clock::now() + budget).time_since_epoch()).count();
  std::string_view reason = shutdown_reason_.empty() ? lambda::kShutdownReasonFailure : shutdown_reason_;
  for (const auto& extension : extensions_) {
    if (extension->registered && extension->shutdown_events && !extension->exited) {
      extension->events.push_back(ShutdownEventJson(deadline_ms, reason));
    }
  }
  extension_cv_.notify_all();
  return budget;
}

}  // namespace zerostart::emulator
