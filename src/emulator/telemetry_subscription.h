// The body of a Telemetry API subscription, PUT /2022-07-01/telemetry (AWS docs, "Lambda
// Telemetry API reference", telemetry-api-reference), checked the way Lambda checks it:
//
//   {"schemaVersion": "2022-07-01" | "2022-12-13" | "2025-01-29",
//    "types": [ "platform" | "function" | "extension", ... ]            (at least one),
//    "buffering": {"maxItems": 1000..10000    (default 10000),
//                  "maxBytes": 262144..1048576 (default 262144),
//                  "timeoutMs": 25..30000      (default 1000)}          (optional, each field too),
//    "destination": {"protocol": "HTTP", "URI": "http://sandbox.localdomain:PORT/path"}}
//
// Other members are ignored, as a JSON schema without additionalProperties ignores them.
// The emulator's destinations are on this machine, so the URI's host must name the sandbox
// ("sandbox.localdomain", "sandbox") or loopback ("localhost", "127.0.0.1"); all of them are
// reached at 127.0.0.1. The port defaults to 80, the path to "/".
// A "TCP" destination is valid for Lambda but refused here (not supported by zerostart).
// Thread safety: pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_TELEMETRY_SUBSCRIPTION_H_
#define ZEROSTART_SRC_EMULATOR_TELEMETRY_SUBSCRIPTION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::emulator {

// What a subscriber may receive; a bit set.
enum class TelemetryCategory : uint8_t {
  kPlatform = 1,
  kFunction = 2,
  kExtension = 4,
};

// Bounds of the "buffering" object (inclusive) and its defaults.
inline constexpr uint32_t kTelemetryMinItems = 1000;
inline constexpr uint32_t kTelemetryMaxItems = 10000;
inline constexpr uint32_t kTelemetryDefaultItems = 10000;
inline constexpr uint32_t kTelemetryMinBytes = 262144;
inline constexpr uint32_t kTelemetryMaxBytes = 1048576;
inline constexpr uint32_t kTelemetryDefaultBytes = 262144;
inline constexpr uint32_t kTelemetryMinTimeoutMs = 25;
inline constexpr uint32_t kTelemetryMaxTimeoutMs = 30000;
inline constexpr uint32_t kTelemetryDefaultTimeoutMs = 1000;
// A subscription body is a few hundred bytes; anything this large is refused unread.
inline constexpr size_t kTelemetryMaxSubscriptionBytes = 64 * 1024;

struct TelemetrySubscription {
  std::string schema_version;
  std::vector<std::string> types;  // as given (duplicates kept), e.g. {"platform", "function"}
  uint8_t categories = 0;          // TelemetryCategory bits of `types`
  uint32_t max_items = kTelemetryDefaultItems;
  uint32_t max_bytes = kTelemetryDefaultBytes;
  uint32_t timeout_ms = kTelemetryDefaultTimeoutMs;
  std::string uri;                 // destination.URI as given (for messages)
  uint16_t port = 80;              // where to connect, on 127.0.0.1
  std::string host_header;         // the URI's authority, e.g. "sandbox.localdomain:4243"
  std::string path = "/";          // origin-form request target: path and query
};

// Parses and validates a subscription body. InvalidArgument, with a message naming the field
// and what was expected, for: a body over kTelemetryMaxSubscriptionBytes, malformed JSON, a
// non-object, a missing or ill-typed field, a value outside its set or range, an empty `types`,
// a URI that is not http://<sandbox or loopback host>[:port][/path], or a TCP destination.
Result<TelemetrySubscription> ParseTelemetrySubscription(std::string_view body);

// The subscription's categories include `category`.
inline bool Wants(const TelemetrySubscription& subscription, TelemetryCategory category) {
  return (subscription.categories & static_cast<uint8_t>(category)) != 0;
}

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_TELEMETRY_SUBSCRIPTION_H_
