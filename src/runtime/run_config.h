// What Run() learns from the environment: which protocol, where, and how to behave.
// Thread safety: pure functions over an EnvMap.
#ifndef ZEROSTART_SRC_RUNTIME_RUN_CONFIG_H_
#define ZEROSTART_SRC_RUNTIME_RUN_CONFIG_H_

#include <cstdint>
#include <string_view>

#include "src/common/env.h"
#include "src/common/log.h"
#include "src/runtime/endpoint.h"
#include "src/runtime/runtime_api_client.h"
#include "zerostart/function_context.h"
#include "zerostart/status.h"

namespace zerostart::runtime {

// zerostart's own knob (not a Lambda variable): the total time, in milliseconds, that GET
// /next connection failures are retried before the runtime gives up and exits (default 1500).
// Tests and emulators that kill their Runtime API set it low so functions exit promptly.
inline constexpr std::string_view kRetryBudgetEnv = "ZEROSTART_RUNTIME_RETRY_MS";

struct RunConfig {
  enum class Protocol { kRuntimeApi, kGo1x };
  Protocol protocol = Protocol::kRuntimeApi;
  RuntimeApiEndpoint endpoint;   // kRuntimeApi
  uint16_t go1x_port = 0;        // kGo1x
  RetryPolicy retry;
  log::Level log_level = log::Level::kError;
  // kRuntimeApi: how many invokes the execution environment may hand out at once
  // (AWS_LAMBDA_MAX_CONCURRENCY, Lambda Managed Instances); 1 in the classic model.
  int max_concurrency = 1;
  // What the function knows of itself (zerostart/function_context.h), either protocol.
  FunctionContext function;
};

// _LAMBDA_SERVER_PORT (non-empty) selects go1.x and wins, as in aws-lambda-go; otherwise a
// non-empty AWS_LAMBDA_RUNTIME_API selects the Runtime API. AWS_LAMBDA_LOG_LEVEL sets the log
// level (default: errors only; unknown values keep the default), ZEROSTART_RUNTIME_RETRY_MS
// the retry budget. `function` is read as FunctionContextFromEnvironment reads it. With the Runtime API, AWS_LAMBDA_MAX_CONCURRENCY (unset or empty: 1) sets
// max_concurrency; go1.x ignores it, whatever its value (go1.x has no Managed Instances).
// Errors: InvalidArgument when neither protocol variable is set, or a value does not parse
// (AWS_LAMBDA_MAX_CONCURRENCY: anything but a decimal integer in 1..1600, Lambda's range for
// PerExecutionEnvironmentMaxConcurrency); the message is meant for a one-line stderr report.
Result<RunConfig> RunConfigFromEnvironment(const EnvMap& env);

// The FunctionContext the environment describes (AWS_LAMBDA_FUNCTION_NAME, ..._VERSION,
// ..._MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME,
// AWS_LAMBDA_INITIALIZATION_TYPE). Never fails: an unset variable leaves its field empty, and a
// memory size that is not a positive decimal integer leaves memory_size_mb 0.
FunctionContext FunctionContextFromEnvironment(const EnvMap& env);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_RUN_CONFIG_H_
