// libFuzzer target for the Telemetry API subscription parser, whose input is an extension's
// PUT body. Besides "never crashes", it checks that whatever is accepted is within the bounds
// the header promises: a known schema version, at least one category, buffering in range, a
// port, and an origin-form path.
// Run: zs_telemetry_subscription_fuzz tests/testdata/telemetry_subscription_corpus
#include <cstdint>
#include <string_view>

#include "src/emulator/telemetry_subscription.h"

namespace zerostart::emulator {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace
}  // namespace zerostart::emulator

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zerostart::emulator;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  zerostart::Result<TelemetrySubscription> parsed = ParseTelemetrySubscription(body);
  if (!parsed.ok()) {
    Check(parsed.status().code() == zerostart::StatusCode::kInvalidArgument);
    Check(!parsed.status().message().empty());
    return 0;
  }
  const TelemetrySubscription& s = *parsed;
  Check(s.schema_version == "2022-07-01" || s.schema_version == "2022-12-13" ||
        s.schema_version == "2025-01-29");
  Check(!s.types.empty() && s.categories != 0 && s.categories <= 7);
  Check(s.max_items >= kTelemetryMinItems && s.max_items <= kTelemetryMaxItems);
  Check(s.max_bytes >= kTelemetryMinBytes && s.max_bytes <= kTelemetryMaxBytes);
  Check(s.timeout_ms >= kTelemetryMinTimeoutMs && s.timeout_ms <= kTelemetryMaxTimeoutMs);
  Check(s.port != 0);
  Check(!s.path.empty() && s.path.front() == '/');
  for (char c : s.path) Check(static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '#');
  return 0;
}
