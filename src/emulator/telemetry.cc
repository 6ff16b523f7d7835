#include "src/emulator/telemetry.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "src/emulator/platform_records.h"
#include "src/emulator/telemetry_client.h"

namespace zerostart::emulator {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Lambda's reasons in platform.logsDropped (AWS docs, telemetry-schema-reference).
constexpr std::string_view kSlowConsumerReason =
    "Some logs were dropped because the downstream consumer is slower than the logs production rate";
constexpr std::string_view kUndeliveredReason =
    "Some logs were dropped because they could not be delivered to the subscriber";

TelemetrySubscribeAnswer ErrorAnswer(int status, std::string_view type, std::string_view message) {
  nlohmann::json body = {{"errorType", type}, {"errorMessage", message}};
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          std::string(type)};
}

std::string_view ReasonFor(StatusCode code) {
  switch (code) {
    case StatusCode::kUnavailable:
      return "refused or closed the connection";
    case StatusCode::kDeadlineExceeded:
      return "did not answer in time";
    case StatusCode::kFailedPrecondition:
      return "answered with an error";
    default:
      return "failed";
  }
}

}  // namespace

// One subscription: its buffer and its sender thread. The buffer is the only state Publish
// touches, under `mutex_`, which the sender never holds across a network call.
class TelemetryHub::Subscriber {
 public:
  Subscriber(std::string name, TelemetrySubscription subscription, const Options& options,
             const Notice& notice)
      : name_(std::move(name)),
        subscription_(std::move(subscription)),
        options_(options),
        notice_(notice),
        max_buffered_records_(uint64_t{subscription_.max_items} * std::max(1u, options.buffered_batches)),
        max_buffered_bytes_(uint64_t{subscription_.max_bytes} * std::max(1u, options.buffered_batches)),
        client_({subscription_.port, subscription_.host_header, subscription_.path}),
        thread_([this] { Run(); }) {}

  ~Subscriber() {
    Abort();
    if (thread_.joinable()) thread_.join();
  }

  const std::string& name() const { return name_; }
  const TelemetrySubscription& subscription() const { return subscription_; }

  void Enqueue(std::string_view event) {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (buffer_.size() >= max_buffered_records_ ||
        buffered_bytes_ + event.size() > max_buffered_bytes_) {
      CountDroppedLocked(1, event.size(), kSlowConsumerReason);
      return;
    }
    buffer_.emplace_back(event);
    buffered_bytes_ += event.size();
    if (!first_buffered_) {
      first_buffered_ = Clock::now();
      wake_.notify_one();
    } else if (BatchFullLocked()) {
      wake_.notify_one();
    }
  }

  // While paused (the environment, and so the destination, is frozen) no delivery starts; one
  // that a pause cut short is sent again after Resume() rather than counted as dropped.
  void Pause() {
    std::lock_guard lock(mutex_);
    paused_ = true;
    ++pauses_;
  }
  void Resume() {
    std::lock_guard lock(mutex_);
    paused_ = false;
    wake_.notify_one();
  }

  // Delivers what is buffered until `deadline`, then ends the thread.
  void RequestStop(Clock::time_point deadline) {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_deadline_ = deadline;
    wake_.notify_one();
  }

  // True once the sender thread has finished (by `deadline` at the latest).
  bool WaitFinished(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return finished_changed_.wait_until(lock, deadline, [this] { return finished_; });
  }

