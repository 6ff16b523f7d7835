#include "src/emulator/invoke_request.h"

#include <nlohmann/json.hpp>

#include "src/common/lambda_protocol.h"
#include "src/common/base64.h"
#include "src/emulator/errors.h"
#include "src/emulator/ids.h"

namespace zerostart::emulator {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// Why nlohmann rejects `payload`, for the 400 message (only called for invalid JSON).
std::string JsonError(std::string_view payload) {
  try {
    nlohmann::json parsed = nlohmann::json::parse(payload);
    (void)parsed;
  } catch (const nlohmann::json::exception& error) {
    return error.what();
  }
  return "invalid JSON";
}

}  // namespace

InvokeResult ServiceError(int status, std::string_view exception, std::string_view message) {
  InvokeResult result;
  result.http_status = status;
  result.body = ServiceErrorJson(message, "User");
  result.content_type = std::string(lambda::kJsonContentType);
  result.exception = std::string(exception);
  return result;
}

namespace {

// The percent-decoded {name} of "<prefix>{name}<suffix>[?query]", or nullopt.
std::optional<std::string> TargetFunction(std::string_view target, std::string_view prefix,
                                          std::string_view suffix) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.size() <= prefix.size() + suffix.size()) return std::nullopt;
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (path.substr(path.size() - suffix.size()) != suffix) return std::nullopt;
  std::string_view name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  return PercentDecode(name);
}

}  // namespace

std::optional<std::string> InvokeTargetFunction(std::string_view target) {
  return TargetFunction(target, lambda::kInvokePathPrefix, lambda::kInvokePathSuffix);
}

std::optional<std::string> StreamInvokeTargetFunction(std::string_view target) {
  return TargetFunction(target, lambda::kStreamInvokePathPrefix, lambda::kStreamInvokePathSuffix);
}

bool NamesFunction(std::string_view requested, std::string_view name) {
  if (requested == "function" || requested == name) return true;
  // "arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]" or "<account>:function:..."
  constexpr std::string_view kMarker = ":function:";
  size_t marker = requested.rfind(kMarker);
  std::string_view tail = marker == std::string_view::npos ? requested : requested.substr(marker + kMarker.size());
  if (tail == name) return true;
  // "<name>:<qualifier>"
  size_t colon = tail.find(':');
  return colon != std::string_view::npos && tail.substr(0, colon) == name;
}

std::variant<ParsedInvoke, InvokeResult> ParseInvoke(http::Request& request,
                                                     std::chrono::system_clock::time_point now) {
  ParsedInvoke parsed;
  if (auto type = request.headers.Get(lambda::kInvocationTypeHeader)) {
    if (*type == lambda::kInvocationTypeRequestResponse) {
      parsed.type = InvocationType::kRequestResponse;
    } else if (*type == lambda::kInvocationTypeEvent) {
      parsed.type = InvocationType::kEvent;
    } else if (*type == lambda::kInvocationTypeDryRun) {
      parsed.type = InvocationType::kDryRun;
    } else {
      return ServiceError(400, lambda::kInvalidParameterValueException,
                          "1 validation error detected: Value '" + std::string(*type) +
                              "' at 'invocationType' failed to satisfy constraint: Member must "
                              "satisfy enum value set: [Event, RequestResponse, DryRun]");
    }
  }
  if (auto log_type = request.headers.Get(lambda::kLogTypeHeader)) {
    if (*log_type == lambda::kLogTypeTail) {
      parsed.request.log_tail = true;
    } else if (*log_type != lambda::kLogTypeNone) {
      return ServiceError(400, lambda::kInvalidParameterValueException,
                          "1 validation error detected: Value '" + std::string(*log_type) +
                              "' at 'logType' failed to satisfy constraint: Member must satisfy enum "
                              "value set: [None, Tail]");
    }
  }
  if (request.body.size() > lambda::kMaxPayloadBytes) {
    return ServiceError(413, lambda::kRequestTooLargeException,
                        "Request must be smaller than " + std::to_string(lambda::kMaxPayloadBytes) +
                            " bytes for the InvokeFunction operation");
  }
  // Lambda hands an empty payload to the function as "{}" (RIE passes it on empty).
  parsed.request.payload = request.body.empty() ? std::string("{}") : std::move(request.body);
  if (!nlohmann::json::accept(parsed.request.payload)) {
    return ServiceError(400, lambda::kInvalidRequestContentException,
                        "Could not parse request body into json: " + JsonError(parsed.request.payload));
  }
  if (auto context = request.headers.Get(lambda::kClientContextInvokeHeader); context && !context->empty()) {
    Result<std::string> decoded = Base64Decode(*context);
    if (!decoded.ok() || !nlohmann::json::accept(*decoded)) {
      return ServiceError(400, lambda::kInvalidRequestContentException,
                          "Client context must be a valid Base64-encoded JSON object.");
    }
    parsed.request.client_context = std::move(decoded).value();
  }
  if (auto trace = request.headers.Get(lambda::kTraceIdInvokeHeader); trace && !trace->empty()) {
    parsed.request.trace_id = std::string(*trace);
  } else {
    parsed.request.trace_id = NewTraceId(now);
  }
  if (auto tenant = request.headers.Get(lambda::kTenantIdInvokeHeader)) {
    parsed.request.tenant_id = std::string(*tenant);
  }
  return parsed;
}

}  // namespace zerostart::emulator
