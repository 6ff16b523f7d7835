#include "src/emulator/errors.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"

namespace zerostart::emulator {
namespace {

// The string member `name` of the JSON object `body`, or "" when there is none.
std::string StringField(std::string_view body, const char* name) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    auto it = json.find(name);
    if (it != json.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

using OrderedJson = nlohmann::ordered_json;

std::string Dump(const OrderedJson& json) {
  // Replace invalid UTF-8 instead of throwing: error text comes from arbitrary processes.
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Seconds(double seconds) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.2f", seconds);
  return buffer;
}

// Go's names for Linux signals (syscall/zerrors_linux_amd64.go), which Lambda's messages use.
const char* GoSignalName(int signal) {
  switch (signal) {
    case SIGHUP: return "hangup";
    case SIGINT: return "interrupt";
    case SIGQUIT: return "quit";
    case SIGILL: return "illegal instruction";
    case SIGTRAP: return "trace/breakpoint trap";
    case SIGABRT: return "aborted";
    case SIGBUS: return "bus error";
    case SIGFPE: return "floating point exception";
    case SIGKILL: return "killed";
    case SIGUSR1: return "user defined signal 1";
    case SIGSEGV: return "segmentation fault";
    case SIGUSR2: return "user defined signal 2";
    case SIGPIPE: return "broken pipe";
    case SIGALRM: return "alarm clock";
    case SIGTERM: return "terminated";
    case SIGXCPU: return "CPU time limit exceeded";
    case SIGXFSZ: return "file size limit exceeded";
    case SIGSYS: return "bad system call";
    default: return nullptr;
  }
}

}  // namespace

std::string FunctionErrorJson(std::string_view type, std::string_view message) {
  OrderedJson json;
  json["errorType"] = std::string(type);
  json["errorMessage"] = std::string(message);
  return Dump(json);
}

std::string TimeoutErrorJson(std::string_view request_id, double timeout_seconds) {
  return FunctionErrorJson(lambda::kErrorTypeTimeout,
                           "RequestId: " + std::string(request_id) +
                               " Error: Task timed out after " + Seconds(timeout_seconds) +
                               " seconds");
}

std::string InitTimeoutErrorJson(std::string_view request_id, double timeout_seconds) {
  return FunctionErrorJson(lambda::kErrorTypeTimeout,
                           "RequestId: " + std::string(request_id) +
                               " Error: Init timed out after " + Seconds(timeout_seconds) +
                               " seconds");
}

std::string ExitErrorJson(std::string_view request_id, int wait_status) {
  std::string message = "RequestId: " + std::string(request_id) + " Error: ";
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
    message += "Runtime exited without providing a reason";
  } else {
    message += "Runtime exited with error: " + ExitDescription(wait_status);
  }
  return FunctionErrorJson(lambda::kErrorTypeExit, message);
}

std::string OutOfMemoryErrorJson(std::string_view request_id, int wait_status) {
  // What Lambda answers when the function exceeds its memory (errorType as in Lambda's REPORT
  // "Error Type: Runtime.OutOfMemory", e.g. nasa-gcn/gcn.nasa.gov#3628; the message is the
  // runtime's exit as Go's os/exec words it, as for Runtime.ExitError).
  return FunctionErrorJson(lambda::kErrorTypeOutOfMemory,
                           "RequestId: " + std::string(request_id) +
                               " Error: Runtime exited with error: " + ExitDescription(wait_status));
}

std::string ResponseTooLargeJson() {
  return FunctionErrorJson(lambda::kErrorTypeResponseTooLarge,
                           "Response payload size exceeded maximum allowed payload size (" +
                               std::to_string(lambda::kMaxPayloadBytes) + " bytes).");
}

std::string StreamTooLargeJson() {
  return FunctionErrorJson(lambda::kErrorTypeResponseTooLarge,
                           "Response payload size exceeded maximum allowed payload size (" +
                               std::to_string(lambda::kMaxStreamedResponseBytes) +
                               " bytes) for a streamed response.");
}

std::string InvalidResponseModeJson(std::string_view mode) {
  return FunctionErrorJson(lambda::kErrorTypeInvalidResponseMode,
                           "Invalid response mode header value '" + std::string(mode) +
                               "': the only mode is '" +
                               std::string(lambda::kResponseModeStreaming) + "'.");
}

std::string StreamErrorJson(std::string_view type_trailer, std::string_view body_trailer) {
  if (type_trailer.empty() && body_trailer.empty()) return "";
  std::string_view type = type_trailer.empty() ? lambda::kErrorTypeUnknown : type_trailer;
  if (body_trailer.empty()) return FunctionErrorJson(type, "");
  Result<std::string> decoded = Base64Decode(body_trailer);
  if (!decoded.ok()) {
    return FunctionErrorJson(type, "The error body trailer is not base64: " +
                                       std::string(body_trailer.substr(0, 200)));
  }
  if (!nlohmann::json::accept(*decoded)) {
    return FunctionErrorJson(type, "The error body trailer is not JSON: " + decoded->substr(0, 200));
  }
  return std::move(decoded).value();
}

std::string NormalizeErrorBody(std::string_view body, std::string_view type_header) {
  if (!body.empty() && nlohmann::json::accept(body)) return std::string(body);
  return FunctionErrorJson(type_header.empty() ? lambda::kErrorTypeUnknown : type_header, body);
}

std::string ErrorMessageOf(std::string_view body) { return StringField(body, "errorMessage"); }

std::string ErrorTypeOf(std::string_view body) { return StringField(body, "errorType"); }

std::string ExitDescription(int wait_status) {
  if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    int signal = WTERMSIG(wait_status);
    const char* name = GoSignalName(signal);
    std::string out = "signal: ";
    out += name != nullptr ? name : "signal " + std::to_string(signal);
    if (WCOREDUMP(wait_status)) out += " (core dumped)";
    return out;
  }
  return "unknown wait status " + std::to_string(wait_status);
}

std::string ServiceErrorJson(std::string_view message, std::string_view type) {
  OrderedJson json;
  json["Type"] = std::string(type);
  json["message"] = std::string(message);
  return Dump(json);
}

std::string ThrottleErrorJson(std::string_view reason) {
  OrderedJson json;
  json["Reason"] = std::string(reason);
  json["Type"] = "User";
  json["message"] = std::string(lambda::kThrottleMessage);
  return Dump(json);
}

std::string RuntimeApiErrorJson(std::string_view type, std::string_view message) {
  OrderedJson json;
  json["errorMessage"] = std::string(message);
  json["errorType"] = std::string(type);
  return Dump(json);
}

}  // namespace zerostart::emulator
