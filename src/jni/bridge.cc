#include "src/jni/bridge.h"

#include <utility>

#include "src/common/log.h"
#include "src/runtime/go1x_server.h"
#include "src/runtime/invoke_loop.h"
#include "src/runtime/run_config.h"

namespace zerostart::jni {

Bridge::~Bridge() = default;

Bridge& Bridge::Process() {
  // Leaked on purpose: System.exit runs while other JVM threads may still be inside a native
  // call; a static destructor would pull the transport from under them.
  static Bridge* const bridge = new Bridge();
  return *bridge;
}

Status Bridge::Misuse(const Slot* slot, const char* action) const {
  const std::string what = action;
  if (!started_) return FailedPreconditionError(what + ": Lambda.start() has not been called");
  const State state = slot == nullptr ? State::kIdle : slot->state;
  switch (state) {
    case State::kReading:
      return FailedPreconditionError(what + ": another thread is waiting in readRequest()");
    case State::kInvoked:
      return FailedPreconditionError(what + ": the current invocation has not been answered "
                                            "(call writeResponse or writeError first)");
    case State::kStreaming:
      return FailedPreconditionError(what + ": the current invocation's response is being "
                                            "streamed (end it with finishResponse or writeError "
                                            "first)");
    case State::kAnswering:
      return FailedPreconditionError(what + ": another thread is answering the invocation");
    case State::kIdle:
      break;
  }
  if (ended_) return FailedPreconditionError(what + ": the Lambda runtime has ended");
  if (slots_.size() > 1) {
    return FailedPreconditionError(
        what + ": there is no current invocation on this thread (with AWS_LAMBDA_MAX_CONCURRENCY "
               "above 1, an invocation belongs to the thread whose readRequest() returned it, "
               "until it is answered)");
  }
  return FailedPreconditionError(
      what + ": there is no current invocation (readRequest() has not returned one, or it was "
             "already answered)");
}

Bridge::Slot* Bridge::CallerSlot() const {
  if (slots_.size() == 1) return slots_[0].get();
  const std::thread::id self = std::this_thread::get_id();
  for (const std::unique_ptr<Slot>& slot : slots_) {
    if (slot->state != State::kIdle && slot->owner == self) return slot.get();
  }
  return nullptr;
}

Status Bridge::Start(const EnvMap& env) {
  {
    std::lock_guard lock(mutex_);
    if (started_) return FailedPreconditionError("start: Lambda.start() was already called");
  }
  Result<runtime::RunConfig> config = runtime::RunConfigFromEnvironment(env);
  if (!config.ok()) {
    std::lock_guard lock(mutex_);
    exit_code_ = runtime::kExitBadEnvironment;
    return config.status();
  }
  log::SetLevel(config->log_level);
  std::vector<std::unique_ptr<runtime::Transport>> transports;
  switch (config->protocol) {
    case runtime::RunConfig::Protocol::kGo1x:
      transports.push_back(std::make_unique<runtime::Go1xServer>(config->go1x_port));
      break;
    case runtime::RunConfig::Protocol::kRuntimeApi:
      // One client, i.e. one connection, per invocation that may be in flight at once.
      for (int i = 0; i < config->max_concurrency; ++i) {
        transports.push_back(
            std::make_unique<runtime::RuntimeApiClient>(config->endpoint, config->retry));
      }
      break;
  }
  return StartWith(std::move(transports));
}

Status Bridge::StartWith(std::unique_ptr<runtime::Transport> transport) {
  std::vector<std::unique_ptr<runtime::Transport>> transports;
  transports.push_back(std::move(transport));
  return StartWith(std::move(transports));
}

Status Bridge::StartWith(std::vector<std::unique_ptr<runtime::Transport>> transports) {
  std::lock_guard lock(mutex_);
  if (started_) return FailedPreconditionError("start: Lambda.start() was already called");
  if (transports.empty()) return InvalidArgumentError("start: no transport");
  for (std::unique_ptr<runtime::Transport>& transport : transports) {
    auto slot = std::make_unique<Slot>();
    slot->transport = std::move(transport);
    slot->runtime_api = dynamic_cast<runtime::RuntimeApiClient*>(slot->transport.get());
    slot->stream = std::make_unique<runtime::TransportResponseStream>(*slot->transport);
    slots_.push_back(std::move(slot));
  }
  started_ = true;
  return OkStatus();
}

int Bridge::max_concurrency() const {
  std::lock_guard lock(mutex_);
  return slots_.empty() ? 1 : static_cast<int>(slots_.size());
}

Result<Bridge::Slot*> Bridge::ClaimForNext() {
  if (!started_) return Misuse(nullptr, "readRequest");
  Slot* slot = CallerSlot();
  if (slots_.size() == 1) {
    if (slot->state != State::kIdle) return Misuse(slot, "readRequest");
  } else {
    // A thread holding an invocation must answer it first; otherwise any free slot will do.
    if (slot != nullptr) return Misuse(slot, "readRequest");
    for (const std::unique_ptr<Slot>& free : slots_) {
      if (free->state == State::kIdle) {
        slot = free.get();
        break;
      }
    }
    if (slot == nullptr) {
      return FailedPreconditionError(
          "readRequest: " + std::to_string(slots_.size()) +
          " threads (AWS_LAMBDA_MAX_CONCURRENCY) are already reading or answering invocations");
    }
    slot->owner = std::this_thread::get_id();
  }
  slot->state = State::kReading;
  return slot;
}

void Bridge::Release(Slot* slot) {
  slot->state = State::kIdle;
  slot->owner = std::thread::id();
  slot_released_.notify_all();
}

void Bridge::End(std::unique_lock<std::mutex>& lock, const Status& why) {
  if (!ended_) {
    ended_ = true;
    exit_code_ = runtime::kExitLambdaGone;
    log::Error("runtime: stopping: " + why.ToString());
    // The others' Next then fails at once (and comes here too), without a request.
    for (const std::unique_ptr<Slot>& slot : slots_) {
      if (slot->runtime_api != nullptr) slot->runtime_api->CancelNext();
    }
  }
  // The caller exits the process when this returns: let the invocations in flight on other
  // threads be answered first, as Run() does.
  slot_released_.wait(lock, [&] {
    for (const std::unique_ptr<Slot>& slot : slots_) {
      if (slot->state != State::kIdle && slot->state != State::kReading) return false;
    }
    return true;
  });
}

Status Bridge::Next(std::string* payload) {
  Slot* slot;
  {
    std::unique_lock lock(mutex_);
    if (ended_) {
      // A thread still holding an invocation must answer it (End would wait for it forever).
      Slot* own = CallerSlot();
      if (slots_.size() > 1 && own != nullptr) return Misuse(own, "readRequest");
      End(lock, OkStatus());
      return UnavailableError("the Lambda runtime has ended");
    }
    ZS_ASSIGN_OR_RETURN(slot, ClaimForNext());
  }
  // This thread owns the slot's transport and invocation until its state leaves kReading.
  Status next = slot->transport->Next(&slot->invocation);
  std::unique_lock lock(mutex_);
  if (!next.ok()) {
    Release(slot);
    End(lock, next);
    return UnavailableError(next.message());
  }
  if (slots_.size() == 1) trace_env_.Set(slot->invocation.trace_id);
  slot->stream->Reset(slot->invocation);
  *payload = slot->invocation.payload;
  slot->state = State::kInvoked;
  return OkStatus();
}

Status Bridge::Answer(Response* response, const FunctionError* error) {
  Slot* slot;
  bool streaming;
  {
    std::lock_guard lock(mutex_);
    slot = CallerSlot();
    if (slot != nullptr && slot->state == State::kStreaming && error == nullptr) {
      return FailedPreconditionError(
          "writeResponse: the response is being streamed (writeChunk was called); end it with "
          "finishResponse()");
    }
    if (!HasInvocation(slot)) return Misuse(slot, error ? "writeError" : "writeResponse");
    streaming = slot->state == State::kStreaming;
    slot->state = State::kAnswering;
  }
  if (streaming) {
    // After bytes: the error ends the streamed response as trailers (the stream logs a refusal).
    slot->stream->Fail(*error);
  } else {
    const Status sent = error ? slot->transport->ReportError(slot->invocation, *error)
                              : slot->transport->Respond(slot->invocation, response);
    if (!sent.ok()) {
      // As in the invoke loop: Lambda has failed or lost this invoke; the next readRequest
      // tells whether the environment is still alive.
      log::Error("runtime: invoke " + slot->invocation.request_id +
                 ": result not accepted: " + sent.ToString());
    }
  }
  std::lock_guard lock(mutex_);
  Release(slot);
  return OkStatus();
}

Status Bridge::Respond(std::string payload, std::string content_type) {
  Response response = Response::Success(std::move(payload), std::move(content_type));
  return Answer(&response, nullptr);
}

Status Bridge::ReportError(FunctionError error) { return Answer(nullptr, &error); }

Status Bridge::SetContentType(std::string content_type) {
  std::lock_guard lock(mutex_);
  Slot* slot = CallerSlot();
  if (!HasInvocation(slot)) return Misuse(slot, "setResponseContentType");
  // No I/O: the content type goes out with the first chunk.
  return slot->stream->SetContentType(std::move(content_type));
}

Status Bridge::WriteChunk(std::string_view bytes) {
  Slot* slot;
  {
    std::lock_guard lock(mutex_);
    slot = CallerSlot();
    if (!HasInvocation(slot)) return Misuse(slot, "writeChunk");
    slot->state = State::kAnswering;
  }
  // This thread owns the stream until the state leaves kAnswering.
  const Status written = slot->stream->Write(bytes);
  std::lock_guard lock(mutex_);
  slot->state = slot->stream->started() ? State::kStreaming : State::kInvoked;
  return written;
}

Status Bridge::FinishResponse() {
  Slot* slot;
  {
    std::lock_guard lock(mutex_);
    slot = CallerSlot();
    if (!HasInvocation(slot)) return Misuse(slot, "finishResponse");
    slot->state = State::kAnswering;
  }
  // A refusal or a broken stream has been logged by the stream; the invocation ends either way.
  (void)slot->stream->Finish();
  std::lock_guard lock(mutex_);
  Release(slot);
  return OkStatus();
}

bool Bridge::IsStreaming() const {
  std::lock_guard lock(mutex_);
  const Slot* slot = CallerSlot();
  return slot != nullptr && slot->state == State::kStreaming;
}

Result<std::string> Bridge::Field(std::string Invocation::*field) const {
  std::lock_guard lock(mutex_);
  const Slot* slot = CallerSlot();
  if (!HasInvocation(slot)) return Misuse(slot, "invocation context");
  return slot->invocation.*field;
}

Result<std::string> Bridge::RequestId() const { return Field(&Invocation::request_id); }
Result<std::string> Bridge::FunctionArn() const { return Field(&Invocation::function_arn); }
Result<std::string> Bridge::TraceId() const { return Field(&Invocation::trace_id); }

Result<std::chrono::milliseconds> Bridge::RemainingTime() const {
  std::lock_guard lock(mutex_);
  const Slot* slot = CallerSlot();
  if (!HasInvocation(slot)) return Misuse(slot, "remainingTimeMillis");
  return slot->invocation.RemainingTime();
}

bool Bridge::HasInvocation() const {
  std::lock_guard lock(mutex_);
  return HasInvocation(CallerSlot());
}

int Bridge::exit_code() const {
  std::lock_guard lock(mutex_);
  return exit_code_;
}

}  // namespace zerostart::jni
