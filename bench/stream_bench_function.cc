// zs_stream_bench_function: the streaming function bench/stream_bench.cc measures, written
// against the public streaming API (zerostart/stream.h) as any user's function is.
//
// Its parameters are one query string ("mode=ttfb&work_ms=20&work=busy"), taken from the
// InvokeWithResponseStream payload {"bench":"<query>"} or, through a Function URL, from the
// event's rawQueryString (then the response is an HTTP one: StartHttpResponse first). Both are
// ASCII without escapes, so a search for the key is enough: no JSON parser in the function.
//
//   mode=ttfb   work_ms=W work=busy|sleep
//       Writes one 64-byte chunk "t0=<ns> t1=<ns>\n" (padded with spaces), then works W ms
//       (busy: spins on the clock, a CPU kept busy as a real workload would; sleep: sleeps).
//       t1 is CLOCK_MONOTONIC just before that Write; t0 just before StartHttpResponse (the
//       first byte of a Function URL response; equal to t1 on the other path). CLOCK_MONOTONIC
//       is one clock for every process of the machine, so the caller subtracts it from its own.
//   mode=bulk   bytes=N chunk_bytes=S
//       Writes N bytes in Writes of S bytes (the last one shorter) as fast as it can, from one
//       buffer filled once with the byte pattern i % 251.
//
// Anything else is a function error (invalid parameters), before the first byte.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include "zerostart/stream.h"

namespace {

// The chunk of mode=ttfb: fixed size so that a reader of an HTTP body knows where it ends.
constexpr size_t kStampBytes = 64;

int64_t MonotonicNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// The string value of "key":"..." in `json` (no escapes inside), or empty.
std::string_view JsonString(std::string_view json, std::string_view key) {
  std::string pattern = "\"";
  pattern.append(key).append("\":\"");
  size_t start = json.find(pattern);
  if (start == std::string_view::npos) return {};
  start += pattern.size();
  size_t end = json.find('"', start);
  return end == std::string_view::npos ? std::string_view() : json.substr(start, end - start);
}

// The value of `key` in the query string `query`, or empty.
std::string_view Param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.size() > key.size() && pair.substr(0, key.size()) == key && pair[key.size()] == '=') {
      return pair.substr(key.size() + 1);
    }
  }
  return {};
}

uint64_t NumberParam(std::string_view query, std::string_view key, uint64_t fallback) {
  std::string text(Param(query, key));
  if (text.empty()) return fallback;
  return std::strtoull(text.c_str(), nullptr, 10);
}

void Work(std::string_view kind, uint64_t ms) {
  if (kind == "sleep") {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return;
  }
  const int64_t until = MonotonicNs() + static_cast<int64_t>(ms) * 1'000'000;
  while (MonotonicNs() < until) {
  }
}

void Handle(const zerostart::Invocation& invocation, zerostart::ResponseStream& out) {
  std::string_view query = JsonString(invocation.payload, "rawQueryString");
  const bool url = !query.empty();
  if (!url) query = JsonString(invocation.payload, "bench");
  const std::string_view mode = Param(query, "mode");
  if (mode != "ttfb" && mode != "bulk") {
    out.Fail({"InvalidParameters", "expected mode=ttfb or mode=bulk, got '" + std::string(query) + "'", {}});
    return;
  }

  const int64_t t0 = MonotonicNs();
  if (url) {
    zerostart::HttpResponseHead head;
    head.headers.emplace_back("content-type", "application/octet-stream");
    if (!zerostart::StartHttpResponse(out, head).ok()) return;
  }

  if (mode == "ttfb") {
    char stamp[kStampBytes + 1];
    const int64_t t1 = MonotonicNs();
    std::snprintf(stamp, sizeof(stamp), "t0=%lld t1=%lld", static_cast<long long>(url ? t0 : t1),
                  static_cast<long long>(t1));
    std::string chunk(stamp);
    chunk.resize(kStampBytes - 1, ' ');
    chunk.push_back('\n');
    // The clock is read before the chunk is formatted; formatting costs well under 1 µs.
    if (!out.Write(chunk).ok()) return;
    Work(Param(query, "work"), NumberParam(query, "work_ms", 0));
    return;
  }

  const uint64_t total = NumberParam(query, "bytes", 0);
  const uint64_t chunk_bytes = std::max<uint64_t>(1, NumberParam(query, "chunk_bytes", 1 << 20));
  std::string buffer(static_cast<size_t>(std::min(total, chunk_bytes)), '\0');
  for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<char>(i % 251);
  for (uint64_t sent = 0; sent < total;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buffer.size(), total - sent));
    if (!out.Write(std::string_view(buffer.data(), n)).ok()) return;
    sent += n;
  }
}

}  // namespace

int main() { return zerostart::RunStreaming(Handle); }
