#include "src/emulator/async_events.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string_view>
#include <system_error>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/unique_fd.h"
#include "src/emulator/report.h"

namespace zerostart::emulator {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Record conditions (invocation-async-retain-records.html shows RetriesExhausted; Lambda
// names an expired event EventAgeExceeded).
constexpr std::string_view kRetriesExhausted = "RetriesExhausted";
constexpr std::string_view kEventAgeExceeded = "EventAgeExceeded";
constexpr std::string_view kRecordVersion = "1.0";

// Lambda's retry timing (invocation-async-error-handling.html): function errors wait about
// 1 min, then 2 min; throttles and system errors back off from 1 s, doubling, up to 5 min.
constexpr double kLambdaRetryDelaySeconds = 60;
constexpr double kFirstBackoffSeconds = 1;
constexpr double kMaxBackoffSeconds = 300;
// Longer than any run; keeps the double -> duration conversion from overflowing.
constexpr double kMaxDelaySeconds = 1e9;

bool IsRetryableStatus(int http_status) { return http_status == 429 || http_status >= 500; }

// The factor that shrinks (or stretches) all of Lambda's delays alike.
double DelayScale(const AsyncEventOptions& options) {
  return std::max(0.0, options.retry_delay_seconds) / kLambdaRetryDelaySeconds;
}

std::chrono::steady_clock::duration Seconds(double seconds) {
  seconds = std::clamp(seconds, 0.0, kMaxDelaySeconds);
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds));
}

// A payload as a JSON value: parsed when it is JSON, else the text as a JSON string (the
// invoke server only accepts JSON events, but error bodies come from arbitrary processes).
OrderedJson Embedded(const std::string& text) {
  OrderedJson json = OrderedJson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return OrderedJson(text);
  return json;
}

std::string FailureRecord(std::string_view request_id, std::string_view function_arn,
                          std::string_view condition, int attempts, const InvokeRequest& request,
                          const InvokeResult& last) {
  // Each part is built whole before it joins the record: ordered_json keeps its members in a
  // vector, so a reference into the record would not survive the next insertion.
  OrderedJson context;
  context["requestId"] = request_id;
  context["functionArn"] = std::string(function_arn) + ":" + std::string(lambda::kLatestVersion);
  context["condition"] = condition;
  context["approximateInvokeCount"] = attempts;
  OrderedJson response;
  response["statusCode"] = last.http_status;
  // A throttle or a system error ran no version of the function: only its status is told.
  if (!IsRetryableStatus(last.http_status)) response["executedVersion"] = lambda::kLatestVersion;
  if (last.function_error) response["functionError"] = lambda::kUnhandled;

  OrderedJson record;
  record["version"] = kRecordVersion;
  record["timestamp"] = Rfc3339Millis(std::chrono::system_clock::now());
  record["requestContext"] = std::move(context);
  record["requestPayload"] = Embedded(request.payload);
  record["responseContext"] = std::move(response);
  if (!last.body.empty()) record["responsePayload"] = Embedded(last.body);
  // Replace invalid UTF-8 instead of throwing: the payloads come from arbitrary processes.
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

AsyncEventQueue::AsyncEventQueue(AsyncEventOptions options, AttemptFn attempt, LogSink* sink)
    : options_(std::move(options)), attempt_(std::move(attempt)), sink_(sink) {
  scheduler_ = std::thread(&AsyncEventQueue::SchedulerLoop, this);
}

AsyncEventQueue::~AsyncEventQueue() { Stop(); }

bool AsyncEventQueue::Submit(const std::shared_ptr<Invocation>& invocation) {
  auto event = std::make_unique<Event>();
  event->request_id = invocation->request_id;
  event->request = invocation->request;
  event->submitted = Clock::now();
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.accepted;
    if (stopping_) {
      ++stats_.dropped;
    } else {
      queue_.emplace(event->submitted, std::move(event));
      ++stats_.queued;
      queued = true;
    }
  }
  changed_.notify_all();
  if (!queued) {
    Note("asynchronous event " + invocation->request_id + " dropped: the emulator is stopping");
    return false;
  }
  wake_scheduler_.notify_one();
  return true;
}

void AsyncEventQueue::Stop() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) {
    changed_.wait(lock, [this] { return stopped_; });
    return;
  }
  stopping_ = true;
  dropped_while_stopping_ = queue_.size();
  stats_.dropped += queue_.size();
  stats_.queued = 0;
  queue_.clear();
  lock.unlock();
  changed_.notify_all();
  wake_scheduler_.notify_one();
  if (scheduler_.joinable()) scheduler_.join();

  // No attempt starts any more; wait for the running ones (each pushes its id to finished_
  // as its last step).
  lock.lock();
  while (!attempts_.empty()) {
    changed_.wait(lock, [this] { return !finished_.empty(); });
    JoinFinished(lock);
  }
  stopped_ = true;
  const uint64_t dropped = dropped_while_stopping_;
  lock.unlock();
  changed_.notify_all();
  if (dropped > 0) {
    Note("dropped " + std::to_string(dropped) + " asynchronous event(s) not yet delivered");
  }
}

AsyncEventStats AsyncEventQueue::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

bool AsyncEventQueue::WaitFor(const std::function<bool(const AsyncEventStats&)>& condition,
                              std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return condition(stats_); });
}

bool AsyncEventQueue::WaitIdle(std::chrono::milliseconds timeout) const {
  return WaitFor([](const AsyncEventStats& stats) { return stats.pending() == 0; }, timeout);
}

void AsyncEventQueue::SchedulerLoop() {
  const uint64_t max_running = static_cast<uint64_t>(std::max(1, options_.max_concurrent_attempts));
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    JoinFinished(lock);
    if (stopping_) return;
    if (queue_.empty() || stats_.running >= max_running) {
      wake_scheduler_.wait(lock);
    } else if (Clock::time_point due = queue_.begin()->first; due > Clock::now()) {
      wake_scheduler_.wait_until(lock, due);
    } else {
      StartAttempt();
    }
  }
}

