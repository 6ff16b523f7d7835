// RunOptions::on_shutdown (zerostart/runtime.h, "Shutdown"): how a runtime gets SIGTERM from
// Lambda and turns it into a call of the hook.
//
// Lambda sends SIGTERM to the runtime at shutdown only when some extension is registered
// (AWS docs "Lambda Extensions API", Shutdown phase). aws-lambda-go's WithEnableSIGTERM
// (lambda/sigterm.go) therefore registers an internal extension with no events and calls
// /event/next once on a goroutine that stays blocked: init ends only when every registered
// extension has called next. This does the same, with a thread; and, rather than running code
// in a signal handler, blocks SIGTERM and takes it with sigwait on a thread of its own.
//
// Thread safety: call ArmShutdownHook once, from the thread that will start every other
// thread of the runtime (and of init), before it starts any.
#ifndef ZEROSTART_SRC_RUNTIME_SHUTDOWN_HOOK_H_
#define ZEROSTART_SRC_RUNTIME_SHUTDOWN_HOOK_H_

#include <string_view>

#include "src/runtime/endpoint.h"
#include "zerostart/runtime.h"
#include "zerostart/status.h"

namespace zerostart::runtime {

// The internal extension's name (Lambda-Extension-Name), as aws-lambda-go's is
// "GoLangEnableSIGTERM".
inline constexpr std::string_view kShutdownExtensionName = "zerostart-shutdown";

// Blocks SIGTERM in the calling thread (threads it starts later inherit the mask) and starts a
// detached thread that waits for it. On SIGTERM that thread calls `hook` through
// CallShutdownHook (a thrown exception is logged on stderr), flushes every C stdio stream and
// ends the process with _exit(0). Errors: Internal when the thread cannot be started (SIGTERM
// is unblocked again then).
Status StartShutdownWatcher(ShutdownFunction hook);

// Registers kShutdownExtensionName, subscribed to no event, at `endpoint`, and parks its
// GET /event/next on a detached thread (while Lambda lives it never returns; if it does, that is
// logged at warning level). Errors: Unavailable when the endpoint cannot be reached;
// FailedPrecondition for a non-2xx answer (the message quotes it) or one without
// Lambda-Extension-Identifier; Internal when the thread cannot be started.
Status RegisterShutdownExtension(const RuntimeApiEndpoint& endpoint);

// Both, as Run() does before init: a failure of either is one warning line on stderr (whatever
// the log level), never fatal.
void ArmShutdownHook(const RuntimeApiEndpoint& endpoint, ShutdownFunction hook);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_SHUTDOWN_HOOK_H_
