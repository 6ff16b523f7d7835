#include "src/emulator/async_events.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/emulator/errors.h"
#include "src/emulator/ids.h"
#include "src/emulator/report.h"

namespace zerostart::emulator {
namespace {

using AsyncClock = std::chrono::steady_clock;
using nlohmann::json;

constexpr std::chrono::milliseconds kAsyncWait{30000};  // generous: sanitizers, shared cores
constexpr char kAsyncArn[] = "arn:aws:lambda:us-east-1:012345678912:function:orders";

InvokeResult AsyncSuccess() {
  InvokeResult result;
  result.body = R"("done")";
  return result;
}

InvokeResult AsyncFunctionError(const std::string& message) {
  InvokeResult result;
  result.function_error = true;
  result.body = FunctionErrorJson("Error", message);
  return result;
}

InvokeResult AsyncServiceError(int status) {
  InvokeResult result;
  result.http_status = status;
  result.exception = status == 429 ? "TooManyRequestsException" : "ServiceException";
  result.body = ServiceErrorJson(status == 429 ? "Rate Exceeded." : "Service unavailable",
                                 status == 429 ? "User" : "Service");
  return result;
}

std::shared_ptr<Invocation> AsyncEvent(const std::string& payload) {
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = NewRequestId();
  invocation->request.payload = payload;
  invocation->async = true;
  return invocation;
}

// A stand-in for the pool: answers the n-th attempt (1-based) of each request id with
// script(request payload, n), and keeps every call (and so every Invocation alive, which keeps
// their addresses distinct).
class AsyncScriptedPool {
 public:
  using Script = std::function<InvokeResult(const std::string& payload, int attempt)>;
  struct Call {
    std::shared_ptr<Invocation> invocation;
    AsyncClock::time_point at;
  };

  explicit AsyncScriptedPool(Script script) : script_(std::move(script)) {}

  AttemptFn Fn() {
    return [this](std::shared_ptr<Invocation> invocation) {
      int attempt;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<Call>& calls = calls_[invocation->request_id];
        calls.push_back({invocation, AsyncClock::now()});
        attempt = static_cast<int>(calls.size());
      }
      return script_(invocation->request.payload, attempt);
    };
  }

  std::vector<Call> CallsOf(const std::string& request_id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = calls_.find(request_id);
    return it == calls_.end() ? std::vector<Call>{} : it->second;
  }

 private:
  const Script script_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Call>> calls_;
};

// A gate attempts wait at until the test opens it; counts how many wait at once.
class AsyncGate {
 public:
  void Pass() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++inside_;
    max_inside_ = std::max(max_inside_, inside_);
    open_cv_.wait_for(lock, kAsyncWait, [this] { return open_; });
    --inside_;
  }
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    open_cv_.notify_all();
  }
  int max_inside() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_inside_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable open_cv_;
  bool open_ = false;
  int inside_ = 0;
  int max_inside_ = 0;
};

// The gap between consecutive attempts is at least `expected` (lower bound only). The slack
// absorbs the rounding of the scaled delay in floating point, nothing else.
void ExpectAsyncGapAtLeast(const AsyncScriptedPool::Call& before,
                           const AsyncScriptedPool::Call& after, double expected_seconds) {
  const auto gap = after.at - before.at;
  const auto bound = std::chrono::duration_cast<AsyncClock::duration>(
      std::chrono::duration<double>(expected_seconds) - std::chrono::microseconds(1));
  EXPECT_GE(gap, bound) << "gap " << std::chrono::duration<double>(gap).count()
                        << " s, expected >= " << expected_seconds << " s";
}

class AsyncEventQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "zs_async_events_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
    ::unlink(path_.c_str());
  }
  void TearDown() override { ::unlink(path_.c_str()); }

  AsyncEventOptions Options(double retry_delay_seconds) const {
    AsyncEventOptions options;
    options.retry_delay_seconds = retry_delay_seconds;
    options.on_failure_path = path_;
    options.function_arn = kAsyncArn;
    return options;
  }

  bool DestinationExists() const {
    struct stat st;
    return ::stat(path_.c_str(), &st) == 0;
  }

  // The destination's records, each line parsed on its own (a torn line fails the test).
  std::vector<json> Records() const {
    std::ifstream file(path_);
    std::stringstream text;
    text << file.rdbuf();
    const std::string all = text.str();
    EXPECT_TRUE(all.empty() || all.back() == '\n') << "the last record is not a whole line";
    std::vector<json> records;
    std::istringstream lines(all);
    for (std::string line; std::getline(lines, line);) {
      json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
      EXPECT_FALSE(record.is_discarded()) << "not a JSON line: " << line.substr(0, 200);
      records.push_back(std::move(record));
    }
    return records;
  }

  std::string path_;
  CapturingLogSink sink_;
};

TEST_F(AsyncEventQueueTest, SucceedsOnTheFirstAttemptWithoutARecord) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncSuccess(); });
  AsyncEventQueue queue(Options(0.01), pool.Fn(), &sink_);
  auto event = AsyncEvent(R"({"orderId":1})");
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  AsyncEventStats stats = queue.stats();
  EXPECT_EQ(stats.accepted, 1u);
  EXPECT_EQ(stats.attempts, 1u);
  EXPECT_EQ(stats.succeeded, 1u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(pool.CallsOf(event->request_id).size(), 1u);
  EXPECT_FALSE(DestinationExists());
  EXPECT_EQ(sink_.stdout_text(), "");
  EXPECT_EQ(sink_.stderr_text(), "");
}

TEST_F(AsyncEventQueueTest, RetriesAFunctionErrorTwiceWithFreshInvocationsThenRecordsIt) {
  AsyncScriptedPool pool([](const std::string&, int attempt) {
    return AsyncFunctionError("boom " + std::to_string(attempt));
  });
  AsyncEventQueue queue(Options(0.01), pool.Fn(), &sink_);
  auto event = AsyncEvent(R"({"orderId":42})");
  const auto before = std::chrono::system_clock::now();
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));

  std::vector<AsyncScriptedPool::Call> calls = pool.CallsOf(event->request_id);
  ASSERT_EQ(calls.size(), 3u);
  std::set<const Invocation*> distinct;
  for (const AsyncScriptedPool::Call& call : calls) {
    EXPECT_NE(call.invocation, event) << "the submitted Invocation is never reused";
    EXPECT_EQ(call.invocation->request_id, event->request_id);
    EXPECT_EQ(call.invocation->request.payload, event->request.payload);
    EXPECT_TRUE(call.invocation->async);
    EXPECT_EQ(call.invocation->stream, nullptr);
    EXPECT_EQ(call.invocation->log_tail, nullptr);
    distinct.insert(call.invocation.get());
  }
  EXPECT_EQ(distinct.size(), 3u) << "each attempt gets its own Invocation";
  EXPECT_EQ(queue.stats().failed, 1u);

  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 1u);
  const json& record = records[0];
  EXPECT_EQ(record["version"], "1.0");
  const std::string timestamp = record["timestamp"];
  EXPECT_EQ(timestamp.size(), 24u) << timestamp;  // 2026-03-02T10:15:30.123Z
  EXPECT_EQ(timestamp.back(), 'Z');
  EXPECT_GE(timestamp, Rfc3339Millis(before).substr(0, 19));
  EXPECT_EQ(record["requestContext"],
            json::parse(R"({"requestId":")" + event->request_id + R"(","functionArn":")" +
                        kAsyncArn + R"(:$LATEST",)" +
                        R"("condition":"RetriesExhausted","approximateInvokeCount":3})"));
  EXPECT_EQ(record["requestPayload"], json::parse(R"({"orderId":42})"));
  EXPECT_EQ(
      record["responseContext"],
      json::parse(R"({"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"})"));
  EXPECT_EQ(record["responsePayload"], json::parse(FunctionErrorJson("Error", "boom 3")));
  // Compact, in the documented order.
  std::ifstream file(path_);
  std::string line;
  std::getline(file, line);
  EXPECT_EQ(line.rfind(R"({"version":"1.0","timestamp":")", 0), 0u) << line;
  EXPECT_EQ(sink_.stderr_text(), "");
}

