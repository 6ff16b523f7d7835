// Bridge's state machine against a scripted Transport: the misuse rules of Lambda.java's
// contract, and the end of the runtime.
#include "src/jni/bridge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace zerostart::jni {
namespace {

// Hands out the queued invocations, then reports the Lambda side gone.
class ScriptedTransport final : public runtime::Transport {
 public:
  struct Log {
    std::vector<std::string> responses;
    std::vector<FunctionError> errors;
    std::vector<std::string> streamed;  // "begin:<id>:<content type>", "chunk:<bytes>", "end[:type]"
    int failing_chunk = 0;              // the 1-based WriteChunk that fails (0: none)
    int chunks = 0;
  };
  ScriptedTransport(std::deque<Invocation> invocations, Log* log)
      : invocations_(std::move(invocations)), log_(log) {}

  Status Next(Invocation* invocation) override {
    if (invocations_.empty()) return UnavailableError("connection refused");
    *invocation = std::move(invocations_.front());
    invocations_.pop_front();
    return OkStatus();
  }
  Status Respond(const Invocation& invocation, Response* response) override {
    log_->responses.push_back(invocation.request_id + ":" + response->payload());
    return OkStatus();
  }
  Status ReportError(const Invocation&, const FunctionError& error) override {
    log_->errors.push_back(error);
    return OkStatus();
  }
  Status ReportInitError(const FunctionError&) override { return OkStatus(); }
  Status BeginStream(const Invocation& invocation, std::string_view content_type) override {
    log_->streamed.push_back("begin:" + invocation.request_id + ":" + std::string(content_type));
    return OkStatus();
  }
  Status WriteChunk(std::string_view bytes) override {
    log_->streamed.push_back("chunk:" + std::string(bytes));
    if (++log_->chunks == log_->failing_chunk) return UnavailableError("connection reset by peer");
    return OkStatus();
  }
  Status EndStream(const FunctionError* error) override {
    log_->streamed.push_back(error == nullptr ? "end" : "end:" + error->type);
    return OkStatus();
  }

