// FunctionLogSink: the lines a function (or an extension) writes, on their way to the
// environment's log. In JSON log format, a JSON line whose "level" is below the application log
// level is dropped, as Lambda filters them (AWS docs "Log-level filtering": a missing or
// unknown level counts as INFO); every line kept is also handed to the Telemetry API
// subscribers of its kind ("function" or "extension" events).
// Thread safety: as LogSink; `next` and `telemetry` must outlive the sink.
#ifndef ZEROSTART_SRC_EMULATOR_FUNCTION_LOG_SINK_H_
#define ZEROSTART_SRC_EMULATOR_FUNCTION_LOG_SINK_H_

#include <string>
#include <string_view>

#include "src/emulator/log_sink.h"
#include "src/emulator/platform_records.h"
#include "src/emulator/telemetry.h"

namespace zerostart::emulator {

class FunctionLogSink : public LogSink {
 public:
  // `min_level_rank`: LogLevelRank() of the application log level, or -1 to keep every line.
  // `telemetry` may be null.
  FunctionLogSink(LogSink* next, TelemetryHub* telemetry, LogSource source, int min_level_rank);

  void WriteStdout(std::string_view lines) override;
  void WriteStderr(std::string_view lines) override;

  // The level rank a JSON log line carries (0 TRACE .. 5 FATAL); INFO's for any other line.
  static int LineLevelRank(std::string_view line);

 private:
  // The lines to keep, each also published; `lines` itself when all are kept.
  std::string_view Route(std::string_view lines, std::string* kept);

  LogSink* const next_;
  TelemetryHub* const telemetry_;
  const LogSource source_;
  const TelemetryCategory category_;
  const int min_level_rank_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_FUNCTION_LOG_SINK_H_
