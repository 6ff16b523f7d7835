// TelemetryHub: the Telemetry API of one execution environment (AWS docs, "Lambda Telemetry API
// reference", telemetry-api-reference). Extensions subscribe with PUT /2022-07-01/telemetry;
// the emulator publishes events (platform records, function and extension log lines, built by
// src/emulator/platform_records.h); each subscriber gets the categories it asked for, batched
// as its `buffering` says, POSTed as JSON arrays to its HTTP destination.
//
// Delivery never holds up the environment: Publish() only appends to a subscriber's bounded
// buffer, and each subscriber has its own sender thread, whose every network wait is bounded
// (Options). A subscriber's buffer holds at most `buffered_batches` batches (maxItems records,
// maxBytes bytes each); past that, new records are dropped and counted, and the next batch
// delivered to it starts with a platform.logsDropped event giving the counts. A batch the
// destination refuses or does not answer is dropped and counted the same way (no retry: the
// next batch is the retry of the connection). The first failed delivery of each subscriber is
// reported once on the hub's Notice.
//
// Thread safety: every method may be called from any thread. The Notice is called from sender
// threads, never with a lock of the hub held.
#ifndef ZEROSTART_SRC_EMULATOR_TELEMETRY_H_
#define ZEROSTART_SRC_EMULATOR_TELEMETRY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/emulator/telemetry_subscription.h"

namespace zerostart::emulator {

// What the HTTP layer sends back for PUT /2022-07-01/telemetry, as is: the status, the body
// (application/json) and, on an error, the errorType it names (also in the body). Lambda's:
//   200 "OK"                                                                  subscribed;
//   400 {"errorType":"ValidationError","errorMessage":"<what is wrong>"}      a bad body;
//   403 {"errorType":"Telemetry.SubscriptionClosed","errorMessage":...}       after FlushAndStop.
struct TelemetrySubscribeAnswer {
  int status = 200;
  std::string body;
  std::string error_type;  // empty on success
};

// A subscriber's counters (for tests and diagnostics).
struct TelemetrySubscriberStats {
  uint64_t buffered_records = 0;  // waiting to be sent now
  uint64_t buffered_bytes = 0;
  uint64_t dropped_records = 0;   // ever: buffer full, or in a batch that was not delivered
  uint64_t delivered_batches = 0;
  uint64_t delivered_records = 0;  // events in delivered batches, logsDropped ones included
  uint64_t failed_batches = 0;
};

class TelemetryHub {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds io_timeout{3000};  // each read or write of one delivery
    uint32_t buffered_batches = 4;               // a subscriber's buffer bound, in batches
  };
  // Receives one line of text (no newline) about a destination that failed, e.g.
  // "zerostart: telemetry destination http://sandbox.localdomain:4243/ of extension 'x'
  // refused the connection (...); its events are dropped until it answers".
  using Notice = std::function<void(std::string message)>;

  // `notice` may be empty (failures then go unreported).
  explicit TelemetryHub(Notice notice);
  TelemetryHub(Notice notice, Options options);
  // Stops as FlushAndStop(now) does: nothing more is delivered.
  ~TelemetryHub();
  TelemetryHub(const TelemetryHub&) = delete;
  TelemetryHub& operator=(const TelemetryHub&) = delete;

  // Subscribes extension `extension_name` with the PUT body `body` (telemetry_subscription.h
  // says what is valid). A new subscription of the same name replaces the old one, whose
  // buffered events are discarded. On success, publishes platform.telemetrySubscription
  // (state "Subscribed") to the platform subscribers, this one included.
  TelemetrySubscribeAnswer Subscribe(std::string_view extension_name, std::string_view body);

  // Hands one event (a serialized Telemetry API event, as platform_records.h builds them) to
  // every subscriber of `category`. Returns at once: copies the event into the buffers, never
  // waits for a network or a sender. Ignored after FlushAndStop.
  void Publish(TelemetryCategory category, std::string_view event_json);

  // True while someone subscribes (to anything / to `category`): lets a caller skip building
  // events nobody wants. One atomic load.
  bool HasSubscribers() const { return categories_.load(std::memory_order_relaxed) != 0; }
  bool HasSubscribers(TelemetryCategory category) const {
    return (categories_.load(std::memory_order_relaxed) & static_cast<uint8_t>(category)) != 0;
  }

  // Lambda delivers an init's events to the extensions that subscribe during that init
  // (AWS docs "Lambda Telemetry API"): from KeepBacklog() until DropBacklog(), every published
  // event (the first kMaxBacklog) is also kept, and a new subscriber gets the kept events of its
  // categories first. While kept, HasSubscribers() is true for every category.
  static constexpr size_t kMaxBacklog = 1000;
  // While the environment is frozen its destinations cannot answer: Pause() holds deliveries
  // back (a batch a pause cuts short is sent again, not dropped) until Resume().
  void Pause();
  void Resume();
  void KeepBacklog();
  void DropBacklog();

  // Delivers what the subscribers have buffered, best effort, until `deadline`; then cuts off
  // any delivery still going and joins every sender thread. Returns by `deadline` plus about
  // 50 ms. Afterwards Publish is ignored and Subscribe answers 403. Idempotent.
  void FlushAndStop(std::chrono::steady_clock::time_point deadline);

  // The counters of `extension_name`'s current subscription; nullopt if it has none.
  std::optional<TelemetrySubscriberStats> StatsOf(std::string_view extension_name) const;

 private:
  class Subscriber;

  void UpdateCategoriesLocked();

  const Notice notice_;
  const Options options_;
  std::atomic<uint8_t> categories_{0};  // union of the subscribers' TelemetryCategory bits
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;  // guarded by mutex_
  bool closed_ = false;                                   // guarded by mutex_
  bool keep_backlog_ = false;                             // guarded by mutex_
  bool paused_ = false;                                   // guarded by mutex_
  std::vector<std::pair<TelemetryCategory, std::string>> backlog_;  // guarded by mutex_
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_TELEMETRY_H_