 private:
  std::deque<Invocation> invocations_;
  Log* log_;
};

Invocation MakeInvocation(std::string id, std::string payload) {
  Invocation invocation;
  invocation.request_id = std::move(id);
  invocation.payload = std::move(payload);
  invocation.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
  invocation.trace_id = "Root=1-0-0";
  invocation.deadline = std::chrono::system_clock::now() + std::chrono::seconds(30);
  return invocation;
}

TEST(BridgeTest, EverythingBeforeStartIsMisuse) {
  Bridge bridge;
  std::string payload;
  EXPECT_EQ(bridge.Next(&payload).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge.Respond("x", "application/json").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge.ReportError({"T", "m", {}}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge.RequestId().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(bridge.RequestId().status().message().find("start() has not been called"),
            std::string::npos);
}

TEST(BridgeTest, ServesAndRefusesMisuse) {
  ScriptedTransport::Log log;
  Bridge bridge;
  ASSERT_TRUE(bridge
                  .StartWith(std::make_unique<ScriptedTransport>(
                      std::deque<Invocation>{MakeInvocation("a", "1"), MakeInvocation("b", "2")},
                      &log))
                  .ok());
  EXPECT_EQ(bridge.StartWith(nullptr).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge.Respond("early", "application/json").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge.TraceId().status().code(), StatusCode::kFailedPrecondition);

  std::string payload;
  ASSERT_TRUE(bridge.Next(&payload).ok());
  EXPECT_EQ(payload, "1");
  EXPECT_TRUE(bridge.HasInvocation());
  EXPECT_EQ(*bridge.RequestId(), "a");
  EXPECT_EQ(*bridge.TraceId(), "Root=1-0-0");
  EXPECT_GT(bridge.RemainingTime()->count(), 0);
  const Status reread = bridge.Next(&payload);
  EXPECT_EQ(reread.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reread.message().find("has not been answered"), std::string::npos);
  ASSERT_TRUE(bridge.Respond("one", "application/json").ok());
  EXPECT_EQ(bridge.Respond("twice", "application/json").code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(bridge.HasInvocation());

  ASSERT_TRUE(bridge.Next(&payload).ok());
  ASSERT_TRUE(bridge.ReportError({"MyError", "bad", {"frame"}}).ok());
  EXPECT_EQ(bridge.ReportError({"MyError", "again", {}}).code(), StatusCode::kFailedPrecondition);

  EXPECT_EQ(bridge.exit_code(), 0);
  EXPECT_EQ(bridge.Next(&payload).code(), StatusCode::kUnavailable);
  EXPECT_EQ(bridge.exit_code(), 1);  // what Run() returns when the Lambda side is gone
  EXPECT_EQ(bridge.Next(&payload).code(), StatusCode::kUnavailable);

  EXPECT_EQ(log.responses, std::vector<std::string>{"a:one"});
  ASSERT_EQ(log.errors.size(), 1u);
  EXPECT_EQ(log.errors[0].type, "MyError");
  EXPECT_EQ(log.errors[0].stack_trace, std::vector<std::string>{"frame"});
}

// A started bridge over a ScriptedTransport serving `ids` (payload = id).
std::unique_ptr<Bridge> StreamingBridge(std::vector<std::string> ids, ScriptedTransport::Log* log) {
  std::deque<Invocation> invocations;
  for (std::string& id : ids) invocations.push_back(MakeInvocation(id, id));
  auto bridge = std::make_unique<Bridge>();
  EXPECT_TRUE(bridge->StartWith(std::make_unique<ScriptedTransport>(std::move(invocations), log)).ok());
  return bridge;
}

TEST(BridgeTest, StreamingStateMachine) {
  ScriptedTransport::Log log;
  std::unique_ptr<Bridge> bridge = StreamingBridge({"s", "t"}, &log);
  EXPECT_EQ(bridge->WriteChunk("early").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge->SetContentType("text/plain").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge->FinishResponse().code(), StatusCode::kFailedPrecondition);

  std::string payload;
  ASSERT_TRUE(bridge->Next(&payload).ok());
  ASSERT_TRUE(bridge->SetContentType("text/plain").ok());
  ASSERT_TRUE(bridge->WriteChunk("").ok());  // nothing sent: not streaming yet
  EXPECT_FALSE(bridge->IsStreaming());
  ASSERT_TRUE(bridge->WriteChunk("a").ok());
  EXPECT_TRUE(bridge->IsStreaming());
  EXPECT_TRUE(bridge->HasInvocation());
  EXPECT_EQ(*bridge->RequestId(), "s");  // the context stays readable while streaming
  const Status late_type = bridge->SetContentType("text/html");
  EXPECT_EQ(late_type.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late_type.message().find("first byte"), std::string::npos) << late_type.message();
  const Status buffered = bridge->Respond("whole", "application/json");
  EXPECT_EQ(buffered.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(buffered.message().find("finishResponse"), std::string::npos) << buffered.message();
  const Status reread = bridge->Next(&payload);
  EXPECT_EQ(reread.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reread.message().find("being streamed"), std::string::npos) << reread.message();
  ASSERT_TRUE(bridge->WriteChunk("b").ok());
  ASSERT_TRUE(bridge->FinishResponse().ok());
  EXPECT_FALSE(bridge->IsStreaming());
  EXPECT_FALSE(bridge->HasInvocation());
  EXPECT_EQ(bridge->FinishResponse().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge->WriteChunk("c").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge->ReportError({"E", "m", {}}).code(), StatusCode::kFailedPrecondition);

  // The next invocation starts over: default content type, nothing written.
  ASSERT_TRUE(bridge->Next(&payload).ok());
  ASSERT_TRUE(bridge->FinishResponse().ok());  // nothing written: an empty streamed response
  EXPECT_EQ(log.streamed, (std::vector<std::string>{"begin:s:text/plain", "chunk:a", "chunk:b",
                                                    "end", "begin:t:application/octet-stream",
                                                    "end"}));
  EXPECT_TRUE(log.responses.empty());
  EXPECT_TRUE(log.errors.empty());
}

TEST(BridgeTest, WriteErrorEndsAStreamAfterBytesAndIsTheInvocationsErrorBefore) {
  ScriptedTransport::Log log;
  std::unique_ptr<Bridge> bridge = StreamingBridge({"after", "before"}, &log);
  std::string payload;
  ASSERT_TRUE(bridge->Next(&payload).ok());
  ASSERT_TRUE(bridge->WriteChunk("x").ok());
  ASSERT_TRUE(bridge->ReportError({"Late", "after bytes", {}}).ok());
  EXPECT_FALSE(bridge->HasInvocation());
  EXPECT_EQ(bridge->ReportError({"Late", "twice", {}}).code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(bridge->Next(&payload).ok());
  ASSERT_TRUE(bridge->SetContentType("text/plain").ok());
  ASSERT_TRUE(bridge->ReportError({"Early", "no bytes", {}}).ok());
  EXPECT_EQ(log.streamed, (std::vector<std::string>{"begin:after:application/octet-stream",
                                                    "chunk:x", "end:Late"}));
  ASSERT_EQ(log.errors.size(), 1u);
  EXPECT_EQ(log.errors[0].type, "Early");
}

TEST(BridgeTest, ABrokenStreamReportsUnavailableUntilTheInvocationIsEnded) {
  ScriptedTransport::Log log;
  log.failing_chunk = 2;
  std::unique_ptr<Bridge> bridge = StreamingBridge({"lost", "next"}, &log);
  std::string payload;
  ASSERT_TRUE(bridge->Next(&payload).ok());
  ASSERT_TRUE(bridge->WriteChunk("1").ok());
  EXPECT_EQ(bridge->WriteChunk("2").code(), StatusCode::kUnavailable);
  EXPECT_EQ(bridge->WriteChunk("3").code(), StatusCode::kUnavailable);
  EXPECT_TRUE(bridge->IsStreaming());
  ASSERT_TRUE(bridge->FinishResponse().ok());  // ends the invocation; nothing more is sent
  ASSERT_TRUE(bridge->Next(&payload).ok());
  EXPECT_EQ(payload, "next");
  ASSERT_TRUE(bridge->Respond("buffered", "application/json").ok());
  EXPECT_EQ(log.streamed, (std::vector<std::string>{"begin:lost:application/octet-stream",
                                                    "chunk:1", "chunk:2"}));
  EXPECT_EQ(log.responses, std::vector<std::string>{"next:buffered"});
}

// Bounds only a failing test: a passing one is woken by the event it waits for.
constexpr std::chrono::seconds kBridgeEventTimeout{30};

// Blocks each arriving thread until `expected` threads have arrived.
class ThreadMeeting {
 public:
  explicit ThreadMeeting(size_t expected) : expected_(expected) {}
  // True once all have arrived; false after kBridgeEventTimeout.
  bool ArriveAndWait() {
    std::unique_lock lock(mutex_);
    ++arrived_;
    changed_.notify_all();
    return changed_.wait_for(lock, kBridgeEventTimeout, [&] { return arrived_ >= expected_; });
  }

 private:
  const size_t expected_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t arrived_ = 0;
};

// A bridge with one slot per entry of `ids` (AWS_LAMBDA_MAX_CONCURRENCY = ids.size()), slot i
// serving the invocations ids[i] (payload = id) through a ScriptedTransport logging to logs[i].
std::unique_ptr<Bridge> ConcurrentBridge(const std::vector<std::vector<std::string>>& ids,
                                         std::vector<ScriptedTransport::Log>* logs) {
  logs->resize(ids.size());
  std::vector<std::unique_ptr<runtime::Transport>> transports;
  for (size_t i = 0; i < ids.size(); ++i) {
    std::deque<Invocation> invocations;
    for (const std::string& id : ids[i]) invocations.push_back(MakeInvocation(id, id));
    transports.push_back(std::make_unique<ScriptedTransport>(std::move(invocations), &(*logs)[i]));
  }
  auto bridge = std::make_unique<Bridge>();
  EXPECT_TRUE(bridge->StartWith(std::move(transports)).ok());
  return bridge;
}

TEST(BridgeTest, WithSeveralSlotsEachThreadHasItsOwnInvocation) {
  std::vector<ScriptedTransport::Log> logs;
  std::unique_ptr<Bridge> bridge = ConcurrentBridge({{"a"}, {"b"}, {"c"}}, &logs);
  EXPECT_EQ(bridge->max_concurrency(), 3);
  ThreadMeeting all_invoked(4);  // the three readers and this thread
  ThreadMeeting all_checked(4);
  std::vector<std::string> seen(3);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      std::string payload;
      ASSERT_TRUE(bridge->Next(&payload).ok());
      EXPECT_EQ(std::getenv("_X_AMZN_TRACE_ID"), nullptr);  // M trace ids: none process-wide
      EXPECT_TRUE(all_invoked.ArriveAndWait());
      // Every thread sees its own invocation, while the others are in flight.
      EXPECT_EQ(*bridge->RequestId(), payload);
      EXPECT_EQ(*bridge->TraceId(), "Root=1-0-0");
      const Status reread = bridge->Next(&payload);
      EXPECT_NE(reread.message().find("has not been answered"), std::string::npos)
          << reread.message();
      seen[i] = payload;
      EXPECT_TRUE(all_checked.ArriveAndWait());
      ASSERT_TRUE(bridge->Respond("re:" + payload, "application/json").ok());
      EXPECT_FALSE(bridge->HasInvocation());
    });
  }
  ASSERT_TRUE(all_invoked.ArriveAndWait());
  // This thread has read nothing: no invocation of its own, and no free slot to read into.
  EXPECT_FALSE(bridge->HasInvocation());
  const Status other = bridge->Respond("stolen", "application/json");
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.message().find("on this thread"), std::string::npos) << other.message();
  std::string payload;
  const Status fourth = bridge->Next(&payload);
  EXPECT_EQ(fourth.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(fourth.message().find("3 threads"), std::string::npos) << fourth.message();
  ASSERT_TRUE(all_checked.ArriveAndWait());
  for (std::thread& thread : threads) thread.join();
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c"}));
  std::vector<std::string> responses;
  for (const ScriptedTransport::Log& log : logs) {
    ASSERT_EQ(log.responses.size(), 1u);  // each slot answered its own invocation
    responses.push_back(log.responses[0]);
  }
  std::sort(responses.begin(), responses.end());
  EXPECT_EQ(responses, (std::vector<std::string>{"a:re:a", "b:re:b", "c:re:c"}));
}

TEST(BridgeTest, WithSeveralSlotsEachThreadStreamsItsOwnResponse) {
  std::vector<ScriptedTransport::Log> logs;
  std::unique_ptr<Bridge> bridge = ConcurrentBridge({{"s"}, {"t"}}, &logs);
  ThreadMeeting both_streaming(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {
      std::string payload;
      ASSERT_TRUE(bridge->Next(&payload).ok());
      ASSERT_TRUE(bridge->SetContentType("text/" + payload).ok());
      ASSERT_TRUE(bridge->WriteChunk(payload + "1").ok());
      EXPECT_TRUE(bridge->IsStreaming());
      EXPECT_TRUE(both_streaming.ArriveAndWait());
      ASSERT_TRUE(bridge->WriteChunk(payload + "2").ok());
      if (payload == "s") {
        ASSERT_TRUE(bridge->FinishResponse().ok());
      } else {
        ASSERT_TRUE(bridge->ReportError({"Late", "after bytes", {}}).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<std::vector<std::string>> streamed{logs[0].streamed, logs[1].streamed};
  std::sort(streamed.begin(), streamed.end());
  EXPECT_EQ(streamed, (std::vector<std::vector<std::string>>{
                          {"begin:s:text/s", "chunk:s1", "chunk:s2", "end"},
                          {"begin:t:text/t", "chunk:t1", "chunk:t2", "end:Late"}}));
}

TEST(BridgeTest, WithSeveralSlotsTheEndWaitsForTheInvocationsInFlight) {
  // This thread takes slot 0's invocation; the reader then gets slot 1, which finds the
  // Lambda side gone at once.
  std::vector<ScriptedTransport::Log> logs;
  std::unique_ptr<Bridge> bridge = ConcurrentBridge({{"in-flight"}, {}}, &logs);
  std::string payload;
  ASSERT_TRUE(bridge->Next(&payload).ok());
  ASSERT_EQ(payload, "in-flight");
  Status ended;
  size_t answers_seen_at_end = 99;
  std::thread reader([&] {
    std::string unused;
    ended = bridge->Next(&unused);
    answers_seen_at_end = logs[0].responses.size();
  });
  // Until the reader has ended the bridge (then it waits for this thread's answer).
  const auto deadline = std::chrono::steady_clock::now() + kBridgeEventTimeout;
  while (bridge->exit_code() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(bridge->exit_code(), 1);
  EXPECT_TRUE(bridge->HasInvocation());
  ASSERT_TRUE(bridge->Respond("done", "application/json").ok());
  reader.join();
  EXPECT_EQ(ended.code(), StatusCode::kUnavailable);
  EXPECT_EQ(answers_seen_at_end, 1u);  // the reader returned only after the answer went out
  EXPECT_EQ(bridge->Next(&payload).code(), StatusCode::kUnavailable);
}

TEST(BridgeTest, NoProtocolInTheEnvironmentIsExitCode78) {
  Bridge bridge;
  EXPECT_EQ(bridge.Start(EnvMap{}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bridge.exit_code(), 78);
}

}  // namespace
}  // namespace zerostart::jni