TEST_F(AsyncEventQueueTest, MaxRetryAttemptsZeroMeansOneAttempt) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncFunctionError("once"); });
  AsyncEventOptions options = Options(0.01);
  options.max_retry_attempts = 0;
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  auto event = AsyncEvent("{}");
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  EXPECT_EQ(pool.CallsOf(event->request_id).size(), 1u);
  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["requestContext"]["condition"], "RetriesExhausted");
  EXPECT_EQ(records[0]["requestContext"]["approximateInvokeCount"], 1);
  EXPECT_EQ(records[0]["requestPayload"], json::object());
}

TEST_F(AsyncEventQueueTest, ThrottlesAndSystemErrorsBackOffWithoutUsingUpRetries) {
  // 429, 429, error, 503, error: with one retry allowed, the second function error is the
  // last straw; the throttles and the system error in between did not count.
  AsyncScriptedPool pool([](const std::string&, int attempt) {
    switch (attempt) {
      case 1:
      case 2:
        return AsyncServiceError(429);
      case 4:
        return AsyncServiceError(503);
      default:
        return AsyncFunctionError("attempt " + std::to_string(attempt));
    }
  });
  AsyncEventOptions options = Options(0.3);  // delays scaled by 0.3 / 60 = 1/200
  options.max_retry_attempts = 1;
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  auto event = AsyncEvent(R"({"n":1})");
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));

  std::vector<AsyncScriptedPool::Call> calls = pool.CallsOf(event->request_id);
  ASSERT_EQ(calls.size(), 5u);
  ExpectAsyncGapAtLeast(calls[0], calls[1], 1.0 / 200);  // first back-off: 1 s, scaled
  ExpectAsyncGapAtLeast(calls[1], calls[2], 2.0 / 200);  // doubled
  ExpectAsyncGapAtLeast(calls[2], calls[3], 0.3);        // first retry after a function error
  ExpectAsyncGapAtLeast(calls[3], calls[4], 4.0 / 200);  // the back-off keeps doubling
  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["requestContext"]["condition"], "RetriesExhausted");
  EXPECT_EQ(records[0]["requestContext"]["approximateInvokeCount"], 5);
  EXPECT_EQ(records[0]["responsePayload"], json::parse(FunctionErrorJson("Error", "attempt 5")));
}

TEST_F(AsyncEventQueueTest, WaitsAtLeastTheScaledDelaysBeforeRetries) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncFunctionError("again"); });
  AsyncEventQueue queue(Options(0.1), pool.Fn(), &sink_);
  auto event = AsyncEvent("{}");
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  std::vector<AsyncScriptedPool::Call> calls = pool.CallsOf(event->request_id);
  ASSERT_EQ(calls.size(), 3u);
  ExpectAsyncGapAtLeast(calls[0], calls[1], 0.1);  // Lambda: about 1 minute
  ExpectAsyncGapAtLeast(calls[1], calls[2], 0.2);  // Lambda: about 2 minutes
}

TEST_F(AsyncEventQueueTest, AThrottledEventEndsEventAgeExceeded) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncServiceError(429); });
  AsyncEventOptions options = Options(0.6);  // back-offs of 10, 20, 40, 80, 160 ms
  options.max_event_age = std::chrono::milliseconds(200);
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  auto event = AsyncEvent(R"({"n":2})");
  const auto submitted = AsyncClock::now();
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  const auto idle = AsyncClock::now();

  const size_t attempts = pool.CallsOf(event->request_id).size();
  ASSERT_GE(attempts, 1u);
  EXPECT_EQ(queue.stats().attempts, attempts);
  // It was given up only when its next try would have come too late: the decision (before
  // `idle`) plus the next back-off lies past the age.
  const double next_backoff = std::ldexp(0.01, static_cast<int>(attempts) - 1);
  EXPECT_GT(std::chrono::duration<double>(idle - submitted).count() + next_backoff, 0.2);

  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["requestContext"]["condition"], "EventAgeExceeded");
  EXPECT_EQ(records[0]["requestContext"]["approximateInvokeCount"], attempts);
  EXPECT_EQ(records[0]["responseContext"], json::parse(R"({"statusCode":429})"));
  EXPECT_EQ(records[0]["responsePayload"], json::parse(AsyncServiceError(429).body));
}

