#include "examples/extensions/invoke-log/invoke_log.h"

namespace invoke_log {
namespace {

void WriteLine(std::FILE* out, const std::string& line) {
  // One fputs per line, then a flush: Lambda captures stderr line by line, and SIGKILL may
  // follow shutdown soon after.
  std::fputs((line + "\n").c_str(), out);
  std::fflush(out);
}

}  // namespace

std::string InvokeLine(std::string_view name, const zerostart::ExtensionEvent& event) {
  return std::string(name) + ": invoke " + event.request_id + ", deadline " +
         std::to_string(event.deadline_ms) + " ms since epoch";
}

std::string SummaryLine(std::string_view name, uint64_t invokes, std::string_view reason) {
  return std::string(name) + ": " + std::to_string(invokes) + " invokes, shutdown reason " +
         std::string(reason.empty() ? "unknown" : reason);
}

int Serve(zerostart::ExtensionClient& client, std::string_view name, std::FILE* out) {
  uint64_t invokes = 0;
  for (;;) {
    zerostart::Result<zerostart::ExtensionEvent> event = client.Next();
    if (!event.ok()) {
      WriteLine(out, std::string(name) + ": " + event.status().ToString());
      if (event.status().code() == zerostart::StatusCode::kInvalidArgument) {
        (void)client.ExitError("Extension.MalformedEvent", event.status().message());
      }
      return 1;
    }
    switch (event->type) {
      case zerostart::ExtensionEventType::kInvoke:
        ++invokes;
        WriteLine(out, InvokeLine(name, *event));
        break;
      case zerostart::ExtensionEventType::kShutdown:
        WriteLine(out, SummaryLine(name, invokes, event->shutdown_reason));
        return 0;
    }
  }
}

}  // namespace invoke_log
