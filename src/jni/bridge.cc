#include "src/jni/bridge.h"

#include <utility>

#include "src/common/log.h"
#include "src/runtime/go1x_server.h"
#include "src/runtime/invoke_loop.h"
#include "src/runtime/run_config.h"
#include "src/runtime/runtime_api_client.h"

namespace zerostart::jni {

Bridge::~Bridge() = default;

Bridge& Bridge::Process() {
  // Leaked on purpose: System.exit runs while other JVM threads may still be inside a native
  // call; a static destructor would pull the transport from under them.
  static Bridge* const bridge = new Bridge();
  return *bridge;
}

Status Bridge::Misuse(const char* action) const {
  const std::string what = action;
  switch (state_) {
    case State::kNotStarted:
      return FailedPreconditionError(what + ": Lambda.start() has not been called");
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
    case State::kEnded:
      return FailedPreconditionError(what + ": the Lambda runtime has ended");
    case State::kIdle:
      break;
  }
  return FailedPreconditionError(
      what + ": there is no current invocation (readRequest() has not returned one, or it was "
             "already answered)");
}

Status Bridge::Start(const EnvMap& env) {
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::kNotStarted) {
      return FailedPreconditionError("start: Lambda.start() was already called");
    }
  }
  Result<runtime::RunConfig> config = runtime::RunConfigFromEnvironment(env);
  if (!config.ok()) {
    std::lock_guard lock(mutex_);
    exit_code_ = runtime::kExitBadEnvironment;
    return config.status();
  }
  log::SetLevel(config->log_level);
  std::unique_ptr<runtime::Transport> transport;
  switch (config->protocol) {
    case runtime::RunConfig::Protocol::kGo1x:
      transport = std::make_unique<runtime::Go1xServer>(config->go1x_port);
      break;
    case runtime::RunConfig::Protocol::kRuntimeApi:
      transport = std::make_unique<runtime::RuntimeApiClient>(config->endpoint, config->retry);
      break;
  }
  return StartWith(std::move(transport));
}

Status Bridge::StartWith(std::unique_ptr<runtime::Transport> transport) {
  std::lock_guard lock(mutex_);
  if (state_ != State::kNotStarted) {
    return FailedPreconditionError("start: Lambda.start() was already called");
  }
  transport_ = std::move(transport);
  stream_ = std::make_unique<runtime::TransportResponseStream>(*transport_);
  state_ = State::kIdle;
  return OkStatus();
}

Status Bridge::Next(std::string* payload) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kEnded) return UnavailableError("the Lambda runtime has ended");
    if (state_ != State::kIdle) return Misuse("readRequest");
    state_ = State::kReading;
  }
  // This thread owns the transport and invocation_ until the state leaves kReading.
  Status next = transport_->Next(&invocation_);
  std::lock_guard lock(mutex_);
  if (!next.ok()) {
    log::Error("runtime: stopping: " + next.ToString());
    state_ = State::kEnded;
    exit_code_ = runtime::kExitLambdaGone;
    return UnavailableError(next.message());
  }
  trace_env_.Set(invocation_.trace_id);
  stream_->Reset(invocation_);
  *payload = invocation_.payload;
  state_ = State::kInvoked;
  return OkStatus();
}

Status Bridge::Answer(Response* response, const FunctionError* error) {
  bool streaming;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kStreaming && error == nullptr) {
      return FailedPreconditionError(
          "writeResponse: the response is being streamed (writeChunk was called); end it with "
          "finishResponse()");
    }
    if (!HasInvocationLocked()) return Misuse(error ? "writeError" : "writeResponse");
    streaming = state_ == State::kStreaming;
    state_ = State::kAnswering;
  }
  if (streaming) {
    // After bytes: the error ends the streamed response as trailers (the stream logs a refusal).
    stream_->Fail(*error);
    std::lock_guard lock(mutex_);
    state_ = State::kIdle;
    return OkStatus();
  }
  const Status sent = error ? transport_->ReportError(invocation_, *error)
                            : transport_->Respond(invocation_, response);
  if (!sent.ok()) {
    // As in the invoke loop: Lambda has failed or lost this invoke; the next readRequest
    // tells whether the environment is still alive.
    log::Error("runtime: invoke " + invocation_.request_id +
               ": result not accepted: " + sent.ToString());
  }
  std::lock_guard lock(mutex_);
  state_ = State::kIdle;
  return OkStatus();
}

Status Bridge::Respond(std::string payload, std::string content_type) {
  Response response = Response::Success(std::move(payload), std::move(content_type));
  return Answer(&response, nullptr);
}

Status Bridge::ReportError(FunctionError error) { return Answer(nullptr, &error); }

Status Bridge::SetContentType(std::string content_type) {
  std::lock_guard lock(mutex_);
  if (!HasInvocationLocked()) return Misuse("setResponseContentType");
  // No I/O: the content type goes out with the first chunk.
  return stream_->SetContentType(std::move(content_type));
}

Status Bridge::WriteChunk(std::string_view bytes) {
  {
    std::lock_guard lock(mutex_);
    if (!HasInvocationLocked()) return Misuse("writeChunk");
    state_ = State::kAnswering;
  }
  // This thread owns the stream until the state leaves kAnswering.
  const Status written = stream_->Write(bytes);
  std::lock_guard lock(mutex_);
  state_ = stream_->started() ? State::kStreaming : State::kInvoked;
  return written;
}

Status Bridge::FinishResponse() {
  {
    std::lock_guard lock(mutex_);
    if (!HasInvocationLocked()) return Misuse("finishResponse");
    state_ = State::kAnswering;
  }
  // A refusal or a broken stream has been logged by the stream; the invocation ends either way.
  (void)stream_->Finish();
  std::lock_guard lock(mutex_);
  state_ = State::kIdle;
  return OkStatus();
}

bool Bridge::IsStreaming() const {
  std::lock_guard lock(mutex_);
  return state_ == State::kStreaming;
}

Result<std::string> Bridge::Field(std::string Invocation::*field) const {
  std::lock_guard lock(mutex_);
  if (!HasInvocationLocked()) return Misuse("invocation context");
  return invocation_.*field;
}

Result<std::string> Bridge::RequestId() const { return Field(&Invocation::request_id); }
Result<std::string> Bridge::FunctionArn() const { return Field(&Invocation::function_arn); }
Result<std::string> Bridge::TraceId() const { return Field(&Invocation::trace_id); }

Result<std::chrono::milliseconds> Bridge::RemainingTime() const {
  std::lock_guard lock(mutex_);
  if (!HasInvocationLocked()) return Misuse("remainingTimeMillis");
  return invocation_.RemainingTime();
}

bool Bridge::HasInvocation() const {
  std::lock_guard lock(mutex_);
  return HasInvocationLocked();
}

int Bridge::exit_code() const {
  std::lock_guard lock(mutex_);
  return exit_code_;
}

}  // namespace zerostart::jni
