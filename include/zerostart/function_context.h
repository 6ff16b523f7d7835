// File: zerostart/function_context.h
//
// FunctionContext: what Lambda tells a function about itself, the same for every invoke of
// the execution environment. Run() reads it once from the environment (RunOptions::environment
// when set, otherwise the process's), from the variables of AWS docs "Defined runtime
// environment variables"
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html), and hands it to
// every invoke as Invocation::function:
//
//   zerostart::Response Handle(const zerostart::Invocation& inv) {
//     const zerostart::FunctionContext& fn = *inv.function;
//     return zerostart::Response::Success(fn.function_name + "@" + fn.function_version);
//   }
//
// A variable that is unset leaves its field empty (or 0); the runtime never refuses to start
// over one of them. Both protocols (Runtime API and go1.x) and every worker of a Managed
// Instances environment see the same FunctionContext.
//
// Thread safety: a value type; the instance Run() hands out is never modified while Run()
// runs, so handlers on any number of threads may read it without locking.
#ifndef ZEROSTART_FUNCTION_CONTEXT_H_
#define ZEROSTART_FUNCTION_CONTEXT_H_

#include <string>

namespace zerostart {

struct FunctionContext {
  // AWS_LAMBDA_FUNCTION_NAME: the function's name.
  std::string function_name;
  // AWS_LAMBDA_FUNCTION_VERSION: the version being run, e.g. "$LATEST" or "3".
  std::string function_version;
  // AWS_LAMBDA_FUNCTION_MEMORY_SIZE: the memory setting in MB; 0 when unset or not a positive
  // decimal integer.
  int memory_size_mb = 0;
  // AWS_LAMBDA_LOG_GROUP_NAME and AWS_LAMBDA_LOG_STREAM_NAME: where Lambda stores the
  // function's logs (CloudWatch Logs); empty when the function logs elsewhere.
  std::string log_group_name;
  std::string log_stream_name;
  // AWS_LAMBDA_INITIALIZATION_TYPE: how the environment was started: "on-demand",
  // "provisioned-concurrency", "snap-start" or "lambda-managed-instances" (passed through as
  // given, so values Lambda adds later need no new zerostart).
  std::string initialization_type;

  // The context of no function (every field empty): what an Invocation built outside Run()
  // points to. Valid for the life of the process.
  static const FunctionContext& None() {
    static const FunctionContext none;
    return none;
  }
};

}  // namespace zerostart

#endif  // ZEROSTART_FUNCTION_CONTEXT_H_
