#include "src/common/log.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <string>

namespace zerostart::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kError)};
std::string g_prefix;

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* Name(Level level) {
  switch (level) {
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarning: return "WARN";
    case Level::kError: return "ERROR";
    case Level::kOff: break;
  }
  return "";
}

}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }

Level ParseLevel(std::string_view text, Level fallback) {
  std::string t = Lower(text);
  if (t == "debug" || t == "trace") return Level::kDebug;
  if (t == "info") return Level::kInfo;
  if (t == "warn" || t == "warning") return Level::kWarning;
  if (t == "error" || t == "fatal") return Level::kError;
  if (t == "off") return Level::kOff;
  return fallback;
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed) && level != Level::kOff;
}

void SetPrefix(std::string_view prefix) { g_prefix = std::string(prefix); }

void Write(Level level, std::string_view message) {
  std::string line = g_prefix;
  line += Name(level);
  line += ' ';
  // One line per call: embedded newlines would split the record in Lambda's log capture.
  for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  // A single write(2) keeps concurrent lines whole; a failed log write has nowhere to go.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace zerostart::log
