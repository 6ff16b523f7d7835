// streamer: a streaming function for the emulator's and the runtime's tests (test-only), served
// with zerostart::RunStreaming. The event is a JSON object (an empty event is {}):
//   "stdout"        a line to print to stdout first (nothing is printed otherwise)
//   "before"        "throw": throw std::runtime_error before any byte; "fail": Fail with
//                   StreamerError before any byte (both end as the invoke's error)
//   "content_type"  the response's content type (default application/octet-stream)
//   "prelude"       {"statusCode":..,"headers":{..},"cookies":[..]}: start an HTTP response
//                   for a Function URL with StartHttpResponse (header values that are not
//                   strings are sent as their JSON text)
//   "chunks"        how many chunks to write (default 0), "interval_ms" apart (default 0)
//   "text"          the content of every chunk; without it chunk i (0-based) is "chunk_bytes"
//                   copies of the letter 'a' + i % 26
//   "after"         what to do once the chunks are written: "ok" (default: return, which
//                   finishes the response), "throw" (std::runtime_error), "fail" (Fail with
//                   StreamerError), "crash" (SIGSEGV), "exit" (exit(3)), "sleep_ms:<n>" (sleep,
//                   then return), "wait_file:<path>" (return once the file exists, checked
//                   every millisecond: tests hold the response open until they say so),
//                   "crash_after_file:<path>" (SIGSEGV once the file exists)
// Behind a Function URL (a payload format 2.0 event) the request's body is read as the event.
// An event that is not a JSON object, or names an unknown "before"/"after", fails with
// InvalidEvent before any byte. A write that fails (the caller is gone) stops the writing.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "zerostart/stream.h"

namespace {

using zerostart::FunctionError;
using zerostart::ResponseStream;

constexpr std::string_view kSleepPrefix = "sleep_ms:";
constexpr std::string_view kWaitFilePrefix = "wait_file:";
constexpr std::string_view kCrashAfterFilePrefix = "crash_after_file:";

void SleepMs(long long ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool KnownAfter(std::string_view after) {
  return after == "ok" || after == "throw" || after == "fail" || after == "crash" ||
         after == "exit" || StartsWith(after, kSleepPrefix) || StartsWith(after, kWaitFilePrefix) ||
         StartsWith(after, kCrashAfterFilePrefix);
}

FunctionError InvalidEvent(std::string message) {
  return FunctionError{"InvalidEvent", "streamer: " + std::move(message), {}};
}

// A JSON value as text: strings as they are, anything else as its JSON.
std::string Text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

zerostart::HttpResponseHead PreludeFrom(const nlohmann::json& prelude) {
  zerostart::HttpResponseHead head;
  head.status_code = prelude.value("statusCode", 200);
  if (prelude.contains("headers") && prelude["headers"].is_object()) {
    for (const auto& [name, value] : prelude["headers"].items()) {
      head.headers.emplace_back(name, Text(value));
    }
  }
  if (prelude.contains("cookies") && prelude["cookies"].is_array()) {
    for (const nlohmann::json& cookie : prelude["cookies"]) {
      head.cookies.push_back(Text(cookie));
    }
  }
  return head;
}

void Stream(const zerostart::Invocation& invocation, ResponseStream& out) {
  nlohmann::json event =
      invocation.payload.empty()
          ? nlohmann::json::object()
          : nlohmann::json::parse(invocation.payload, nullptr, /*allow_exceptions=*/false);
  // Behind a Function URL the event is a payload format 2.0 request: its body is the event.
  if (event.is_object() && event.value("version", "") == "2.0" && event.contains("requestContext")) {
    std::string body = event.value("body", "");
    event = body.empty() ? nlohmann::json::object()
                         : nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  }
  if (!event.is_object()) return out.Fail(InvalidEvent("the event must be a JSON object"));
  const std::string before = event.value("before", "");
  const std::string after = event.value("after", "ok");
  if (!before.empty() && before != "throw" && before != "fail") {
    return out.Fail(InvalidEvent("unknown \"before\": " + before));
  }
  if (!KnownAfter(after)) return out.Fail(InvalidEvent("unknown \"after\": " + after));

  if (event.contains("stdout")) {
    std::printf("%s\n", Text(event["stdout"]).c_str());
    std::fflush(stdout);
  }
  if (before == "throw") throw std::runtime_error("streamer: thrown before any byte");
  if (before == "fail") {
    return out.Fail(FunctionError{"StreamerError", "streamer: failed before any byte", {}});
  }
  if (event.contains("content_type")) {
    zerostart::Status set = out.SetContentType(Text(event["content_type"]));
    if (!set.ok()) return out.Fail(InvalidEvent(set.message()));
  }
  if (event.contains("prelude") && event["prelude"].is_object()) {
    zerostart::Status started = zerostart::StartHttpResponse(out, PreludeFrom(event["prelude"]));
    if (started.code() == zerostart::StatusCode::kInvalidArgument) {
      return out.Fail(InvalidEvent(started.message()));
    }
    if (!started.ok()) return;  // the caller is gone
  }

  const long long chunks = event.value("chunks", 0LL);
  const long long chunk_bytes = event.value("chunk_bytes", 0LL);
  const long long interval_ms = event.value("interval_ms", 0LL);
  const bool has_text = event.contains("text") && event["text"].is_string();
  std::string chunk = has_text ? event["text"].get<std::string>() : std::string();
  long long written = 0;
  for (long long i = 0; i < chunks; ++i) {
    if (i > 0 && interval_ms > 0) SleepMs(interval_ms);
    if (!has_text) {
      chunk.assign(static_cast<size_t>(chunk_bytes < 0 ? 0 : chunk_bytes),
                   static_cast<char>('a' + i % 26));
    }
    if (!out.Write(chunk).ok()) return;
    ++written;
  }

  const std::string done = std::to_string(written) + " chunks";
  if (after == "throw") throw std::runtime_error("streamer: thrown after " + done);
  if (after == "fail") {
    return out.Fail(FunctionError{"StreamerError", "streamer: failed after " + done, {}});
  }
  if (StartsWith(after, kCrashAfterFilePrefix)) {
    const std::string path = after.substr(kCrashAfterFilePrefix.size());
    while (::access(path.c_str(), F_OK) != 0) SleepMs(1);
  }
  if (after == "crash" || StartsWith(after, kCrashAfterFilePrefix)) {
    // Default disposition first: sanitizer builds install a SIGSEGV handler that would turn
    // the crash into "exit 1"; the process must die by the signal in every build.
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
  }
  if (after == "exit") std::exit(3);
  if (StartsWith(after, kSleepPrefix)) SleepMs(std::atoll(after.c_str() + kSleepPrefix.size()));
  if (StartsWith(after, kWaitFilePrefix)) {
    const std::string path = after.substr(kWaitFilePrefix.size());
    while (::access(path.c_str(), F_OK) != 0) SleepMs(1);
  }
}

}  // namespace

int main() { return zerostart::RunStreaming(Stream); }
