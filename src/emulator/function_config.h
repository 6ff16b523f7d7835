// FunctionConfig: what `zerostart serve` is told about the function (the Lambda function
// configuration), its validation, and the environment the function process gets — Lambda's
// defined runtime variables, clean (nothing inherited from the emulator), plus --env overrides.
// Thread safety: value types and pure functions.
#ifndef ZEROSTART_SRC_EMULATOR_FUNCTION_CONFIG_H_
#define ZEROSTART_SRC_EMULATOR_FUNCTION_CONFIG_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/env.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

// How the emulator talks to the function (Lambda's "runtime" setting, as far as the wire goes).
enum class Protocol {
  kRuntimeApi,  // provided.*: the function polls the Runtime API (AWS_LAMBDA_RUNTIME_API)
  kGo1x,        // go1.x: the function serves net/rpc on 127.0.0.1:_LAMBDA_SERVER_PORT
};

// Lambda's logging controls (Lambda API model LoggingConfig; AWS docs "Configuring advanced
// logging controls for Lambda functions"): the format of the function's and Lambda's records,
// and, in JSON format only, the levels that filter them.
enum class LogFormat { kText, kJson };
struct LoggingConfig {
  LogFormat format = LogFormat::kText;
  std::string application_level;  // TRACE|DEBUG|INFO|WARN|ERROR|FATAL; "" = INFO (JSON only)
  std::string system_level;       // DEBUG|INFO|WARN; "" = INFO (JSON only)
};

// "text"/"json" in any case. InvalidArgument otherwise.
Result<LogFormat> ParseLogFormat(std::string_view text);
// The canonical upper-case level, if `text` names one of Lambda's application log levels
// (any case; also WARNING for WARN, as the runtimes accept) or system log levels.
// InvalidArgument naming the accepted values otherwise.
Result<std::string> ParseApplicationLogLevel(std::string_view text);
Result<std::string> ParseSystemLogLevel(std::string_view text);
// 0 (TRACE) .. 5 (FATAL) for a canonical application level; -1 otherwise.
int LogLevelRank(std::string_view level);

// "auto" and "runtime-api" -> kRuntimeApi, "go1x" -> kGo1x (what `serve --protocol` accepts).
// InvalidArgument naming the accepted values otherwise.
Result<Protocol> ParseProtocol(std::string_view text);

struct FunctionConfig {
  std::string path;                // FUNCTION as given (absolute or relative to the cwd)
  std::vector<std::string> args;   // ARGS after FUNCTION
  std::string name;                // empty: the file name of `path`, made a valid name
  // The folder that plays /var/task: LAMBDA_TASK_ROOT and the working directory. Empty: the
  // directory of `path`. (Set when `path` is a launcher such as qemu, or for an unpacked zip.)
  std::string task_root;
  std::string handler;             // _HANDLER; empty: the file name of `path`
  int memory_mb = 1024;
  double timeout_seconds = 30;
  EnvMap env_overrides;            // --env K=V, applied over Lambda's variables
  Protocol protocol = Protocol::kRuntimeApi;
  LoggingConfig logging;
};

// The executable found for FUNCTION.
struct ResolvedFunction {
  std::string executable;  // absolute, symlinks resolved
  std::string directory;   // LAMBDA_TASK_ROOT and the working directory (absolute): the task
                           // root, else the executable's directory
  std::string name;        // the function name (config.name or the file name)
};

// `file_name` (a path's last component) made a valid Lambda function name: characters outside
// [A-Za-z0-9-] become '_', cut at 64. What ResolveFunction uses when no name is given.
std::string FunctionNameFromFile(std::string_view file_name);

// Checks the configuration: FUNCTION exists, is a regular file and executable; the name is a
// valid Lambda function name ([A-Za-z0-9_-]{1,64}); memory and timeout are positive; the task
// root, when given, is a folder.
// InvalidArgument with a message fit for the user otherwise.
Result<ResolvedFunction> ResolveFunction(const FunctionConfig& config);

// AWS_REGION from the overrides, else us-east-1.
std::string RegionOf(const FunctionConfig& config);

// "arn:aws:lambda:<region>:012345678912:function:<name>" (RIE's account id).
std::string FunctionArn(std::string_view region, std::string_view name);

// Lambda's log stream name for a new execution environment: "YYYY/MM/DD/[$LATEST]<32 hex>" (UTC).
std::string NewLogStreamName(std::chrono::system_clock::time_point now);

// The complete environment of a function process (see the README for the list), except what
// is chosen per environment (FunctionSide::ProcessEnv, e.g. go1.x: _LAMBDA_SERVER_PORT).
// `runtime_api` is "127.0.0.1:PORT" and cannot be overridden; when it is empty (go1.x mode)
// AWS_LAMBDA_RUNTIME_API is not set at all, not even by an override. go1.x mode also sets
// AWS_EXECUTION_ENV=AWS_Lambda_go1.x (an override may replace it). AWS_LAMBDA_LOG_FORMAT is
// Text or JSON; AWS_LAMBDA_LOG_LEVEL is set in JSON format only.
EnvMap BuildFunctionEnv(const FunctionConfig& config, const ResolvedFunction& function,
                        std::string_view runtime_api, std::string_view log_stream);

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_FUNCTION_CONFIG_H_
