// log_bench: the cost of one application log record (zerostart/log.h; Google Benchmark).
// Never run by ctest.
//
//   FormatJson*   : FormatLogRecord into a reused buffer, JSON mode, a 40-byte message with
//                   no fields / three user fields (string, integer, double); no I/O.
//   FormatText    : the same record in text mode.
//   LogJsonDevNull: zerostart::LogInfo end to end (clock, format, one write(2)) with stdout
//                   redirected to /dev/null, so the write is a syscall that copies nothing.
//   LogFiltered   : LogDebug when JSON mode's level is INFO: what a dropped record costs.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "src/runtime/function_log.h"
#include "zerostart/log.h"

namespace zerostart::runtime {
namespace {

constexpr std::string_view kMessage = "resized image 640x480 to webp in 12 ms";
constexpr std::string_view kRequestId = "8f507cfc-ec0e-4a4b-8b6a-2d4fdd5b1e0a";
constexpr int64_t kMs = 1772446530123;

void BM_FormatJson(benchmark::State& state) {
  std::string line;
  for (auto _ : state) {
    FormatLogRecord(LogFormat::kJson, LogLevel::kInfo, kMs, kRequestId, "", kMessage, {}, &line);
    benchmark::DoNotOptimize(line.data());
  }
}
BENCHMARK(BM_FormatJson);

void BM_FormatJsonWithFields(benchmark::State& state) {
  std::string line;
  for (auto _ : state) {
    FormatLogRecord(LogFormat::kJson, LogLevel::kInfo, kMs, kRequestId, "", kMessage,
                    {{"format", "webp"}, {"width", 640}, {"seconds", 0.012}}, &line);
    benchmark::DoNotOptimize(line.data());
  }
}
BENCHMARK(BM_FormatJsonWithFields);

void BM_FormatText(benchmark::State& state) {
  std::string line;
  for (auto _ : state) {
    FormatLogRecord(LogFormat::kText, LogLevel::kInfo, kMs, kRequestId, "", kMessage, {}, &line);
    benchmark::DoNotOptimize(line.data());
  }
}
BENCHMARK(BM_FormatText);

// Runs `body` with stdout on /dev/null.
template <typename Body>
void WithStdoutOnDevNull(Body&& body) {
  const int saved = ::dup(STDOUT_FILENO);
  const int null = ::open("/dev/null", O_WRONLY);
  ::dup2(null, STDOUT_FILENO);
  body();
  ::dup2(saved, STDOUT_FILENO);
  ::close(null);
  ::close(saved);
}

void BM_LogJsonDevNull(benchmark::State& state) {
  ConfigureFunctionLog({LogFormat::kJson, LogLevel::kInfo});
  Invocation invocation;
  invocation.request_id = std::string(kRequestId);
  ThreadInvocationScope scope(invocation);
  WithStdoutOnDevNull([&] {
    for (auto _ : state) LogInfo(kMessage, {{"width", 640}});
  });
  ConfigureFunctionLog({});
}
BENCHMARK(BM_LogJsonDevNull);

void BM_LogFiltered(benchmark::State& state) {
  ConfigureFunctionLog({LogFormat::kJson, LogLevel::kInfo});
  for (auto _ : state) LogDebug(kMessage, {{"width", 640}});
  ConfigureFunctionLog({});
}
BENCHMARK(BM_LogFiltered);

}  // namespace
}  // namespace zerostart::runtime

BENCHMARK_MAIN();
