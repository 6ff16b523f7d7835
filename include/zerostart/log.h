// File: zerostart/log.h
//
// Application logs the way Lambda's managed runtimes write them, so CloudWatch (and Logs
// Insights) read a zerostart function's logs like a Node.js or Python one's:
//
//   zerostart::LogInfo("resized", {{"width", 640}, {"format", "webp"}});
//   if (zerostart::LogEnabled(zerostart::LogLevel::kDebug)) {
//     zerostart::LogDebug("plan: " + ExpensiveDescription());
//   }
//
// Run() reads two variables once, at start-up (AWS docs "Configuring advanced logging controls
// for Lambda functions",
// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html):
//   AWS_LAMBDA_LOG_FORMAT  "JSON" (any case): one JSON object per line,
//                            {"timestamp":"2026-03-02T10:15:30.123Z","level":"INFO",
//                             "requestId":"...","message":"...", <fields>...}
//                          plus "tenantId" when the invoke has one. Anything else, or unset:
//                          text, "<timestamp>\t<requestId>\t<LEVEL>\t<message>", followed by
//                          "\t" and the fields as one JSON object when there are any (the
//                          Node.js runtime interface client's formats, src/logging/formatter.ts).
//   AWS_LAMBDA_LOG_LEVEL   TRACE, DEBUG, INFO, WARN, ERROR or FATAL (any case): in JSON mode,
//                          records below it are dropped. Unset or anything else: TRACE, i.e.
//                          everything (as the Node.js client does, src/utils/env.ts). Lambda
//                          documents levels for JSON logs only, so text mode writes every record.
// Before Run() starts, and in a process that never calls it, records are written as text.
//
// requestId is the id of the invoke the calling thread is serving (each worker of a Managed
// Instances environment has its own), and empty outside an invoke (in init, or on a thread of
// the handler's own). The timestamp is UTC with milliseconds.
//
// Each record is one line on stdout, written with a single write(2), so records from
// concurrent threads never interleave. A newline in the message cannot split a record: JSON
// escapes it, and text mode writes it as '\r' (as the Node.js client does), which CloudWatch
// shows as a line break within the record. Invalid UTF-8 is written as U+FFFD in JSON.
//
// Thread safety: every function may be called from any thread at any time.
#ifndef ZEROSTART_LOG_H_
#define ZEROSTART_LOG_H_

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace zerostart {

// Lambda's application log levels, most detailed first.
enum class LogLevel { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kFatal = 5 };

// One user field of a record: a key and a JSON value (string, number, boolean, or JSON text
// the caller vouches for). Holds views: build it in the call to Log, as in the example above.
// Fields named like the record's own keys (timestamp, level, requestId, message, tenantId)
// are dropped, so the record stays what Lambda expects.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value)
      : key_(key), kind_(Kind::kString), text_(value) {}
  LogField(std::string_view key, const char* value) : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, const std::string& value)
      : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, bool value) : key_(key), kind_(Kind::kBool), bool_(value) {}
  template <std::signed_integral T>
  LogField(std::string_view key, T value)
      : key_(key), kind_(Kind::kInt), int_(static_cast<int64_t>(value)) {}
  template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>)
  LogField(std::string_view key, T value)
      : key_(key), kind_(Kind::kUint), uint_(static_cast<uint64_t>(value)) {}
  // A non-finite double is written as null (JSON has no NaN or Infinity).
  LogField(std::string_view key, double value) : key_(key), kind_(Kind::kDouble), double_(value) {}
  // `json` is written as the value unchanged: it must be one valid JSON value.
  static LogField Json(std::string_view key, std::string_view json) {
    LogField field(key, json);
    field.kind_ = Kind::kJson;
    return field;
  }

  // Appends `,"key":value` to `*out` (for the runtime's formatter).
  void AppendTo(std::string* out) const;
  std::string_view key() const { return key_; }

 private:
  enum class Kind { kString, kJson, kBool, kInt, kUint, kDouble };
  std::string_view key_;
  Kind kind_;
  union {
    std::string_view text_;
    bool bool_;
    int64_t int_;
    uint64_t uint_;
    double double_;
  };
};

// True when a record at `level` would be written: build costly messages only then. One atomic
// load.
bool LogEnabled(LogLevel level);

// Writes one record at `level` unless it is filtered out (see above). Never throws; a failed
// write to stdout is ignored (there is nowhere else to report it).
void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

inline void LogTrace(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kTrace, m, f);
}
inline void LogDebug(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kDebug, m, f);
}
inline void LogInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}
inline void LogFatal(std::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kFatal, m, f);
}

}  // namespace zerostart

#endif  // ZEROSTART_LOG_H_
