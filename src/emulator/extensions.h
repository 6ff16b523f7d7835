// Lambda extensions as one execution environment sees them (AWS docs "Lambda Extensions API",
// 2020-01-01): what each registered extension is subscribed to and where it stands, and the
// pieces of the protocol that need no environment state — the register body, the event JSON,
// the external extensions found in a directory. The Environment keeps one Extension per
// registration (environment_extensions.cc); the RuntimeApiServer serves the HTTP.
//
// External extensions are executables (Lambda's /opt/extensions) started before the runtime;
// internal ones register from the runtime's own process before its first /next. Every
// extension, once registered, must call /event/next before init can end; an INVOKE-subscribed
// extension must call it again after each INVOKE before the invoke ends.
// Thread safety: the functions are pure; Extension is guarded by the environment's mutex.
#ifndef ZEROSTART_SRC_EMULATOR_EXTENSIONS_H_
#define ZEROSTART_SRC_EMULATOR_EXTENSIONS_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::emulator {

class FunctionProcess;

struct Extension {
  std::string name;
  std::string id;         // Lambda-Extension-Identifier, a UUID (NewRequestId)
  bool external = false;  // launched from the extensions directory
  bool registered = false;
  bool invoke_events = false;
  bool shutdown_events = false;
  bool ready = false;          // called /event/next at least once (its init is done)
  bool busy = false;           // holds an event it has not finished (no /event/next since)
  int waiting = 0;             // threads of it inside /event/next
  std::deque<std::string> events;  // queued event JSON, oldest first
  std::string busy_request_id;     // the invoke whose INVOKE it has not finished
  std::string error_type;          // from /init/error or /exit/error
  bool exited = false;             // external: its process is gone
  std::shared_ptr<FunctionProcess> process;  // external only
};

// A refused Extensions API call: the HTTP status and Lambda's error type (403 unless said).
struct ExtensionRefusal {
  int http_status = 403;
  std::string error_type;
  std::string message;
};

// The register body {"events":["INVOKE","SHUTDOWN"]} ("events" may be empty or absent).
// InvalidArgument when it is not such a JSON object, or holds the deprecated
// "configurationKeys" (RIE refuses them too). Event names are not checked here.
Result<std::vector<std::string>> ParseRegisterEvents(std::string_view body);

// The register answer body: {"functionName":..,"functionVersion":..,"handler":..} plus
// "accountId" when it is not empty (asked for with Lambda-Extension-Accept-Feature).
std::string RegisterAnswerJson(std::string_view function_name, std::string_view function_version,
                               std::string_view handler, std::string_view account_id);

// {"eventType":"INVOKE","deadlineMs":..,"requestId":..,"invokedFunctionArn":..,
//  "tracing":{"type":"X-Amzn-Trace-Id","value":..}} (tracing only with a trace id).
std::string InvokeEventJson(int64_t deadline_ms, std::string_view request_id,
                            std::string_view function_arn, std::string_view trace_id);
// {"eventType":"SHUTDOWN","deadlineMs":..,"shutdownReason":..}.
std::string ShutdownEventJson(int64_t deadline_ms, std::string_view reason);

// The external extensions in `dir`: regular executable files (symlinks followed), by name.
// NotFound when `dir` does not exist, InvalidArgument when it is not a directory or holds
// more than lambda::kMaxExtensions of them.
Result<std::vector<std::string>> FindExtensions(const std::string& dir);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_EXTENSIONS_H_
