#include "src/runtime/run_config.h"

#include <charconv>
#include <string>

#include "src/common/lambda_protocol.h"

namespace zerostart::runtime {
namespace {

// The value of `name` if set and non-empty (empty counts as unset, as in aws-lambda-go).
std::optional<std::string> NonEmpty(const EnvMap& env, std::string_view name) {
  std::optional<std::string> value = EnvGet(env, name);
  if (value.has_value() && value->empty()) return std::nullopt;
  return value;
}

template <typename Int>
bool ParseDecimal(std::string_view text, Int* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

FunctionContext FunctionContextFromEnvironment(const EnvMap& env) {
  FunctionContext function;
  auto read = [&](std::string_view name, std::string* field) {
    if (std::optional<std::string> value = EnvGet(env, name)) *field = std::move(*value);
  };
  read(lambda::kFunctionNameEnv, &function.function_name);
  read(lambda::kFunctionVersionEnv, &function.function_version);
  read(lambda::kLogGroupNameEnv, &function.log_group_name);
  read(lambda::kLogStreamNameEnv, &function.log_stream_name);
  read(lambda::kInitializationTypeEnv, &function.initialization_type);
  // Informational only (nothing in the runtime depends on it), so a value that does not parse
  // is not worth refusing to start over, unlike AWS_LAMBDA_MAX_CONCURRENCY.
  if (std::optional<std::string> memory = NonEmpty(env, lambda::kMemorySizeEnv)) {
    int mb = 0;
    if (ParseDecimal(*memory, &mb) && mb > 0) function.memory_size_mb = mb;
  }
  return function;
}

Result<RunConfig> RunConfigFromEnvironment(const EnvMap& env) {
  RunConfig config;
  config.function = FunctionContextFromEnvironment(env);
  if (std::optional<std::string> level = NonEmpty(env, lambda::kLogLevelEnv)) {
    config.log_level = log::ParseLevel(*level, log::Level::kError);
  }
  if (std::optional<std::string> budget = NonEmpty(env, kRetryBudgetEnv)) {
    uint32_t ms = 0;
    if (!ParseDecimal(*budget, &ms)) {
      return InvalidArgumentError(std::string(kRetryBudgetEnv) + "='" + *budget +
                                  "' is not a number of milliseconds");
    }
    config.retry.budget = std::chrono::milliseconds(ms);
  }

  if (std::optional<std::string> port = NonEmpty(env, lambda::kGo1xServerPortEnv)) {
    uint16_t value = 0;
    if (!ParseDecimal(*port, &value) || value == 0) {
      return InvalidArgumentError(std::string(lambda::kGo1xServerPortEnv) + "='" + *port +
                                  "' is not a port number");
    }
    config.protocol = RunConfig::Protocol::kGo1x;
    config.go1x_port = value;
    return config;
  }
  if (std::optional<std::string> api = NonEmpty(env, lambda::kRuntimeApiEnv)) {
    Result<RuntimeApiEndpoint> endpoint = ParseRuntimeApiEndpoint(*api);
    if (!endpoint.ok()) {
      return InvalidArgumentError(std::string(lambda::kRuntimeApiEnv) + ": " +
                                  endpoint.status().message());
    }
    config.protocol = RunConfig::Protocol::kRuntimeApi;
    config.endpoint = std::move(endpoint).value();
    if (std::optional<std::string> m = NonEmpty(env, lambda::kMaxConcurrencyEnv)) {
      // Lambda sets it, so a value out of its range means a broken environment: refused like
      // any other bad value, rather than silently served one invoke at a time.
      int value = 0;
      if (!ParseDecimal(*m, &value) || value < 1 || value > lambda::kMaxPerEnvironmentConcurrency) {
        return InvalidArgumentError(std::string(lambda::kMaxConcurrencyEnv) + "='" + *m +
                                    "' is not a number of concurrent invokes (1.." +
                                    std::to_string(lambda::kMaxPerEnvironmentConcurrency) + ")");
      }
      config.max_concurrency = value;
    }
    return config;
  }
  return InvalidArgumentError(
      "neither " + std::string(lambda::kRuntimeApiEnv) + " nor " +
      std::string(lambda::kGo1xServerPortEnv) +
      " is set: this is a Lambda function binary; run it under Lambda or an emulator "
      "(e.g. `zerostart serve`)");
}

}  // namespace zerostart::runtime