TEST_F(AsyncEventQueueTest, AFunctionErrorWhoseRetryWouldComeTooLateEndsEventAgeExceeded) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncFunctionError("late"); });
  AsyncEventOptions options = Options(1.0);                // the retry would wait 1 s...
  options.max_event_age = std::chrono::milliseconds(500);  // ...past the event's age
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  auto event = AsyncEvent("{}");
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  EXPECT_EQ(pool.CallsOf(event->request_id).size(), 1u);
  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["requestContext"]["condition"], "EventAgeExceeded");
  EXPECT_EQ(records[0]["requestContext"]["approximateInvokeCount"], 1);
  EXPECT_EQ(
      records[0]["responseContext"],
      json::parse(R"({"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"})"));
}

TEST_F(AsyncEventQueueTest, StopDropsQueuedEventsAndAwaitsRunningAttempts) {
  AsyncGate gate;
  AsyncScriptedPool pool([&gate](const std::string& payload, int) {
    if (payload != R"({"block":true})") return AsyncFunctionError("retry me later");
    gate.Pass();
    return AsyncServiceError(500);  // what the pool's shutdown answers
  });
  AsyncEventQueue queue(Options(60), pool.Fn(), &sink_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.Submit(AsyncEvent("{}")));
  // Their first attempts failed; their retries are a minute away.
  ASSERT_TRUE(queue.WaitFor(
      [](const AsyncEventStats& s) { return s.attempts == 3 && s.queued == 3 && s.running == 0; },
      kAsyncWait));
  ASSERT_TRUE(queue.Submit(AsyncEvent(R"({"block":true})")));
  ASSERT_TRUE(queue.WaitFor([](const AsyncEventStats& s) { return s.running == 1; }, kAsyncWait));

  std::thread stopper([&queue] { queue.Stop(); });
  ASSERT_TRUE(queue.WaitFor([](const AsyncEventStats& s) { return s.dropped == 3; }, kAsyncWait));
  EXPECT_EQ(queue.stats().running, 1u) << "Stop awaits the running attempt";
  gate.Open();
  stopper.join();

  AsyncEventStats stats = queue.stats();
  EXPECT_EQ(stats.dropped, 4u) << "the attempt that ended during Stop is not retried";
  EXPECT_EQ(stats.attempts, 4u);
  EXPECT_EQ(stats.pending(), 0u);
  EXPECT_EQ(sink_.stderr_text(), "zerostart: dropped 4 asynchronous event(s) not yet delivered\n");
  queue.Stop();  // idempotent: no second note
  EXPECT_EQ(sink_.stderr_text(), "zerostart: dropped 4 asynchronous event(s) not yet delivered\n");
  EXPECT_FALSE(DestinationExists());
}

TEST_F(AsyncEventQueueTest, SubmitAfterStopDropsTheEvent) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncSuccess(); });
  AsyncEventQueue queue(Options(0.01), pool.Fn(), &sink_);
  queue.Stop();
  auto event = AsyncEvent("{}");
  EXPECT_FALSE(queue.Submit(event));
  EXPECT_TRUE(pool.CallsOf(event->request_id).empty());
  AsyncEventStats stats = queue.stats();
  EXPECT_EQ(stats.accepted, 1u);
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(sink_.stderr_text(), "zerostart: asynchronous event " + event->request_id +
                                     " dropped: the emulator is stopping\n");
}