void AsyncEventQueue::StartAttempt() {
  std::unique_ptr<Event> event = std::move(queue_.extract(queue_.begin()).mapped());
  --stats_.queued;
  Event* raw = event.get();
  const uint64_t id = next_attempt_id_++;
  Attempt& attempt = attempts_[id];
  attempt.event = std::move(event);
  try {
    // The new thread takes mutex_ only when its attempt has returned, so `attempt` is complete
    // by then.
    attempt.thread = std::thread(&AsyncEventQueue::RunAttempt, this, id, raw);
  } catch (const std::system_error&) {
    // No thread to be had now (a resource limit): like a system error, the event backs off.
    queue_.emplace(Clock::now() + Backoff(raw->backoffs++), std::move(attempt.event));
    attempts_.erase(id);
    ++stats_.queued;
    return;
  }
  ++raw->attempts;
  ++stats_.attempts;
  ++stats_.running;
  changed_.notify_all();
}

void AsyncEventQueue::RunAttempt(uint64_t attempt_id, Event* event) {
  // A fresh Invocation each time: it carries one attempt's completion state.
  auto invocation = std::make_shared<Invocation>();
  invocation->request_id = event->request_id;
  invocation->request = event->request;
  invocation->async = true;
  InvokeResult answer = attempt_(std::move(invocation));

  std::string condition;
  Outcome outcome;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    outcome = Settle(attempt_id, answer, condition);
  }
  // Past this point a re-queued event belongs to the scheduler: only a finished one is read.
  if (outcome == Outcome::kFailed) WriteRecord(*event, condition);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (outcome == Outcome::kSucceeded) ++stats_.succeeded;
    if (outcome == Outcome::kFailed) ++stats_.failed;
    if (outcome == Outcome::kDropped) ++stats_.dropped;
    --stats_.running;
    finished_.push_back(attempt_id);
  }
  changed_.notify_all();
  wake_scheduler_.notify_one();
}

AsyncEventQueue::Outcome AsyncEventQueue::Settle(uint64_t attempt_id, const InvokeResult& answer,
                                                 std::string& condition) {
  Attempt& attempt = attempts_.at(attempt_id);
  Event& event = *attempt.event;
  event.last = answer;
  Clock::duration delay{};
  if (IsRetryableStatus(answer.http_status)) {
    delay = Backoff(event.backoffs++);
  } else if (answer.function_error) {
    ++event.function_errors;
    if (event.function_errors > std::clamp(options_.max_retry_attempts, 0, 2)) {
      condition = kRetriesExhausted;
      return Outcome::kFailed;
    }
    // The n-th retry waits n minutes (1 min, then 2 min), scaled.
    delay = Seconds(kLambdaRetryDelaySeconds * DelayScale(options_) * event.function_errors);
  } else {
    return Outcome::kSucceeded;
  }
  const Clock::time_point due = Clock::now() + delay;
  if (due - event.submitted > options_.max_event_age) {
    condition = kEventAgeExceeded;
    return Outcome::kFailed;
  }
  if (stopping_) {
    ++dropped_while_stopping_;
    return Outcome::kDropped;
  }
  queue_.emplace(due, std::move(attempt.event));
  ++stats_.queued;
  return Outcome::kRequeued;
}

AsyncEventQueue::Clock::duration AsyncEventQueue::Backoff(int n) const {
  // 1 s, 2 s, 4 s, ... 256 s, then 300 s; the exponent is capped long before ldexp overflows.
  const double seconds =
      std::min(std::ldexp(kFirstBackoffSeconds, std::min(n, 16)), kMaxBackoffSeconds);
  return Seconds(seconds * DelayScale(options_));
}

void AsyncEventQueue::WriteRecord(const Event& event, const std::string& condition) {
  if (options_.on_failure_path.empty()) return;
  const std::string line = FailureRecord(event.request_id, options_.function_arn, condition,
                                         event.attempts, event.request, event.last);
  const std::string what = "cannot append the " + condition + " record of asynchronous event " +
                           event.request_id + " to " + options_.on_failure_path + ": ";
  UniqueFd fd(
      ::open(options_.on_failure_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    Note(what + std::generic_category().message(errno));
    return;
  }
  // One write(2) per record: with O_APPEND it lands whole at the end of the file, so records
  // written at the same time (by other attempts, or another process) never interleave. A
  // second write for a short remainder could, so a short write is reported instead.
  ssize_t written;
  do {
    written = ::write(fd.get(), line.data(), line.size());
  } while (written < 0 && errno == EINTR);
  if (written < 0) {
    Note(what + std::generic_category().message(errno));
  } else if (static_cast<size_t>(written) != line.size()) {
    Note(what + "short write (" + std::to_string(written) + " of " + std::to_string(line.size()) +
         " bytes)");
  }
}

void AsyncEventQueue::JoinFinished(std::unique_lock<std::mutex>& lock) {
  if (finished_.empty()) return;
  std::vector<Attempt> done;
  for (uint64_t id : finished_) {
    auto it = attempts_.find(id);
    done.push_back(std::move(it->second));
    attempts_.erase(it);
  }
  finished_.clear();
  // The threads are past their last use of mutex_; joining only waits for them to return.
  lock.unlock();
  for (Attempt& attempt : done) attempt.thread.join();
  done.clear();
  lock.lock();
}

void AsyncEventQueue::Note(const std::string& line) {
  if (sink_ != nullptr) sink_->WriteStderr("zerostart: " + line + "\n");
}

}  // namespace zerostart::emulator
