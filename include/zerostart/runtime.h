// File: zerostart/runtime.h
//
// The entry point of a zerostart function binary:
//
//   #include <zerostart/runtime.h>
//
//   zerostart::Response Handle(const zerostart::Invocation& inv) {
//     return zerostart::Response::Success(inv.payload);
//   }
//   int main() { return zerostart::Run(Handle); }
//
// (A handler that sends its response while producing it: zerostart/stream.h, RunStreaming.)
//
// Run() reads the process environment once, picks the protocol (Runtime API when
// AWS_LAMBDA_RUNTIME_API is set; go1.x net/rpc when _LAMBDA_SERVER_PORT is set, which wins, as
// in aws-lambda-go: the binary then serves Go net/rpc `Function.Ping`/`Function.Invoke` on
// 127.0.0.1:$_LAMBDA_SERVER_PORT), then serves invokes until the Lambda side goes away. The
// handler sees the same Invocation fields whichever protocol carried the invoke.
//
// AWS_LAMBDA_RUNTIME_API may be "host:port" (Lambda, RIE) or a URL with a path prefix
// ("http://[::1]:9000/.rt/fn", cargo-lambda). Numeric hosts or "localhost" only (function
// binaries are static and do not resolve names).
// Environment read by Run():
//   AWS_LAMBDA_LOG_LEVEL        runtime log level on stderr (default: errors only; payloads
//                               are never logged)
//   ZEROSTART_RUNTIME_RETRY_MS  total time over which failed connections to the Runtime API
//                               are retried (5 attempts, doubling sleeps; default 1500) before
//                               Run() gives up
//   AWS_LAMBDA_MAX_CONCURRENCY  M, set by Lambda Managed Instances: one execution environment
//                               serves up to M invokes at once (see "Concurrency" below).
//                               Unset, empty or 1: one invoke at a time. Anything but a
//                               decimal integer in 1..1600 (Lambda's range) is a configuration
//                               error: one line on stderr, and Run() returns 78. Ignored under
//                               go1.x, which has no Managed Instances.
// Per invoke, _X_AMZN_TRACE_ID is set to the invoke's trace id (unset when it has none); not
// when M > 1, where one process-wide variable cannot hold M trace ids (aws-lambda-go does not
// set it either): read Invocation::trace_id instead.
//
// Concurrency (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html):
// with M > 1, Run() runs init once, then M workers, each with its own connection to the
// Runtime API and its own next -> handler -> answer loop, as aws-lambda-go does
// (https://github.com/aws/aws-lambda-go/pull/600): the calling thread and M - 1 threads of
// Run()'s own. When one worker finds the Lambda side gone, Run() ends as it does with one:
// the same one-line reason and exit code, once the other workers have stopped (a GET /next in
// progress is cancelled; an invoke in progress is answered first).
//
// The handler is the one boundary where user failures are caught: a returned
// Response::Failure (an empty type is sent as "Unhandled"), a thrown C++ exception
// (errorType = the exception's dynamic type name, e.g. "std::runtime_error"; errorMessage =
// what()), or anything else thrown ("UnknownException", with the thrown type in the message)
// becomes an error response for that invoke, and the loop goes on serving. Exceptions carry
// no stack trace (stackTrace is empty unless a FunctionError supplies one). A crash
// (SIGSEGV...) or exit() inside the handler ends the process, as in every runtime.
//
// Shutdown (RunOptions::on_shutdown; AWS docs "Lambda Extensions API", Shutdown phase,
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html): Lambda sends the
// runtime SIGTERM before it ends the environment only when some extension is registered. With
// on_shutdown set and the Runtime API in use, Run() does what aws-lambda-go's
// WithEnableSIGTERM does (lambda/sigterm.go): before init and the first GET /next it registers
// an internal extension named "zerostart-shutdown" that subscribes to no event (internal
// extensions may not subscribe to SHUTDOWN) and parks its one GET /event/next on a thread of
// its own, so that Lambda counts the extension ready; and it blocks SIGTERM in the calling
// thread and receives it on a dedicated thread (sigwait: no code runs in a signal handler).
// On SIGTERM that thread calls on_shutdown once (a thrown exception is caught and reported on
// stderr, as for a handler), flushes stdout and stderr (C stdio) and ends the process with
// exit status 0 (_exit: no static destructors run while other threads may still be in the
// handler or in GET /next). A failed registration is one warning line on stderr, not fatal:
// Run() serves invokes, and a SIGTERM that arrives anyway still runs the hook.
// The deadline: Lambda sends SIGKILL when the runtime's share of the Shutdown phase is over:
// up to 500 ms for a runtime with an internal extension, which this one then is (the phase
// lasts 500 ms with internal extensions only, 2 s with external ones, which get the rest);
// local emulators may allow less (RIE gives the runtime 30% of its limit). The hook
// should do little more than flush buffers and close connections, and must not wait for an
// invoke in progress (it runs concurrently with the handler, if one is running).
// Threads the program starts before calling Run() keep SIGTERM unblocked and may receive it
// (then the process dies without the hook): start them from init, or block SIGTERM in them.
// go1.x (_LAMBDA_SERVER_PORT) has no Extensions API: there on_shutdown is never called, and
// SIGTERM keeps its default action.
//
// Thread safety: with M unset or 1, Run() calls the handler on the calling thread, one invoke
// at a time. With M > 1 it calls the handler from M threads at once: the handler (and what it
// shares, e.g. state built by init) must be thread-safe. init runs once, on the calling thread,
// before any worker starts.
#ifndef ZEROSTART_RUNTIME_H_
#define ZEROSTART_RUNTIME_H_

#include <functional>
#include <map>
#include <string>

#include "zerostart/invocation.h"
#include "zerostart/response.h"
#include "zerostart/status.h"

namespace zerostart {

using Handler = std::function<Response(const Invocation&)>;

// Optional initialisation run before the first invoke is fetched. A non-OK Status is reported
// to Lambda (Runtime API: POST /runtime/init/error with errorType "Runtime.InitError" and
// errorMessage the status message; a thrown exception is reported like a handler's) and
// Run() returns non-zero.
using InitFunction = std::function<Status()>;

// Called once when Lambda shuts the environment down (SIGTERM; see "Shutdown" above), on a
// thread of the runtime's own, possibly while a handler runs; the process then exits 0.
using ShutdownFunction = std::function<void()>;

struct RunOptions {
  InitFunction init;
  // Optional; Runtime API only. Setting it registers an internal extension (see "Shutdown").
  ShutdownFunction on_shutdown;
  // Environment to read instead of the process's (tests inject it). Empty = the process's.
  // (_X_AMZN_TRACE_ID, when set, is still set in the real process environment.)
  std::map<std::string, std::string> environment;
};

// Serves invokes until the Lambda side goes away. Returns the process exit code: never 0
// while Lambda is alive; non-zero with a one-line reason on stderr: 1 when the Runtime API is
// unreachable after a bounded retry (or answered /next with 4xx/5xx), 2 when initialisation
// failed, 78 when the environment names no usable protocol or holds a bad value (e.g.
// AWS_LAMBDA_MAX_CONCURRENCY=0), 70 when the runtime itself failed (e.g. a worker thread
// could not be started). Never throws.
int Run(const Handler& handler, const RunOptions& options = {});

}  // namespace zerostart

#endif  // ZEROSTART_RUNTIME_H_
