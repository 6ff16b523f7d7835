#include "tests/chaos/outcome.h"

#include <nlohmann/json.hpp>

#include "src/common/lambda_protocol.h"

namespace zerostart::chaos {
namespace {

// How Lambda words a runtime's exit in errorMessage ("RequestId: <id> Error: Runtime exited with
// error: signal: killed"), after Go's os/exec ProcessState.String().
constexpr std::string_view kExitedWith = "Runtime exited with error: ";

}  // namespace

std::string_view FaultName(Fault fault) {
  switch (fault) {
    case Fault::kEcho: return "echo";
    case Fault::kCrash: return "crash (SIGSEGV)";
    case Fault::kExit: return "exit(3) mid-invoke";
    case Fault::kHang: return "hang past the timeout";
    case Fault::kOutOfMemory: return "over the memory limit";
    case Fault::kDisconnectMidRequest: return "client gone mid-request";
    case Fault::kDisconnectMidResponse: return "client gone mid-response";
    case Fault::kMalformed: return "malformed HTTP";
    case Fault::kTruncated: return "truncated HTTP";
    case Fault::kStall: return "client stalls mid-body";
    case Fault::kCount: break;
  }
  return "?";
}

std::string EventFor(Fault fault, std::string_view tag, size_t pad, int out_of_memory_mb) {
  nlohmann::json event = {{"tag", tag}, {"pad", std::string(pad, 'x')}};
  switch (fault) {
    case Fault::kCrash: event["action"] = "crash"; break;
    case Fault::kExit: event["action"] = "exit"; break;
    case Fault::kHang: event["action"] = "hang"; break;
    case Fault::kOutOfMemory:
      event["action"] = "alloc";
      event["mb"] = out_of_memory_mb;
      break;
    default: event["action"] = "echo"; break;
  }
  return event.dump();
}

std::string NameOf(const benchmark::Answer& answer, std::string_view event) {
  if (answer.status == 0) return std::string(kClosed);
  if (answer.status != 200) {
    std::string name = "HTTP " + std::to_string(answer.status);
    if (!answer.error_type.empty()) name += " " + answer.error_type;
    return name;
  }
  if (answer.function_error.empty()) {
    return answer.body == event ? std::string(kOk) : "wrong body";
  }
  const nlohmann::json error = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (!error.is_object() || !error.contains("errorType") || !error["errorType"].is_string()) {
    return "function error without errorType";
  }
  std::string name = error["errorType"].get<std::string>();
  if (name != lambda::kErrorTypeExit) return name;
  const std::string message = error.value("errorMessage", "");
  const size_t at = message.find(kExitedWith);
  return at == std::string::npos ? name : name + ": " + message.substr(at + kExitedWith.size());
}

bool Allowed(Fault fault, std::string_view name) {
  const bool invoke = fault <= Fault::kOutOfMemory || fault == Fault::kStall || fault == Fault::kDisconnectMidResponse;
  if (invoke && (name == kKilled || name == kInitExit)) return true;
  switch (fault) {
    case Fault::kEcho:
    case Fault::kStall: return name == kOk;
    case Fault::kCrash: return name == kSegfault;
    case Fault::kExit: return name == kExit3;
    case Fault::kHang: return name == kTimedOut;
    // At a small setting's CPU share on a loaded machine, faulting in the pages can outlast the
    // timeout; Lambda then answers the deadline, which comes first. The run still has to see
    // Runtime.OutOfMemory for this fault (the suite checks that).
    case Fault::kOutOfMemory: return name == kOutOfMemoryAnswer || name == kTimedOut;
    case Fault::kMalformed: return name == kBadRequest;
    case Fault::kTruncated: return name == kBadRequest || name == kClosed;
    case Fault::kDisconnectMidRequest: return name == kNotRead;
    case Fault::kDisconnectMidResponse: return name == kHeadThenGone;
    default: return false;
  }
}

}  // namespace zerostart::chaos
