// AsyncEventQueue: Lambda's asynchronous invocation (X-Amz-Invocation-Type: Event) played
// locally. The invoke server answers 202 and hands the event over; the queue runs it on the
// function until it succeeds, with Lambda's retry policy, and appends a record of each event
// that finally fails to an on-failure destination file.
//
// Lambda's rules, as documented in "Error handling and automatic retries"
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html) and
// FunctionEventInvokeConfig
// (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionEventInvokeConfig.html):
// - A function error (200 with X-Amz-Function-Error) is retried up to MaximumRetryAttempts
//   (0..2) times: about one minute before the first retry, two before the second.
// - A throttle (429) or a system error (5xx) sends the event back to the queue; it is tried
//   again after a back-off that starts at 1 s and doubles up to 5 minutes, for as long as the
//   event is younger than MaximumEventAgeInSeconds. These do not use up retries.
// - Any other answer ends the event (no record).
// Here the delays are scaled by one factor (AsyncEventOptions::retry_delay_seconds / 60), so
// that a run or a test can shrink them all alike.
//
// Ages and delays run on the steady clock from Submit; the record's timestamp is wall time.
//
// The on-failure record ("Retaining records of asynchronous invocations",
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html) is one
// compact JSON object per line:
//   {"version":"1.0","timestamp":"2026-03-02T10:15:30.123Z",
//    "requestContext":{"requestId":ID,"functionArn":ARN:$LATEST,
//                      "condition":"RetriesExhausted"|"EventAgeExceeded",
//                      "approximateInvokeCount":N},
//    "requestPayload":EVENT,
//    "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
//    "responsePayload":ERROR}
// approximateInvokeCount counts every attempt, throttled ones included. responseContext and
// responsePayload describe the event's last answer: after a function error, as above; after a
// throttle or a system error (only possible with EventAgeExceeded), {"statusCode":429} (or the
// 5xx status) alone, with no executedVersion (no version ran) and no functionError, and the
// service's error body as responsePayload. EVENT and ERROR are embedded as JSON values (as
// strings when they are not JSON); responsePayload is absent when the answer had no body.
//
// Thread safety: all public methods are safe to call concurrently, except from inside the
// AttemptFn (which must not call Stop or the destructor).
#ifndef ZEROSTART_SRC_EMULATOR_ASYNC_EVENTS_H_
#define ZEROSTART_SRC_EMULATOR_ASYNC_EVENTS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/emulator/invocation.h"
#include "src/emulator/log_sink.h"

namespace zerostart::emulator {

struct AsyncEventOptions {
  // MaximumRetryAttempts: retries after function errors. Lambda allows 0..2; values outside
  // are clamped to that range.
  int max_retry_attempts = 2;
  // MaximumEventAgeInSeconds (Lambda: 60..21600, default 6 h), counted from Submit. Kept in
  // milliseconds so that short runs can use short ages; std::chrono::seconds converts
  // implicitly. An event whose next attempt would start later than this ends EventAgeExceeded.
  std::chrono::milliseconds max_event_age = std::chrono::hours(6);
  // Delay before the first retry after a function error (Lambda: about 60 s); the second retry
  // waits twice as long. The throttle/system-error back-off (1 s doubling up to 300 s) is
  // scaled by retry_delay_seconds / 60 too. Negative counts as 0 (retry at once).
  double retry_delay_seconds = 60;
  // The on-failure destination: a file that gets one record per finally failed event,
  // appended with one write(2) (O_APPEND), so concurrent records never interleave. Created
  // (0644) when missing. "" = no destination.
  std::string on_failure_path;
  // The function's unqualified ARN; records name it with ":$LATEST" appended.
  std::string function_arn;
  // At most this many attempts run at once, one thread each (at least 1). Due events wait for
  // a free slot. Attempts beyond the pool's own concurrency are answered 429 by the pool and
  // back off, as on Lambda; this bound only keeps a burst from starting a thread per event.
  int max_concurrent_attempts = 64;
};

// Counters, for tests and benchmarks. accepted == succeeded + failed + dropped + pending().
struct AsyncEventStats {
  uint64_t accepted = 0;   // events given to Submit
  uint64_t attempts = 0;   // attempts started (AttemptFn calls)
  uint64_t succeeded = 0;  // events ended by an answer that is not retried (a success)
  uint64_t failed = 0;     // events that finally failed (a record was written, or tried)
  uint64_t dropped = 0;    // events discarded by Stop, or submitted after it
  uint64_t queued = 0;     // events waiting for their next attempt
  uint64_t running = 0;    // events in an attempt (or writing its record)
  uint64_t pending() const { return queued + running; }
};

// One attempt: runs `invocation` on the function and returns its answer (blocking up to the
// function's timeout). Must not throw. http_status 429 = throttled, >= 500 = system error,
// 200 with function_error = function error; anything else (a success, or a 4xx other than
// 429) ends the event without a record.
using AttemptFn = std::function<InvokeResult(std::shared_ptr<Invocation>)>;

class AsyncEventQueue {
 public:
  // Starts the scheduler thread. `attempt` is called from attempt threads, up to
  // options.max_concurrent_attempts at once. `sink` (may be null; must outlive the queue) gets
  // one-line notes on stderr: a record that cannot be written, events dropped by Stop or
  // submitted after it. The function's log is the pool's business: nothing goes to stdout.
  AsyncEventQueue(AsyncEventOptions options, AttemptFn attempt, LogSink* sink);
  // Stop().
  ~AsyncEventQueue();