  // Ends the sender at once, cutting off a delivery in progress.
  void Abort() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      aborted_ = true;
      wake_.notify_one();
    }
    client_.Abort();
  }

  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  TelemetrySubscriberStats Stats() const {
    std::lock_guard lock(mutex_);
    TelemetrySubscriberStats stats = stats_;
    stats.buffered_records = buffer_.size();
    stats.buffered_bytes = buffered_bytes_;
    return stats;
  }

 private:
  bool BatchFullLocked() const {
    return buffer_.size() >= subscription_.max_items || buffered_bytes_ >= subscription_.max_bytes;
  }

  void CountDroppedLocked(uint64_t records, uint64_t bytes, std::string_view reason) {
    pending_dropped_records_ += records;
    pending_dropped_bytes_ += bytes;
    pending_dropped_reason_ = reason;
    stats_.dropped_records += records;
  }

  // Waits until a batch is due: full, its timeout since the first buffered event passed, or a
  // stop. Returns false when the thread should end.
  bool WaitForBatchLocked(std::unique_lock<std::mutex>& lock) {
    const milliseconds timeout(subscription_.timeout_ms);
    for (;;) {
      if (aborted_) return false;
      if (stopping_) return (!buffer_.empty() || retry_) && Clock::now() < stop_deadline_;
      if (paused_) {
        wake_.wait(lock);
        continue;
      }
      if (retry_ || BatchFullLocked()) return true;
      if (!first_buffered_) {
        wake_.wait(lock);
      } else if (Clock::now() >= *first_buffered_ + timeout) {
        return true;
      } else {
        wake_.wait_until(lock, *first_buffered_ + timeout);
      }
    }
  }

  // Moves up to one batch (maxItems events, maxBytes bytes, at least one event) out of the
  // buffer, preceded by a platform.logsDropped event when records were dropped since the last
  // batch. Returns the JSON array and counts its events into *events, its dropped-counted
  // records (those of the buffer) into *records and *bytes.
  std::string TakeBatchLocked(uint64_t* events, uint64_t* records, uint64_t* bytes) {
    std::string body = "[";
    *events = 0;
    if (pending_dropped_records_ > 0) {
      body += LogsDroppedEvent(std::chrono::system_clock::now(), pending_dropped_reason_,
                               pending_dropped_records_, pending_dropped_bytes_);
      pending_dropped_records_ = 0;
      pending_dropped_bytes_ = 0;
      ++*events;
    }
    *records = 0;
    *bytes = 0;
    while (!buffer_.empty() && *records < subscription_.max_items &&
           (*records == 0 || *bytes + buffer_.front().size() <= subscription_.max_bytes)) {
      if (*events > 0) body += ',';
      body += buffer_.front();
      *bytes += buffer_.front().size();
      buffered_bytes_ -= buffer_.front().size();
      buffer_.pop_front();
      ++*records;
      ++*events;
    }
    body += ']';
    // What is left waits a full timeout again, as a new batch does.
    first_buffered_ = buffer_.empty() ? std::nullopt : std::optional(Clock::now());
    return body;
  }

  void Run() {
    std::unique_lock lock(mutex_);
    while (WaitForBatchLocked(lock)) {
      uint64_t events, records, bytes;
      std::string body;
      if (retry_) {
        body = std::move(retry_->body);
        events = retry_->events;
        records = retry_->records;
        bytes = retry_->bytes;
        retry_.reset();
      } else {
        body = TakeBatchLocked(&events, &records, &bytes);
      }
      const uint64_t pauses_before = pauses_;
      milliseconds connect_timeout = options_.connect_timeout;
      milliseconds io_timeout = options_.io_timeout;
      if (stopping_) {
        // A flush at stop must end by its deadline, whatever the configured timeouts.
        const auto left = std::max(
            milliseconds(1), std::chrono::duration_cast<milliseconds>(stop_deadline_ - Clock::now()));
        connect_timeout = std::min(connect_timeout, left);
        io_timeout = std::min(io_timeout, left);
      }
      lock.unlock();
      const Status sent = client_.Post(body, connect_timeout, io_timeout);
      lock.lock();
      if (sent.ok()) {
        ++stats_.delivered_batches;
        stats_.delivered_records += events;
        continue;
      }
      if (!stopping_ && (paused_ || pauses_ != pauses_before)) {
        retry_ = Batch{body, events, records, bytes};  // the destination was frozen, not gone
        continue;
      }
      ++stats_.failed_batches;
      CountDroppedLocked(records, bytes, kUndeliveredReason);
      if (aborted_ || failure_reported_ || !notice_) continue;
      failure_reported_ = true;
      lock.unlock();
      notice_("zerostart: telemetry destination " + subscription_.uri + " of extension '" +
              name_ + "' " + std::string(ReasonFor(sent.code())) + " (" + sent.message() +
              "); its events are dropped until it answers");
      lock.lock();
    }
    finished_ = true;
    finished_changed_.notify_all();
  }

  const std::string name_;
  const TelemetrySubscription subscription_;
  const Options options_;
  const Notice& notice_;  // the hub's, which outlives every subscriber
  const uint64_t max_buffered_records_;
  const uint64_t max_buffered_bytes_;
  TelemetryClient client_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;              // the sender: events, stop, abort
  std::condition_variable finished_changed_;  // WaitFinished
  std::deque<std::string> buffer_;
  uint64_t buffered_bytes_ = 0;
  std::optional<Clock::time_point> first_buffered_;  // set while buffer_ is not empty
  uint64_t pending_dropped_records_ = 0;  // since the last batch taken
  uint64_t pending_dropped_bytes_ = 0;
  std::string_view pending_dropped_reason_;
  TelemetrySubscriberStats stats_;
  bool stopping_ = false;
  bool aborted_ = false;
  bool finished_ = false;
  bool failure_reported_ = false;
  bool paused_ = false;
  uint64_t pauses_ = 0;
  struct Batch {
    std::string body;
    uint64_t events = 0;
    uint64_t records = 0;
    uint64_t bytes = 0;
  };
  std::optional<Batch> retry_;  // a batch a pause cut short
  Clock::time_point stop_deadline_;

  std::thread thread_;  // last: starts once every member above exists
};

