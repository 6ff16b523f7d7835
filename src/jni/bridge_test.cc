// Bridge's state machine against a scripted Transport: the misuse rules of Lambda.java's
// contract, and the end of the runtime.
#include "src/jni/bridge.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
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

TEST(BridgeTest, NoProtocolInTheEnvironmentIsExitCode78) {
  Bridge bridge;
  EXPECT_EQ(bridge.Start(EnvMap{}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bridge.exit_code(), 78);
}

}  // namespace
}  // namespace zerostart::jni
