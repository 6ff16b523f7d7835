// Bridge: the state behind dev.zerostart.Lambda (src/jni/java/dev/zerostart/Lambda.java), in
// plain C++ so that it can be reasoned about (and tested) without a JVM; lambda_jni.cc only
// converts between Java and these calls.
//
// Pull, not push: the bridge drives the runtime's Transport (src/runtime/transport.h) from the
// caller's thread. readRequest() is Transport::Next(), writeResponse() is Transport::Respond():
// no runtime thread, no hand-over between threads, nothing to wake. The protocol is chosen
// from the environment by runtime::RunConfigFromEnvironment, exactly as zerostart::Run does for
// a C++ function (go1.x when _LAMBDA_SERVER_PORT is set, else the Runtime API).
//
// States (one process serves one function, so there is one Bridge per process):
//   not started --Start--> idle --Next--> reading --(invocation)--> invoked
//   invoked --Respond/ReportError/FinishResponse--> answering --> idle
//   invoked --WriteChunk (a byte)--> streaming --WriteChunk--> streaming
//   streaming --FinishResponse/ReportError--> answering --> idle
//   reading --(Lambda gone)--> ended (exit_code() says how a C++ function would exit)
// (A thread inside WriteChunk holds the state `answering` until its chunk is sent.)
// Every call made in the wrong state returns FailedPrecondition with a message that names the
// mistake (this is what Java sees as IllegalStateException): calling anything before Start,
// Start twice, Next while an invocation is unanswered or while another thread is in Next,
// answering with no invocation or answering twice, Respond once the response is being
// streamed, SetContentType after the first byte, context accessors between invocations.
//
// Streaming is zerostart/stream.h's (runtime::TransportResponseStream over the same
// transport): each WriteChunk is sent before it returns; an error reported after the first
// byte travels as trailers, before it as the invocation's error; under go1.x the chunks are
// collected and sent whole.
//
// Thread safety: every method may be called from any thread. A mutex guards the state; the
// blocking transport calls run outside it, and the state machine lets only one thread at a
// time own the transport (Transport's one-thread rule holds). The invocation's fields are
// copied out under the lock, so an accessor never sees a half-replaced invocation.
#ifndef ZEROSTART_SRC_JNI_BRIDGE_H_
#define ZEROSTART_SRC_JNI_BRIDGE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/env.h"
#include "src/runtime/response_stream.h"
#include "src/runtime/trace_env.h"
#include "src/runtime/transport.h"
#include "zerostart/invocation.h"
#include "zerostart/response.h"
#include "zerostart/status.h"

namespace zerostart::jni {

class Bridge {
 public:
  Bridge() = default;
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  // The process's bridge (never destroyed: JVM threads may still call it while exit runs).
  static Bridge& Process();

  // Reads the protocol from `env` and opens the transport (for go1.x, listening starts on the
  // first Next, as for a C++ function). Errors: FailedPrecondition when already started;
  // InvalidArgument when `env` names no usable protocol (a C++ function would exit with
  // exit_code() = 78 and the same one-line message).
  Status Start(const EnvMap& env);
  // Replaces the transport (tests). Same state rules as Start.
  Status StartWith(std::unique_ptr<runtime::Transport> transport);

  // Blocks until the next invocation, copies its payload into *payload and makes it current.
  // Sets _X_AMZN_TRACE_ID. Errors: FailedPrecondition on misuse (see above); Unavailable when
  // the Lambda side is gone: the bridge is then ended and exit_code() is what Run() returns
  // (1). Once ended, every Next returns Unavailable again.
  Status Next(std::string* payload);

  // Answers the current invocation. A result the Lambda side refuses (e.g. over 6 MB) is
  // logged on stderr and still ends the invocation, as in Run(); only misuse is an error
  // (FailedPrecondition, and then the invocation stays current).
  Status Respond(std::string payload, std::string content_type);
  Status ReportError(FunctionError error);

  // Streams the current invocation's response. SetContentType: before the first byte only
  // (default application/octet-stream). WriteChunk sends `bytes` as one piece before it returns
  // (empty: nothing sent); Unavailable when the response can no longer be delivered (the
  // invocation stays current until FinishResponse or ReportError ends it, which then send
  // nothing). FinishResponse ends the response (an empty streamed one if nothing was written);
  // a refusal by the Lambda side is logged, as for Respond. Errors otherwise: misuse only.
  Status SetContentType(std::string content_type);
  Status WriteChunk(std::string_view bytes);
  Status FinishResponse();
  // True while the current invocation's response is being streamed (a byte was written).
  bool IsStreaming() const;

  // Fields of the current invocation. FailedPrecondition when there is none.
  Result<std::string> RequestId() const;
  Result<std::string> FunctionArn() const;
  Result<std::string> TraceId() const;
  Result<std::chrono::milliseconds> RemainingTime() const;

  // True between a successful Next and the answer.
  bool HasInvocation() const;
  // Once Next has reported Unavailable (or Start InvalidArgument): the exit code a C++
  // function would end with; 0 while the bridge is alive.
  int exit_code() const;

 private:
  enum class State { kNotStarted, kIdle, kReading, kInvoked, kStreaming, kAnswering, kEnded };

  // FailedPrecondition naming what `action` needs, for the current state_.
  Status Misuse(const char* action) const;
  Result<std::string> Field(std::string Invocation::*field) const;
  Status Answer(Response* response, const FunctionError* error);
  // An invocation is current (invoked or streaming). REQUIRES: mutex_ held.
  bool HasInvocationLocked() const { return state_ == State::kInvoked || state_ == State::kStreaming; }

  mutable std::mutex mutex_;
  State state_ = State::kNotStarted;
  int exit_code_ = 0;
  std::unique_ptr<runtime::Transport> transport_;
  // Owned by the thread in Next (state kReading) or Respond (kAnswering); otherwise guarded.
  Invocation invocation_;
  // The current invocation's streamed response, over transport_ (created by StartWith).
  // Owned like invocation_.
  std::unique_ptr<runtime::TransportResponseStream> stream_;
  runtime::TraceIdEnvironment trace_env_;
};

}  // namespace zerostart::jni

#endif  // ZEROSTART_SRC_JNI_BRIDGE_H_
