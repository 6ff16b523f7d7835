#include "src/runtime/response_stream.h"

#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/log.h"
#include "src/runtime/error_json.h"

namespace zerostart::runtime {

void TransportResponseStream::Reset(const Invocation& invocation) {
  invocation_ = &invocation;
  state_ = State::kOpen;
  started_ = false;
  bytes_written_ = 0;
  content_type_.assign(lambda::kStreamingDefaultContentType);  // reuses the buffer
  broken_ = OkStatus();
}

Status TransportResponseStream::Break(const Status& failure) {
  state_ = State::kBroken;
  broken_ = UnavailableError(failure.message());
  log::Error("runtime: invoke " + invocation_->request_id +
             ": streamed response lost: " + failure.ToString());
  return broken_;
}

Status TransportResponseStream::Ended(std::string_view action) const {
  if (state_ == State::kBroken) return broken_;
  return FailedPreconditionError(std::string(action) + ": the response has already ended");
}

Status TransportResponseStream::SetContentType(std::string content_type) {
  if (started_) {
    return FailedPreconditionError(
        "SetContentType: the response has started; set the content type before the first byte");
  }
  if (ended()) return FailedPreconditionError("SetContentType: the response has already ended");
  content_type_ = std::move(content_type);
  return OkStatus();
}

Status TransportResponseStream::Write(std::string_view bytes) {
  if (ended()) return Ended("Write");
  if (bytes.empty()) return OkStatus();  // an empty chunk would end the body on the wire
  started_ = true;
  if (state_ == State::kOpen) {
    Status begun = transport_.BeginStream(*invocation_, content_type_);
    if (!begun.ok()) return Break(begun);
    state_ = State::kStreaming;
  }
  Status written = transport_.WriteChunk(bytes);
  if (!written.ok()) return Break(written);
  bytes_written_ += bytes.size();
  return OkStatus();
}

Status TransportResponseStream::Finish() {
  if (ended()) return Ended("Finish");
  if (state_ == State::kOpen) {
    // Nothing was written: still a streamed response (with its content type), just empty.
    Status begun = transport_.BeginStream(*invocation_, content_type_);
    if (!begun.ok()) return Break(begun);
  }
  state_ = State::kFinished;
  Status ended = transport_.EndStream(nullptr);
  if (!ended.ok()) {
    // As for a buffered result: Lambda has failed this invoke (e.g. too large) or lost it.
    log::Error("runtime: invoke " + invocation_->request_id +
               ": result not accepted: " + ended.ToString());
  }
  return ended;
}

void TransportResponseStream::Fail(FunctionError error) {
  if (ended()) {
    log::Warning("runtime: invoke " + invocation_->request_id + ": " +
                 std::string(EffectiveErrorType(error)) + " after the response ended: " +
                 error.message);
    return;
  }
  const bool streaming = state_ == State::kStreaming;
  state_ = State::kFailed;
  if (log::Enabled(log::Level::kInfo)) {
    log::Info("runtime: invoke " + invocation_->request_id + " failed" +
              (streaming ? " after " + std::to_string(bytes_written_) + " bytes: " : ": ") +
              std::string(EffectiveErrorType(error)));
  }
  Status sent = streaming ? transport_.EndStream(&error) : transport_.ReportError(*invocation_, error);
  if (!sent.ok()) {
    log::Error("runtime: invoke " + invocation_->request_id +
               ": result not accepted: " + sent.ToString());
  }
}

void TransportResponseStream::Complete(const FunctionError* error) {
  if (error != nullptr) {
    Fail(*error);
  } else if (!ended()) {
    (void)Finish();  // Finish logs a refusal
  }
}

}  // namespace zerostart::runtime
