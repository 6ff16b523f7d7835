// Line-oriented logging to stderr. Lambda captures a function's stderr line by line, so each
// call writes exactly one line with a single write(2) (lines from threads never interleave).
// Silent by default: only kError and above print unless the level is lowered, so the hot path
// costs one comparison. Never log payloads.
// Thread safety: all functions are safe to call concurrently.
#ifndef ZEROSTART_SRC_COMMON_LOG_H_
#define ZEROSTART_SRC_COMMON_LOG_H_

#include <string_view>

namespace zerostart::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// Sets the threshold (default kError). ParseLevel maps "debug", "info", "warn"/"warning",
// "error", "off" (any case) and returns `fallback` for anything else.
void SetLevel(Level level);
Level ParseLevel(std::string_view text, Level fallback);
bool Enabled(Level level);

// Writes "<prefix><LEVEL> <message>\n" to stderr, whatever the threshold (the helpers below
// check it first; call Write directly for a line that must always be seen).
void Write(Level level, std::string_view message);
// Sets the prefix written before every line (e.g. "[zerostart] "). Not thread-safe with Write:
// call once at start-up.
void SetPrefix(std::string_view prefix);

inline void Debug(std::string_view m) { if (Enabled(Level::kDebug)) Write(Level::kDebug, m); }
inline void Info(std::string_view m) { if (Enabled(Level::kInfo)) Write(Level::kInfo, m); }
inline void Warning(std::string_view m) { if (Enabled(Level::kWarning)) Write(Level::kWarning, m); }
inline void Error(std::string_view m) { if (Enabled(Level::kError)) Write(Level::kError, m); }

}  // namespace zerostart::log

#endif  // ZEROSTART_SRC_COMMON_LOG_H_
