#include "src/emulator/extensions.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "src/common/lambda_protocol.h"

namespace zerostart::emulator {

Result<std::vector<std::string>> ParseRegisterEvents(std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status(StatusCode::kInvalidArgument, "the register body is not a JSON object");
  }
  if (parsed.contains("configurationKeys")) {
    return Status(StatusCode::kInvalidArgument,
                  "configurationKeys are deprecated; use environment variables instead");
  }
  std::vector<std::string> events;
  auto found = parsed.find("events");
  if (found == parsed.end() || found->is_null()) return events;
  if (!found->is_array()) return Status(StatusCode::kInvalidArgument, "\"events\" is not an array");
  for (const auto& event : *found) {
    if (!event.is_string()) return Status(StatusCode::kInvalidArgument, "an event name is not a string");
    events.push_back(event.get<std::string>());
  }
  return events;
}

std::string RegisterAnswerJson(std::string_view function_name, std::string_view function_version,
                               std::string_view handler, std::string_view account_id) {
  nlohmann::json answer = {{"functionName", function_name},
                           {"functionVersion", function_version},
                           {"handler", handler}};
  if (!account_id.empty()) answer["accountId"] = account_id;
  return answer.dump();
}

std::string InvokeEventJson(int64_t deadline_ms, std::string_view request_id,
                            std::string_view function_arn, std::string_view trace_id) {
  nlohmann::json event = {{"eventType", lambda::kExtensionEventInvoke},
                          {"deadlineMs", deadline_ms},
                          {"requestId", request_id},
                          {"invokedFunctionArn", function_arn}};
  if (!trace_id.empty()) event["tracing"] = {{"type", "X-Amzn-Trace-Id"}, {"value", trace_id}};
  return event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ShutdownEventJson(int64_t deadline_ms, std::string_view reason) {
  nlohmann::json event = {{"eventType", lambda::kExtensionEventShutdown},
                          {"deadlineMs", deadline_ms},
                          {"shutdownReason", reason}};
  return event.dump();
}

Result<std::vector<std::string>> FindExtensions(const std::string& dir) {
  std::error_code error;
  std::filesystem::file_status status = std::filesystem::status(dir, error);
  if (error || !std::filesystem::exists(status)) {
    return Status(StatusCode::kNotFound, "the extensions directory " + dir + " does not exist");
  }
  if (!std::filesystem::is_directory(status)) {
    return Status(StatusCode::kInvalidArgument, dir + " is not a directory");
  }
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    // Lambda runs every executable file in /opt/extensions; anything else there is ignored.
    if (!entry.is_regular_file(error)) continue;
    if (::access(entry.path().c_str(), X_OK) != 0) continue;
    found.push_back(std::filesystem::absolute(entry.path()).string());
  }
  if (error) return Status(StatusCode::kInvalidArgument, "cannot list " + dir + ": " + error.message());
  std::sort(found.begin(), found.end());
  if (found.size() > static_cast<size_t>(lambda::kMaxExtensions)) {
    return Status(StatusCode::kInvalidArgument,
                  dir + " holds " + std::to_string(found.size()) + " extensions; Lambda allows " +
                      std::to_string(lambda::kMaxExtensions));
  }
  return found;
}

}  // namespace zerostart::emulator
