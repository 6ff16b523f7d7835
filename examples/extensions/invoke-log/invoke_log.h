// invoke-log: an external Lambda extension that writes one line per invoke to stderr and a
// summary at shutdown. The loop and the lines; main.cc only reads the environment.
// Thread safety: single-threaded use.
#ifndef ZEROSTART_EXAMPLES_EXTENSIONS_INVOKE_LOG_INVOKE_LOG_H_
#define ZEROSTART_EXAMPLES_EXTENSIONS_INVOKE_LOG_INVOKE_LOG_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "zerostart/extension.h"

namespace invoke_log {

// "<name>: invoke <request id>, deadline <deadline_ms> ms since epoch"
std::string InvokeLine(std::string_view name, const zerostart::ExtensionEvent& event);
// "<name>: <invokes> invokes, shutdown reason <reason>" ("unknown" when the event has none).
std::string SummaryLine(std::string_view name, uint64_t invokes, std::string_view reason);

// Asks `client` (registered for INVOKE and SHUTDOWN) for events until SHUTDOWN, writing
// InvokeLine for each INVOKE and SummaryLine at SHUTDOWN to `out`, one flushed line each.
// Returns 0 after SHUTDOWN; 1 when Next() fails (the error is written to `out`; a malformed
// event is also reported to Lambda with ExitError "Extension.MalformedEvent").
int Serve(zerostart::ExtensionClient& client, std::string_view name, std::FILE* out);

}  // namespace invoke_log

#endif  // ZEROSTART_EXAMPLES_EXTENSIONS_INVOKE_LOG_INVOKE_LOG_H_
