// The runtime's side of the application log API (zerostart/log.h): the format and level Run()
// reads from the environment, the invoke each thread is serving, and the record formatter.
// Thread safety: ConfigureFunctionLog may race with Log (the switch is atomic per field; call
// it before serving). ThreadInvocationScope affects the calling thread only. The formatters
// are pure.
#ifndef ZEROSTART_SRC_RUNTIME_FUNCTION_LOG_H_
#define ZEROSTART_SRC_RUNTIME_FUNCTION_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "src/common/env.h"
#include "zerostart/invocation.h"
#include "zerostart/log.h"

namespace zerostart::runtime {

enum class LogFormat { kText, kJson };

struct FunctionLogConfig {
  LogFormat format = LogFormat::kText;
  // The least detailed level written in JSON mode (text mode writes every level).
  LogLevel level = LogLevel::kTrace;
};

// AWS_LAMBDA_LOG_FORMAT ("JSON", any case, selects JSON; anything else is text) and
// AWS_LAMBDA_LOG_LEVEL (TRACE..FATAL, any case; anything else, or unset, is kTrace). Never
// fails: a function must not refuse to start over how it logs.
FunctionLogConfig FunctionLogConfigFromEnvironment(const EnvMap& env);

// Makes Log() follow `config` from now on (process-wide). Run() calls it once at start-up.
void ConfigureFunctionLog(const FunctionLogConfig& config);

// While it lives, records the calling thread writes carry `invocation`'s request id (and
// tenant id). `invocation` must outlive the scope. Scopes nest: the destructor restores the
// thread's previous invocation.
class ThreadInvocationScope {
 public:
  explicit ThreadInvocationScope(const Invocation& invocation);
  ~ThreadInvocationScope();
  ThreadInvocationScope(const ThreadInvocationScope&) = delete;
  ThreadInvocationScope& operator=(const ThreadInvocationScope&) = delete;

 private:
  const Invocation* previous_;
};

// The level's name as Lambda writes it ("TRACE" .. "FATAL").
std::string_view LogLevelName(LogLevel level);

// Replaces `*out` with the record, ending in '\n', in `format`. `unix_ms` is the time in
// milliseconds since the epoch (UTC); empty `request_id` / `tenant_id` are written as empty /
// left out.
void FormatLogRecord(LogFormat format, LogLevel level, int64_t unix_ms,
                     std::string_view request_id, std::string_view tenant_id,
                     std::string_view message, std::initializer_list<LogField> fields,
                     std::string* out);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_FUNCTION_LOG_H_
