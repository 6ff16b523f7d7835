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
// Run() reads the process environment once, picks the protocol (Runtime API when
// AWS_LAMBDA_RUNTIME_API is set; go1.x net/rpc when _LAMBDA_SERVER_PORT is set, which wins, as
// in aws-lambda-go), then serves invokes until the Lambda side goes away.
//
// The handler is the one boundary where user failures are caught: a returned
// Response::Failure, a thrown C++ exception (errorType = the exception's type name, e.g.
// "std::runtime_error"; errorMessage = what()), or anything else thrown ("UnknownException")
// becomes an error response for that invoke, and the loop goes on serving.
//
// Thread safety: Run() calls the handler on the calling thread, one invoke at a time.
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
// to Lambda (Runtime API: POST /runtime/init/error with errorType "Runtime.InitError" unless
// the message says otherwise) and Run() returns non-zero.
using InitFunction = std::function<Status()>;

struct RunOptions {
  InitFunction init;
  // Environment to read instead of the process's (tests inject it). Empty = the process's.
  std::map<std::string, std::string> environment;
};

// Serves invokes until the Lambda side goes away. Returns the process exit code: never 0
// while Lambda is alive; non-zero with a one-line reason on stderr when the Runtime API is
// unreachable after a bounded retry, or when initialisation failed.
int Run(const Handler& handler, const RunOptions& options = {});

}  // namespace zerostart

#endif  // ZEROSTART_RUNTIME_H_
