#include "src/emulator/function_config.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <iterator>
#include <cstdio>
#include <cstring>

#include "src/common/lambda_protocol.h"
#include "src/emulator/ids.h"

namespace zerostart::emulator {
namespace {

bool ValidFunctionName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string FunctionNameFromFile(std::string_view file_name) {
  std::string name(file_name);
  for (char& c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) c = '_';
  }
  if (name.size() > 64) name.resize(64);
  return name;
}

namespace {

std::string FileName(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

Result<Protocol> ParseProtocol(std::string_view text) {
  if (text == "auto" || text == "runtime-api") return Protocol::kRuntimeApi;
  if (text == "go1x") return Protocol::kGo1x;
  return InvalidArgumentError("unknown protocol '" + std::string(text) +
                              "' (expected auto, runtime-api or go1x)");
}

namespace {

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

constexpr std::string_view kApplicationLevels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view text) {
  std::string upper = Upper(text);
  if (upper == "TEXT") return LogFormat::kText;
  if (upper == "JSON") return LogFormat::kJson;
  return InvalidArgumentError("unknown log format '" + std::string(text) + "' (expected text or json)");
}

int LogLevelRank(std::string_view level) {
  for (size_t i = 0; i < std::size(kApplicationLevels); ++i) {
    if (kApplicationLevels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

Result<std::string> ParseApplicationLogLevel(std::string_view text) {
  const std::string upper = Upper(text);
  if (upper == "WARNING") return std::string("WARN");
  if (LogLevelRank(upper) >= 0) return upper;
  return InvalidArgumentError("unknown log level '" + std::string(text) +
                              "' (expected TRACE, DEBUG, INFO, WARN, ERROR or FATAL)");
}

Result<std::string> ParseSystemLogLevel(std::string_view text) {
  const std::string upper = Upper(text);
  if (upper == "WARNING") return std::string("WARN");
  if (upper == "DEBUG" || upper == "INFO" || upper == "WARN") return upper;
  return InvalidArgumentError("unknown system log level '" + std::string(text) + "' (expected DEBUG, INFO or WARN)");
}

Result<ResolvedFunction> ResolveFunction(const FunctionConfig& config) {
  const std::string& path = config.path;
  if (path.empty()) return InvalidArgumentError("no FUNCTION given");
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return InvalidArgumentError("function '" + path + "': " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) {
    return InvalidArgumentError("function '" + path + "' is a directory, not an executable");
  }
  if (!S_ISREG(info.st_mode)) return InvalidArgumentError("function '" + path + "' is not a regular file");
  if (::access(path.c_str(), X_OK) != 0) {
    return InvalidArgumentError("function '" + path + "' is not executable (chmod +x?)");
  }
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    return InvalidArgumentError("function '" + path + "': " + std::strerror(errno));
  }
  ResolvedFunction out;
  out.executable = resolved;
  if (!config.task_root.empty()) {
    struct stat root;
    if (::stat(config.task_root.c_str(), &root) != 0 || !S_ISDIR(root.st_mode) ||
        ::realpath(config.task_root.c_str(), resolved) == nullptr) {
      return InvalidArgumentError("task root '" + config.task_root + "' is not a folder");
    }
    out.directory = resolved;
  } else {
    out.directory = out.executable.substr(0, out.executable.rfind('/'));
    if (out.directory.empty()) out.directory = "/";
  }
  // A name derived from the file name is made valid (e.g. "bootstrap.sh" -> "bootstrap_sh");
  // one given explicitly must already be.
  out.name = config.name.empty() ? FunctionNameFromFile(FileName(path)) : config.name;
  if (!ValidFunctionName(out.name)) {
    return InvalidArgumentError("function name '" + out.name +
                                "' is not a valid Lambda function name ([A-Za-z0-9_-], at most 64; "
                                "use --function-name)");
  }
  if (config.memory_mb < lambda::kMinMemoryMb || config.memory_mb > lambda::kMaxMemoryMb) {
    return InvalidArgumentError("--memory " + std::to_string(config.memory_mb) +
                                " is outside Lambda's range of " +
                                std::to_string(lambda::kMinMemoryMb) + " to " +
                                std::to_string(lambda::kMaxMemoryMb) + " MB");
  }
  if (!(config.timeout_seconds > 0) || config.timeout_seconds > lambda::kMaxTimeoutSeconds) {
    return InvalidArgumentError("--timeout must be more than 0 and at most 900 seconds");
  }
  return out;
}

std::string RegionOf(const FunctionConfig& config) {
  auto region = EnvGet(config.env_overrides, lambda::kRegionEnv);
  return region && !region->empty() ? *region : std::string(lambda::kDefaultRegion);
}

std::string FunctionArn(std::string_view region, std::string_view name) {
  std::string arn = "arn:aws:lambda:";
  arn += region;
  arn += ':';
  arn += lambda::kEmulatorAccountId;
  arn += ":function:";
  arn += name;
  return arn;
}

std::string NewLogStreamName(std::chrono::system_clock::time_point now) {
  time_t t = std::chrono::system_clock::to_time_t(now);
  struct tm utc;
  gmtime_r(&t, &utc);
  char date[32];
  std::snprintf(date, sizeof(date), "%04d/%02d/%02d/", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday);
  std::string out = date;
  out += '[';
  out += lambda::kLatestVersion;
  out += ']';
  out += RandomHex(32);
  return out;
}

EnvMap BuildFunctionEnv(const FunctionConfig& config, const ResolvedFunction& function,
                        std::string_view runtime_api, std::string_view log_stream) {
  std::string region = RegionOf(config);
  EnvMap env;
  auto set = [&env](std::string_view key, std::string value) { env[std::string(key)] = std::move(value); };
  set(lambda::kFunctionNameEnv, function.name);
  set(lambda::kMemorySizeEnv, std::to_string(config.memory_mb));
  set(lambda::kFunctionVersionEnv, std::string(lambda::kLatestVersion));
  set(lambda::kLogGroupNameEnv, std::string(lambda::kLogGroupPrefix) + function.name);
  set(lambda::kLogStreamNameEnv, std::string(log_stream));
  set(lambda::kRegionEnv, region);
  set(lambda::kDefaultRegionEnv, region);
  set(lambda::kHandlerEnv, config.handler.empty() ? FileName(function.executable) : config.handler);
  // Locally the function's directory plays /var/task (and /var/runtime).
  set(lambda::kTaskRootEnv, function.directory);
  set(lambda::kRuntimeDirEnv, function.directory);
  set(lambda::kInitializationTypeEnv, std::string(lambda::kInitializationTypeOnDemand));
  if (config.protocol == Protocol::kGo1x) {
    set(lambda::kExecutionEnvEnv, std::string(lambda::kGo1xExecutionEnv));
  }
  if (config.logging.format == LogFormat::kJson) {
    set(lambda::kLogFormatEnv, "JSON");
    set(lambda::kLogLevelEnv, config.logging.application_level.empty() ? "INFO" : config.logging.application_level);
  } else {
    set(lambda::kLogFormatEnv, "Text");
  }
  set("TZ", std::string(lambda::kLambdaTz));
  set("LANG", std::string(lambda::kLambdaLang));
  set("PATH", std::string(lambda::kLambdaPath));
  set("LD_LIBRARY_PATH",
      ReplaceAll(std::string(lambda::kLambdaLdLibraryPath), lambda::kLambdaTaskRoot, function.directory));
  for (const auto& [key, value] : config.env_overrides) env[key] = value;
  // A region given only as AWS_REGION applies to both, as on Lambda.
  if (!config.env_overrides.count(std::string(lambda::kDefaultRegionEnv))) {
    set(lambda::kDefaultRegionEnv, region);
  }
  if (runtime_api.empty()) {
    // go1.x: there is no Runtime API to point at; a function falling back to it would hang.
    env.erase(std::string(lambda::kRuntimeApiEnv));
  } else {
    set(lambda::kRuntimeApiEnv, std::string(runtime_api));
  }
  return env;
}

}  // namespace zerostart::emulator