  AsyncEventQueue(const AsyncEventQueue&) = delete;
  AsyncEventQueue& operator=(const AsyncEventQueue&) = delete;

  // Takes the event (the caller has already answered 202); its first attempt is due at once.
  // Only invocation->request_id and ->request are used: every attempt gets a fresh Invocation
  // with the same request id and request (Lambda's retries keep the request id), with
  // async = true and no stream, log tail or reply. Returns false, and counts the event as
  // dropped (with a note on stderr), once Stop has begun. `invocation` must not be null; it
  // is not kept.
  bool Submit(const std::shared_ptr<Invocation>& invocation);

  // Drops the queued events (those not in an attempt) and waits for the running attempts to
  // return (the pool's own shutdown answers them); an event whose attempt ends during Stop is
  // finished as usual if that was its last attempt (success or record), else dropped. Writes
  // "zerostart: dropped N asynchronous event(s) not yet delivered" on stderr when N > 0.
  // Idempotent; a second caller waits until the first one's Stop is complete.
  void Stop();

  AsyncEventStats stats() const;

  // Blocks until `condition(stats())` holds (checked at each change) or `timeout` passes.
  // Returns whether it holds. `condition` runs under the queue's lock: it must not call the
  // queue.
  bool WaitFor(const std::function<bool(const AsyncEventStats&)>& condition,
               std::chrono::milliseconds timeout) const;
  // WaitFor(no event pending): every event submitted so far succeeded, failed (its record
  // written) or was dropped.
  bool WaitIdle(std::chrono::milliseconds timeout) const;

 private:
  using Clock = std::chrono::steady_clock;

  // What ends an attempt, as Settle decides it.
  enum class Outcome { kRequeued, kSucceeded, kFailed, kDropped };

  struct Event {
    std::string request_id;
    InvokeRequest request;
    Clock::time_point submitted;
    int attempts = 0;         // attempts started
    int function_errors = 0;  // attempts answered with a function error
    int backoffs = 0;         // attempts throttled or answered with a system error
    InvokeResult last;        // the last attempt's answer
  };
  struct Attempt {
    std::unique_ptr<Event> event;  // null once Settle re-queued it
    std::thread thread;
  };

  void SchedulerLoop();
  // Moves the first queued event into a new attempt thread (under mutex_).
  void StartAttempt();
  void RunAttempt(uint64_t attempt_id, Event* event);
  // What follows `answer` for the event of attempt `attempt_id` (under mutex_). kRequeued: the
  // event is back in queue_ and belongs to the scheduler again. kFailed: `condition` names the
  // record to write.
  Outcome Settle(uint64_t attempt_id, const InvokeResult& answer, std::string& condition);
  // How long the n-th (0-based) throttle or system error makes the event wait.
  Clock::duration Backoff(int n) const;
  void WriteRecord(const Event& event, const std::string& condition);
  // Joins the threads of finished attempts, without mutex_ while joining.
  void JoinFinished(std::unique_lock<std::mutex>& lock);
  void Note(const std::string& line);

  const AsyncEventOptions options_;
  const AttemptFn attempt_;
  LogSink* const sink_;

  mutable std::mutex mutex_;
  std::condition_variable wake_scheduler_;
  mutable std::condition_variable changed_;  // stats_ changed, or Stop completed
  // Due time -> event; equal due times keep submission order (multimap inserts last).
  std::multimap<Clock::time_point, std::unique_ptr<Event>> queue_;
  std::map<uint64_t, Attempt> attempts_;  // running attempts, by id
  std::vector<uint64_t> finished_;        // attempts whose thread is returning, to be joined
  uint64_t next_attempt_id_ = 0;
  AsyncEventStats stats_;
  bool stopping_ = false;
  bool stopped_ = false;
  uint64_t dropped_while_stopping_ = 0;
  std::thread scheduler_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_ASYNC_EVENTS_H_
