#include "src/emulator/telemetry_subscription.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "src/http/message.h"

namespace zerostart::emulator {
namespace {

using nlohmann::json;

constexpr std::string_view kSchemaVersions[] = {"2022-07-01", "2022-12-13", "2025-01-29"};

Status Invalid(std::string message) { return InvalidArgumentError(std::move(message)); }

// A JSON schema "integer" is any number with no fractional part (1000 and 1000.0 alike).
Result<uint32_t> BoundedInteger(const json& object, const char* key, uint32_t low, uint32_t high,
                                uint32_t fallback) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  const std::string range =
      "buffering." + std::string(key) + " must be an integer from " + std::to_string(low) +
      " to " + std::to_string(high);
  if (it->is_number_unsigned()) {
    const uint64_t value = it->get<uint64_t>();
    if (value < low || value > high) return Invalid(range);
    return static_cast<uint32_t>(value);
  }
  if (it->is_number_integer()) return Invalid(range);  // negative
  if (!it->is_number_float()) return Invalid(range);
  const double value = it->get<double>();
  if (!(value >= low && value <= high) || std::floor(value) != value) return Invalid(range);
  return static_cast<uint32_t>(value);
}

Status ParseBuffering(const json& body, TelemetrySubscription* out) {
  auto it = body.find("buffering");
  if (it == body.end()) return OkStatus();
  if (!it->is_object()) return Invalid("buffering must be an object");
  ZS_ASSIGN_OR_RETURN(out->max_items, BoundedInteger(*it, "maxItems", kTelemetryMinItems,
                                                     kTelemetryMaxItems, kTelemetryDefaultItems));
  ZS_ASSIGN_OR_RETURN(out->max_bytes, BoundedInteger(*it, "maxBytes", kTelemetryMinBytes,
                                                     kTelemetryMaxBytes, kTelemetryDefaultBytes));
  ZS_ASSIGN_OR_RETURN(out->timeout_ms,
                      BoundedInteger(*it, "timeoutMs", kTelemetryMinTimeoutMs,
                                     kTelemetryMaxTimeoutMs, kTelemetryDefaultTimeoutMs));
  return OkStatus();
}

Status ParseTypes(const json& body, TelemetrySubscription* out) {
  auto it = body.find("types");
  if (it == body.end()) return Invalid("types is required");
  if (!it->is_array() || it->empty()) {
    return Invalid("types must be a non-empty array of \"platform\", \"function\", \"extension\"");
  }
  for (const json& item : *it) {
    const std::string* type = item.get_ptr<const std::string*>();
    TelemetryCategory category;
    if (type != nullptr && *type == "platform") {
      category = TelemetryCategory::kPlatform;
    } else if (type != nullptr && *type == "function") {
      category = TelemetryCategory::kFunction;
    } else if (type != nullptr && *type == "extension") {
      category = TelemetryCategory::kExtension;
    } else {
      return Invalid("types: " + item.dump(-1, ' ', false, json::error_handler_t::replace) +
                     " is not one of \"platform\", \"function\", \"extension\"");
    }
    out->categories = static_cast<uint8_t>(out->categories | static_cast<uint8_t>(category));
    out->types.push_back(*type);
  }
  return OkStatus();
}

bool IsLocalHost(std::string_view host) {
  for (std::string_view name : {"sandbox.localdomain", "sandbox", "localhost", "127.0.0.1"}) {
    if (http::EqualsIgnoreCase(host, name)) return true;
  }
  return false;
}

// http://<host>[:port][/path][?query][#fragment]; the fragment is not sent.
Status ParseUri(std::string_view uri, TelemetrySubscription* out) {
  const std::string bad = "destination.URI '" + std::string(uri) + "' ";
  constexpr std::string_view kScheme = "http://";
  if (uri.size() < kScheme.size() || !http::EqualsIgnoreCase(uri.substr(0, kScheme.size()), kScheme)) {
    return Invalid(bad + "must start with http://");
  }
  std::string_view rest = uri.substr(kScheme.size());
  for (char c : rest) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Invalid(bad + "contains a space or control character");
    }
  }
  const size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = rest.substr(authority_end);
  target = target.substr(0, std::min(target.find('#'), target.size()));
  if (authority.find('@') != std::string_view::npos) return Invalid(bad + "must not carry user info");
  std::string_view host = authority;
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    std::string_view port_text = authority.substr(colon + 1);
    unsigned port = 0;
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Invalid(bad + "has a bad port");
    }
    out->port = static_cast<uint16_t>(port);
  }
  if (!IsLocalHost(host)) {
    return Invalid(bad + "must name the sandbox (sandbox.localdomain) or loopback; zerostart "
                         "delivers telemetry only to this machine");
  }
  out->uri = std::string(uri);
  out->host_header = std::string(authority);
  out->path = target.empty() ? "/" : (target.front() == '?' ? "/" + std::string(target)
                                                             : std::string(target));
  return OkStatus();
}

Status ParseDestination(const json& body, TelemetrySubscription* out) {
  auto it = body.find("destination");
  if (it == body.end()) return Invalid("destination is required");
  if (!it->is_object()) return Invalid("destination must be an object");
  auto protocol = it->find("protocol");
  if (protocol == it->end() || !protocol->is_string()) {
    return Invalid("destination.protocol must be \"HTTP\" or \"TCP\"");
  }
  if (*protocol == "TCP") {
    return Invalid("destination.protocol \"TCP\" is not supported by zerostart; use \"HTTP\"");
  }
  if (*protocol != "HTTP") return Invalid("destination.protocol must be \"HTTP\" or \"TCP\"");
  auto uri = it->find("URI");
  if (uri == it->end() || !uri->is_string() || uri->get_ref<const std::string&>().empty()) {
    return Invalid("destination.URI is required with protocol \"HTTP\" (a non-empty string)");
  }
  return ParseUri(uri->get_ref<const std::string&>(), out);
}

}  // namespace

Result<TelemetrySubscription> ParseTelemetrySubscription(std::string_view body) {
  if (body.size() > kTelemetryMaxSubscriptionBytes) {
    return Invalid("subscription body over " + std::to_string(kTelemetryMaxSubscriptionBytes) +
                   " bytes");
  }
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Invalid("subscription body is not valid JSON");
  if (!parsed.is_object()) return Invalid("subscription body must be a JSON object");

  TelemetrySubscription out;
  auto version = parsed.find("schemaVersion");
  if (version == parsed.end()) return Invalid("schemaVersion is required");
  const std::string* version_text = version->get_ptr<const std::string*>();
  bool known = false;
  for (std::string_view v : kSchemaVersions) known |= version_text != nullptr && *version_text == v;
  if (!known) {
    return Invalid("schemaVersion must be one of \"2022-07-01\", \"2022-12-13\", \"2025-01-29\"");
  }
  out.schema_version = *version_text;
  ZS_RETURN_IF_ERROR(ParseTypes(parsed, &out));
  ZS_RETURN_IF_ERROR(ParseBuffering(parsed, &out));
  ZS_RETURN_IF_ERROR(ParseDestination(parsed, &out));
  return out;
}

}  // namespace zerostart::emulator
