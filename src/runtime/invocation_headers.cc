#include "src/runtime/invocation_headers.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include "src/common/lambda_protocol.h"

namespace zerostart::runtime {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Copies a header into `field`, reusing its capacity; empty when absent.
void CopyHeader(const http::Headers& headers, std::string_view name, std::string* field) {
  std::optional<std::string_view> value = headers.Get(name);
  if (value.has_value()) {
    field->assign(value->data(), value->size());
  } else {
    field->clear();
  }
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseDeadlineMs(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  int64_t ms = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  // system_clock counts nanoseconds here; beyond ~292 years the conversion would overflow.
  constexpr int64_t kMaxMs = std::numeric_limits<int64_t>::max() / 1'000'000;
  if (ms > kMaxMs) return std::nullopt;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::milliseconds(ms)));
}

bool FillInvocation(http::Response* next_response, Invocation* invocation) {
  const http::Headers& headers = next_response->headers;
  CopyHeader(headers, lambda::kRequestIdHeader, &invocation->request_id);
  CopyHeader(headers, lambda::kFunctionArnHeader, &invocation->function_arn);
  CopyHeader(headers, lambda::kTraceIdHeader, &invocation->trace_id);
  CopyHeader(headers, lambda::kClientContextHeader, &invocation->client_context);
  CopyHeader(headers, lambda::kCognitoIdentityHeader, &invocation->cognito_identity);
  CopyHeader(headers, lambda::kTenantIdHeader, &invocation->tenant_id);
  CopyHeader(headers, lambda::kContentTypeHeader, &invocation->content_type);
  std::optional<std::string_view> deadline = headers.Get(lambda::kDeadlineMsHeader);
  std::optional<std::chrono::system_clock::time_point> parsed;
  if (deadline.has_value()) parsed = ParseDeadlineMs(*deadline);
  invocation->deadline = parsed.value_or(std::chrono::system_clock::time_point{});
  invocation->payload = std::move(next_response->body);
  return !invocation->request_id.empty();
}

}  // namespace zerostart::runtime
