#include "src/emulator/function_log_sink.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "src/emulator/function_config.h"

namespace zerostart::emulator {
namespace {

constexpr int kInfoRank = 2;

}  // namespace

FunctionLogSink::FunctionLogSink(LogSink* next, TelemetryHub* telemetry, LogSource source, int min_level_rank)
    : next_(next),
      telemetry_(telemetry),
      source_(source),
      category_(source == LogSource::kFunction ? TelemetryCategory::kFunction : TelemetryCategory::kExtension),
      min_level_rank_(min_level_rank) {}

int FunctionLogSink::LineLevelRank(std::string_view line) {
  size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] != '{') return kInfoRank;
  nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!record.is_object()) return kInfoRank;
  auto level = record.find("level");
  if (level == record.end() || !level->is_string()) return kInfoRank;
  Result<std::string> canonical = ParseApplicationLogLevel(level->get<std::string>());
  return canonical.ok() ? LogLevelRank(*canonical) : kInfoRank;
}

std::string_view FunctionLogSink::Route(std::string_view lines, std::string* kept) {
  const bool filter = min_level_rank_ > 0;
  const bool publish = telemetry_ != nullptr && telemetry_->HasSubscribers(category_);
  if (!filter && !publish) return lines;
  const auto now = std::chrono::system_clock::now();
  bool dropped = false;
  size_t start = 0;
  while (start < lines.size()) {
    size_t end = lines.find('\n', start);
    end = end == std::string_view::npos ? lines.size() : end + 1;
    std::string_view line = lines.substr(start, end - start);
    start = end;
    if (filter && LineLevelRank(line) < min_level_rank_) {
      dropped = true;
      continue;
    }
    if (publish) telemetry_->Publish(category_, LogLineEvent(now, source_, line));
    if (filter) kept->append(line);
  }
  return dropped ? std::string_view(*kept) : lines;
}

void FunctionLogSink::WriteStdout(std::string_view lines) {
  std::string kept;
  std::string_view out = Route(lines, &kept);
  if (!out.empty()) next_->WriteStdout(out);
}

void FunctionLogSink::WriteStderr(std::string_view lines) {
  std::string kept;
  std::string_view out = Route(lines, &kept);
  if (!out.empty()) next_->WriteStderr(out);
}

}  // namespace zerostart::emulator
