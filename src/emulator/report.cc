#include "src/emulator/report.h"

#include <time.h>

#include <cmath>
#include <cstdio>

namespace zerostart::emulator {
namespace {

std::string Fixed2(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.2f", value);
  return buffer;
}

}  // namespace

std::string StartLine(std::string_view request_id, std::string_view version) {
  std::string line = "START RequestId: ";
  line += request_id;
  line += " Version: ";
  line += version;
  line += '\n';
  return line;
}

std::string EndLine(std::string_view request_id) {
  std::string line = "END RequestId: ";
  line += request_id;
  line += '\n';
  return line;
}

uint64_t BilledDurationMs(double duration_ms) {
  if (!(duration_ms > 0)) return 0;
  return static_cast<uint64_t>(std::ceil(duration_ms));
}

uint64_t KibToReportMb(uint64_t kib) { return (kib + 1023) / 1024; }

std::string ReportLine(const ReportFields& fields) {
  std::string line = "REPORT RequestId: ";
  line += fields.request_id;
  line += "\tDuration: " + Fixed2(fields.duration_ms) + " ms";
  line += "\tBilled Duration: " + std::to_string(BilledDurationMs(fields.duration_ms)) + " ms";
  line += "\tMemory Size: " + std::to_string(fields.memory_size_mb) + " MB";
  line += "\tMax Memory Used: " + std::to_string(fields.max_memory_used_mb) + " MB";
  if (fields.init_duration_ms) line += "\tInit Duration: " + Fixed2(*fields.init_duration_ms) + " ms";
  if (!fields.status.empty()) {
    line += "\tStatus: ";
    line += fields.status;
    if (!fields.error_type.empty()) {
      line += "\tError Type: ";
      line += fields.error_type;
    }
  }
  line += "\t\n";
  return line;
}

std::string Rfc3339Millis(std::chrono::system_clock::time_point time) {
  auto since_epoch = time.time_since_epoch();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
  time_t t = static_cast<time_t>(seconds.count());
  struct tm utc;
  gmtime_r(&t, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis.count()));
  return buffer;
}

std::string TimeoutLogLine(std::chrono::system_clock::time_point now, std::string_view request_id,
                           double timeout_seconds) {
  std::string line = Rfc3339Millis(now);
  line += ' ';
  line += request_id;
  line += " Task timed out after " + Fixed2(timeout_seconds) + " seconds\n";
  return line;
}

std::string InitReportLine(double init_duration_ms, std::string_view status,
                           std::string_view error_type) {
  std::string line = "INIT_REPORT Init Duration: " + Fixed2(init_duration_ms) + " ms";
  line += "\tPhase: init\tStatus: ";
  line += status;
  if (!error_type.empty()) {
    line += "\tError Type: ";
    line += error_type;
  }
  line += "\t\n";
  return line;
}

}  // namespace zerostart::emulator