TelemetryHub::TelemetryHub(Notice notice) : TelemetryHub(std::move(notice), Options{}) {}

TelemetryHub::TelemetryHub(Notice notice, Options options)
    : notice_(std::move(notice)), options_(options) {}

TelemetryHub::~TelemetryHub() { FlushAndStop(Clock::now()); }

TelemetrySubscribeAnswer TelemetryHub::Subscribe(std::string_view extension_name,
                                                 std::string_view body) {
  Result<TelemetrySubscription> parsed = ParseTelemetrySubscription(body);
  if (!parsed.ok()) return ErrorAnswer(400, "ValidationError", parsed.status().message());
  std::vector<std::string> types = parsed->types;
  std::unique_ptr<Subscriber> replaced;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      return ErrorAnswer(403, "Telemetry.SubscriptionClosed", "Telemetry API subscription is closed");
    }
    auto subscriber = std::make_unique<Subscriber>(std::string(extension_name),
                                                   std::move(parsed).value(), options_, notice_);
    Subscriber* added = subscriber.get();
    if (paused_) added->Pause();
    auto same = std::find_if(subscribers_.begin(), subscribers_.end(),
                             [&](const auto& s) { return s->name() == extension_name; });
    if (same != subscribers_.end()) {
      replaced = std::exchange(*same, std::move(subscriber));
    } else {
      subscribers_.push_back(std::move(subscriber));
    }
    for (const auto& [category, event] : backlog_) {
      if (Wants(added->subscription(), category)) added->Enqueue(event);
    }
    UpdateCategoriesLocked();
  }
  // Outside the lock: its sender may be inside a delivery, which Abort cuts short.
  replaced.reset();
  Publish(TelemetryCategory::kPlatform,
          TelemetrySubscriptionEvent(std::chrono::system_clock::now(), extension_name,
                                     "Subscribed", types));
  return {200, "\"OK\"", ""};
}

void TelemetryHub::Publish(TelemetryCategory category, std::string_view event_json) {
  if (!HasSubscribers(category)) return;
  std::lock_guard lock(mutex_);
  if (keep_backlog_ && backlog_.size() < kMaxBacklog) backlog_.emplace_back(category, event_json);
  for (const auto& subscriber : subscribers_) {
    if (Wants(subscriber->subscription(), category)) subscriber->Enqueue(event_json);
  }
}

void TelemetryHub::FlushAndStop(Clock::time_point deadline) {
  std::vector<std::unique_ptr<Subscriber>> stopping;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    keep_backlog_ = false;
    backlog_.clear();
    stopping = std::move(subscribers_);
    subscribers_.clear();
    UpdateCategoriesLocked();
  }
  for (const auto& subscriber : stopping) subscriber->RequestStop(deadline);
  for (const auto& subscriber : stopping) {
    if (!subscriber->WaitFinished(deadline)) subscriber->Abort();
  }
  for (const auto& subscriber : stopping) subscriber->Join();
}

std::optional<TelemetrySubscriberStats> TelemetryHub::StatsOf(std::string_view extension_name) const {
  std::lock_guard lock(mutex_);
  for (const auto& subscriber : subscribers_) {
    if (subscriber->name() == extension_name) return subscriber->Stats();
  }
  return std::nullopt;
}

void TelemetryHub::Pause() {
  std::lock_guard lock(mutex_);
  paused_ = true;
  for (const auto& subscriber : subscribers_) subscriber->Pause();
}

void TelemetryHub::Resume() {
  std::lock_guard lock(mutex_);
  paused_ = false;
  for (const auto& subscriber : subscribers_) subscriber->Resume();
}

void TelemetryHub::KeepBacklog() {
  std::lock_guard lock(mutex_);
  keep_backlog_ = !closed_;
  UpdateCategoriesLocked();
}

void TelemetryHub::DropBacklog() {
  std::lock_guard lock(mutex_);
  keep_backlog_ = false;
  backlog_.clear();
  backlog_.shrink_to_fit();
  UpdateCategoriesLocked();
}

void TelemetryHub::UpdateCategoriesLocked() {
  uint8_t categories = 0;
  if (keep_backlog_) categories = 0xff;
  for (const auto& subscriber : subscribers_) {
    categories = static_cast<uint8_t>(categories | subscriber->subscription().categories);
  }
  categories_.store(categories, std::memory_order_relaxed);
}

}  // namespace zerostart::emulator
