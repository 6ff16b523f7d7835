#include "src/emulator/stream_relay.h"

#include <thread>

#include "src/emulator/errors.h"

namespace zerostart::emulator {
namespace {

using Clock = std::chrono::steady_clock;

// Holds the relay to `bytes_per_second` once `unthrottled_bytes` have passed.
class Pacer {
 public:
  explicit Pacer(const StreamLimits& limits) : limits_(limits) {}

  // Called after `total` bytes have been relayed: sleeps until the cap allows that many.
  void Pace(uint64_t total) {
    if (limits_.bytes_per_second == 0 || total <= limits_.unthrottled_bytes) return;
    if (!throttling_) {
      throttling_ = true;
      throttle_start_ = Clock::now();
    }
    double seconds = static_cast<double>(total - limits_.unthrottled_bytes) /
                     static_cast<double>(limits_.bytes_per_second);
    Clock::time_point due =
        throttle_start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::this_thread::sleep_until(due);
  }

 private:
  const StreamLimits& limits_;
  bool throttling_ = false;
  Clock::time_point throttle_start_{};
};

}  // namespace

RelayResult RelayStream(http::Connection& connection, Invocation& invocation,
                        std::string content_type, const StreamLimits& limits) {
  RelayResult result;
  connection.SetRequestBodyLimit(limits.max_bytes + 1);
  StreamSink* sink = invocation.stream.get();
  if (sink) sink->Begin(content_type);
  bool caller_listening = sink != nullptr;
  bool buffered_too_large = false;
  Pacer pacer(limits);
  std::string piece;
  for (;;) {
    piece.clear();
    Result<bool> done = connection.ReadRequestBody(&piece);
    if (!done.ok() && done.status().code() == StatusCode::kResourceExhausted) {
      // A chunk that would take the body past the limit (the connection's body limit is set
      // just above it).
      result.ending = RelayResult::Ending::kTooLarge;
      result.end.error_json = StreamTooLargeJson();
      return result;
    }
    if (!done.ok()) {
      result.ending = RelayResult::Ending::kBroken;
      result.error = done.status();
      return result;
    }
    if (!piece.empty()) {
      result.bytes += piece.size();
      if (result.bytes > limits.max_bytes) {
        result.ending = RelayResult::Ending::kTooLarge;
        result.end.error_json = StreamTooLargeJson();
        return result;
      }
      if (sink) {
        if (caller_listening) caller_listening = sink->Chunk(piece);
      } else if (!buffered_too_large) {
        if (result.end.body.size() + piece.size() > limits.max_buffered_bytes) {
          buffered_too_large = true;
          std::string().swap(result.end.body);
        } else {
          result.end.body.append(piece);
        }
      }
      // After relaying: the bytes read are on their way, the next read waits for the cap.
      pacer.Pace(result.bytes);
    }
    if (*done) break;
  }
  http::Request request = connection.TakeRequest();
  result.end.error_json =
      StreamErrorJson(request.trailers.Get(lambda::kFunctionErrorTypeHeader).value_or(""),
                      request.trailers.Get(lambda::kFunctionErrorBodyTrailer).value_or(""));
  if (result.end.error_json.empty() && buffered_too_large) result.end.error_json = ResponseTooLargeJson();
  result.end.content_type = std::move(content_type);
  return result;
}

}  // namespace zerostart::emulator
