#include "src/runtime/function_log.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>

#include "src/common/lambda_protocol.h"
#include "src/runtime/error_json.h"

namespace zerostart {
namespace {

// The least detailed level written: kTrace in text mode (no filtering, as Lambda documents
// levels for JSON logs only). Both start as text-with-everything, what a process that never
// calls Run() gets.
std::atomic<int> g_threshold{static_cast<int>(LogLevel::kTrace)};
std::atomic<bool> g_json{false};

// The invoke the calling thread serves: set by the invoke loop, so each worker thread of a
// Managed Instances environment logs its own request id without any lock.
thread_local const Invocation* t_invocation = nullptr;

constexpr std::array<std::string_view, 5> kReservedKeys = {"timestamp", "level", "requestId",
                                                           "message", "tenantId"};

bool IsReserved(std::string_view key) {
  for (std::string_view reserved : kReservedKeys) {
    if (key == reserved) return true;
  }
  return false;
}

// "2026-03-02T10:15:30.123Z": ISO 8601 UTC with milliseconds, as JavaScript's toISOString().
void AppendTimestamp(int64_t unix_ms, std::string* out) {
  const time_t seconds = static_cast<time_t>(unix_ms / 1000);
  const int ms = static_cast<int>(unix_ms % 1000);
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                              utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                              utc.tm_min, utc.tm_sec, ms);
  out->append(buffer, static_cast<size_t>(n));
}

template <typename Number>
void AppendNumber(Number value, std::string* out) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, static_cast<size_t>(end - buffer));
}

// Text mode keeps a record on one line: '\n' becomes '\r', as the Node.js client writes it,
// which CloudWatch still shows as a line break inside the one record.
void AppendOneLine(std::string_view text, std::string* out) {
  for (char c : text) out->push_back(c == '\n' ? '\r' : c);
}

// Writes all of `line` with as few write(2) calls as the kernel allows: one for any line a
// pipe takes whole, which is what keeps concurrent records apart.
void WriteLine(std::string_view line) {
  while (!line.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void LogField::AppendTo(std::string* out) const {
  out->push_back(',');
  runtime::AppendJsonString(key_, out);
  out->push_back(':');
  switch (kind_) {
    case Kind::kString: runtime::AppendJsonString(text_, out); return;
    case Kind::kJson: out->append(text_); return;
    case Kind::kBool: out->append(bool_ ? "true" : "false"); return;
    case Kind::kInt: AppendNumber(int_, out); return;
    case Kind::kUint: AppendNumber(uint_, out); return;
    case Kind::kDouble:
      if (std::isfinite(double_)) {
        AppendNumber(double_, out);
      } else {
        out->append("null");
      }
      return;
  }
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_threshold.load(std::memory_order_relaxed);
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  const bool json = g_json.load(std::memory_order_relaxed);
  const Invocation* invocation = t_invocation;
  // Reused per thread: steady-state records allocate nothing.
  thread_local std::string line;
  try {
    runtime::FormatLogRecord(json ? runtime::LogFormat::kJson : runtime::LogFormat::kText, level,
                             NowUnixMs(), invocation ? invocation->request_id : "",
                             invocation ? invocation->tenant_id : "", message, fields, &line);
  } catch (...) {
    return;  // out of memory: the record is lost, the function goes on
  }
  WriteLine(line);
}

namespace runtime {

FunctionLogConfig FunctionLogConfigFromEnvironment(const EnvMap& env) {
  auto upper = [](std::string text) {
    for (char& c : text) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return text;
  };
  FunctionLogConfig config;
  if (std::optional<std::string> format = EnvGet(env, lambda::kLogFormatEnv)) {
    if (upper(*format) == "JSON") config.format = LogFormat::kJson;
  }
  if (std::optional<std::string> level = EnvGet(env, lambda::kLogLevelEnv)) {
    const std::string name = upper(*level);
    for (int i = 0; i <= static_cast<int>(LogLevel::kFatal); ++i) {
      if (name == LogLevelName(static_cast<LogLevel>(i))) config.level = static_cast<LogLevel>(i);
    }
  }
  return config;
}

void ConfigureFunctionLog(const FunctionLogConfig& config) {
  g_json.store(config.format == LogFormat::kJson, std::memory_order_relaxed);
  g_threshold.store(config.format == LogFormat::kJson ? static_cast<int>(config.level)
                                                      : static_cast<int>(LogLevel::kTrace),
                    std::memory_order_relaxed);
}

ThreadInvocationScope::ThreadInvocationScope(const Invocation& invocation)
    : previous_(t_invocation) {
  t_invocation = &invocation;
}

ThreadInvocationScope::~ThreadInvocationScope() { t_invocation = previous_; }

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "TRACE";
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
    case LogLevel::kFatal: return "FATAL";
  }
  return "INFO";
}

void FormatLogRecord(LogFormat format, LogLevel level, int64_t unix_ms,
                     std::string_view request_id, std::string_view tenant_id,
                     std::string_view message, std::initializer_list<LogField> fields,
                     std::string* out) {
  out->clear();
  if (format == LogFormat::kText) {
    AppendTimestamp(unix_ms, out);
    out->push_back('\t');
    AppendOneLine(request_id, out);
    out->push_back('\t');
    out->append(LogLevelName(level));
    out->push_back('\t');
    AppendOneLine(message, out);
    if (fields.size() != 0) {
      // The fields as one JSON object; the leading ',' of the first one becomes its '{'.
      const size_t start = out->size() + 1;
      out->push_back('\t');
      for (const LogField& field : fields) {
        if (!IsReserved(field.key())) field.AppendTo(out);
      }
      if (out->size() == start) {
        out->push_back('{');
      } else {
        (*out)[start] = '{';
      }
      out->push_back('}');
    }
    out->push_back('\n');
    return;
  }
  // Hand-written rather than nlohmann::json: no tree to build, and one buffer reused per
  // thread (bench/log_bench.cc measures it).
  out->append("{\"timestamp\":\"");
  AppendTimestamp(unix_ms, out);
  out->append("\",\"level\":\"");
  out->append(LogLevelName(level));
  out->append("\",\"requestId\":");
  AppendJsonString(request_id, out);
  out->append(",\"message\":");
  AppendJsonString(message, out);
  if (!tenant_id.empty()) {
    out->append(",\"tenantId\":");
    AppendJsonString(tenant_id, out);
  }
  for (const LogField& field : fields) {
    if (!IsReserved(field.key())) field.AppendTo(out);
  }
  out->append("}\n");
}

}  // namespace runtime
}  // namespace zerostart
