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
// States of an invocation slot:
//   idle --Next--> reading --(invocation)--> invoked
//   invoked --Respond/ReportError/FinishResponse--> answering --> idle
//   invoked --WriteChunk (a byte)--> streaming --WriteChunk--> streaming
//   streaming --FinishResponse/ReportError--> answering --> idle
// (A thread inside WriteChunk holds the state `answering` until its chunk is sent.) Around
// them, the bridge is not started until Start, and ended once a Next has found the Lambda side
// gone (exit_code() then says how a C++ function would exit).
//
// Concurrency (Lambda Managed Instances,
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html):
// when the Runtime API may hand out AWS_LAMBDA_MAX_CONCURRENCY = M > 1 invocations at once,
// the bridge has M slots, each with its own transport (its own connection), so that M Java
// threads can each read and answer invocations, as Lambda's Java runtime does with M threads
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-runtimes.html). An
// invocation then belongs to the thread that read it, from Next to its answer: that thread
// answers it, streams it and reads its context; other threads see no current invocation. A
// Next takes any free slot; an (M+1)th thread reading at once is refused. With one slot (M
// unset or 1, and always under go1.x, which has no Managed Instances) there is one current
// invocation per process, which any thread may answer.
//
// Every call made in the wrong state returns FailedPrecondition with a message that names the
// mistake (this is what Java sees as IllegalStateException): calling anything before Start,
// Start twice, Next while the invocation it would replace is unanswered or while another
// thread is in Next (one slot), Next from more than M threads at once (M slots), answering
// with no invocation or answering twice, Respond once the response is being streamed,
// SetContentType after the first byte, context accessors between invocations.
//
// The end: the first Next to find the Lambda side gone logs why ("runtime: stopping: ...", as
// Run() does) and ends the bridge; Next on the other slots is cancelled. Every Next then
// returns Unavailable, but only once no invocation is in flight on another thread, so that the
// answers already being computed still reach Lambda before the process exits (as Run() and
// aws-lambda-go do).
//
// _X_AMZN_TRACE_ID is set for each invocation with one slot, never with M: one process-wide
// variable cannot hold M trace ids; TraceId() gives each thread its own.
//
// Streaming is zerostart/stream.h's (runtime::TransportResponseStream over the slot's
// transport): each WriteChunk is sent before it returns; an error reported after the first
// byte travels as trailers, before it as the invocation's error; under go1.x the chunks are
// collected and sent whole.
//
// Thread safety: every method may be called from any thread. A mutex guards the state; the
// blocking transport calls run outside it, and the state machine lets only one thread at a
// time own a slot's transport (Transport's one-thread rule holds). The invocation's fields are
// copied out under the lock, so an accessor never sees a half-replaced invocation.
#ifndef ZEROSTART_SRC_JNI_BRIDGE_H_
#define ZEROSTART_SRC_JNI_BRIDGE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/common/env.h"
#include "src/runtime/response_stream.h"
#include "src/runtime/runtime_api_client.h"
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
  // first Next, as for a C++ function), or M of them when AWS_LAMBDA_MAX_CONCURRENCY = M > 1
  // with the Runtime API. Errors: FailedPrecondition when already started; InvalidArgument
  // when `env` names no usable protocol or holds a bad value (a C++ function would exit with
  // exit_code() = 78 and the same one-line message).
  Status Start(const EnvMap& env);
  // Replaces the transport (tests): one slot. Same state rules as Start.
  Status StartWith(std::unique_ptr<runtime::Transport> transport);
  // One slot per transport (tests; at least one). Same state rules as Start.
  Status StartWith(std::vector<std::unique_ptr<runtime::Transport>> transports);

  // How many invocations may be in flight at once: the number of slots (1 before Start).
  int max_concurrency() const;

  // Blocks until the next invocation, copies its payload into *payload and makes it current
  // (for the calling thread, with M slots). Sets _X_AMZN_TRACE_ID with one slot. Errors:
  // FailedPrecondition on misuse (see above); Unavailable when the Lambda side is gone: the
  // bridge is then ended and exit_code() is what Run() returns (1). Once ended, every Next
  // returns Unavailable again (see the file comment for when).
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

  // Fields of the current invocation (the calling thread's, with M slots).
  // FailedPrecondition when there is none.
  Result<std::string> RequestId() const;
  Result<std::string> FunctionArn() const;
  Result<std::string> TraceId() const;
  Result<std::chrono::milliseconds> RemainingTime() const;

  // True between a successful Next and the answer (the calling thread's, with M slots).
  bool HasInvocation() const;
  // Once Next has reported Unavailable (or Start InvalidArgument): the exit code a C++
  // function would end with; 0 while the bridge is alive.
  int exit_code() const;

 private:
  enum class State { kIdle, kReading, kInvoked, kStreaming, kAnswering };

  // One invocation in flight at most, over one transport.
  struct Slot {
    State state = State::kIdle;
    // With M slots, the thread the invocation belongs to (from Next to its answer).
    std::thread::id owner;
    std::unique_ptr<runtime::Transport> transport;
    // The transport when it is a Runtime API client (CancelNext at the end), else null.
    runtime::RuntimeApiClient* runtime_api = nullptr;
    // Owned by the thread in Next (state kReading) or answering (kAnswering); otherwise
    // guarded by mutex_.
    Invocation invocation;
    // The invocation's streamed response, over `transport`. Owned like `invocation`.
    std::unique_ptr<runtime::TransportResponseStream> stream;
  };

  // FailedPrecondition naming what `action` needs, for `slot`'s state (null: the calling
  // thread has none). REQUIRES: mutex_ held.
  Status Misuse(const Slot* slot, const char* action) const;
  // The calling thread's slot: the only one, or (M slots) the one it owns; null when none.
  // REQUIRES: mutex_ held.
  Slot* CallerSlot() const;
  // For Next: the slot to read into, marked kReading; or the misuse. REQUIRES: mutex_ held.
  Result<Slot*> ClaimForNext();
  // Next found the Lambda side gone with `why`: ends the bridge (the first time: logs and
  // cancels the other slots' Next), then waits until no other slot has an invocation in
  // flight. REQUIRES: `lock` holds mutex_.
  void End(std::unique_lock<std::mutex>& lock, const Status& why);
  // Returns `slot` to idle (and to no owner). REQUIRES: mutex_ held.
  void Release(Slot* slot);
  Result<std::string> Field(std::string Invocation::*field) const;
  Status Answer(Response* response, const FunctionError* error);
  // An invocation is current in `slot` (invoked or streaming).
  static bool HasInvocation(const Slot* slot) {
    return slot != nullptr && (slot->state == State::kInvoked || slot->state == State::kStreaming);
  }

  mutable std::mutex mutex_;
  std::condition_variable slot_released_;  // a slot went back to idle
  bool started_ = false;
  bool ended_ = false;
  int exit_code_ = 0;
  // Created by StartWith, never resized afterwards (so Slot pointers stay valid).
  std::vector<std::unique_ptr<Slot>> slots_;
  runtime::TraceIdEnvironment trace_env_;  // one slot only
};

}  // namespace zerostart::jni

#endif  // ZEROSTART_SRC_JNI_BRIDGE_H_