TEST_F(AsyncEventQueueTest, ConcurrentFailuresAppendWholeLines) {
  constexpr int kEvents = 32;
  // Records of several pages (two 16 KiB strings each), so that interleaved writes would show.
  const std::string filler(16 * 1024, 'x');
  AsyncGate gate;
  AsyncScriptedPool pool([&](const std::string&, int) {
    gate.Pass();
    return AsyncFunctionError(filler);
  });
  AsyncEventOptions options = Options(0.01);
  options.max_retry_attempts = 0;
  options.max_concurrent_attempts = 16;
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  std::set<std::string> ids;
  for (int i = 0; i < kEvents; ++i) {
    auto event = AsyncEvent(R"({"n":)" + std::to_string(i) + R"(,"data":")" + filler + R"("})");
    ids.insert(event->request_id);
    ASSERT_TRUE(queue.Submit(event));
  }
  // Hold the first 16 attempts until they are all running, then let them fail together.
  ASSERT_TRUE(queue.WaitFor([](const AsyncEventStats& s) { return s.running == 16; }, kAsyncWait));
  gate.Open();
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  EXPECT_EQ(queue.stats().failed, static_cast<uint64_t>(kEvents));

  std::vector<json> records = Records();
  ASSERT_EQ(records.size(), static_cast<size_t>(kEvents));
  std::set<std::string> recorded;
  for (const json& record : records) {
    recorded.insert(record["requestContext"]["requestId"].get<std::string>());
    EXPECT_EQ(record["requestPayload"]["data"], filler);
    EXPECT_EQ(record["responsePayload"]["errorMessage"], filler);
  }
  EXPECT_EQ(recorded, ids);
}

TEST_F(AsyncEventQueueTest, RunsAtMostMaxConcurrentAttemptsAtOnce) {
  AsyncGate gate;
  AsyncScriptedPool pool([&gate](const std::string&, int) {
    gate.Pass();
    return AsyncSuccess();
  });
  AsyncEventOptions options = Options(0.01);
  options.max_concurrent_attempts = 2;
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.Submit(AsyncEvent("{}")));
  ASSERT_TRUE(queue.WaitFor(
      [](const AsyncEventStats& s) { return s.running == 2 && s.queued == 3; }, kAsyncWait));
  gate.Open();
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  EXPECT_EQ(queue.stats().succeeded, 5u);
  EXPECT_LE(gate.max_inside(), 2);
}

TEST_F(AsyncEventQueueTest, AnUnwritableDestinationIsNotedOnStderr) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncFunctionError("lost"); });
  AsyncEventOptions options = Options(0.01);
  options.max_retry_attempts = 0;
  options.on_failure_path = path_ + ".missing-dir/records.jsonl";
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  auto event = AsyncEvent("{}");
  ASSERT_TRUE(queue.Submit(event));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  EXPECT_EQ(queue.stats().failed, 1u);
  EXPECT_EQ(sink_.stderr_text(),
            "zerostart: cannot append the RetriesExhausted record of "
            "asynchronous event " +
                event->request_id + " to " + options.on_failure_path +
                ": No such file or directory\n");
  EXPECT_EQ(sink_.stdout_text(), "");
}

TEST_F(AsyncEventQueueTest, WithoutADestinationAFailedEventIsOnlyCounted) {
  AsyncScriptedPool pool([](const std::string&, int) { return AsyncFunctionError("gone"); });
  AsyncEventOptions options = Options(0.01);
  options.max_retry_attempts = 0;
  options.on_failure_path.clear();
  AsyncEventQueue queue(options, pool.Fn(), &sink_);
  ASSERT_TRUE(queue.Submit(AsyncEvent("{}")));
  ASSERT_TRUE(queue.WaitIdle(kAsyncWait));
  EXPECT_EQ(queue.stats().failed, 1u);
  EXPECT_FALSE(DestinationExists());
  EXPECT_EQ(sink_.stderr_text(), "");
}

}  // namespace
}  // namespace zerostart::emulator
