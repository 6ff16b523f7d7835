// faulty: a deliberately misbehaving function for emulator and runtime tests (test-only).
// The event is JSON; its "action" picks the behaviour (unknown or non-JSON events echo):
//   "echo"      return the payload unchanged (the default)
//   "throw"     throw std::runtime_error with a non-ASCII message ("ünïcödé")
//   "throw_int" throw 42
//   "error"     return Response::Failure("MyError", ...)
//   "crash"     die by SIGSEGV (default disposition restored first, also under ASan)
//   "exit"      exit(3) in the middle of the invoke
//   "hang"      sleep forever
//   "sleep_ms"  sleep "ms" milliseconds, then echo
//   "wait_file" wait until the file "path" exists (checked every millisecond), then echo: holds
//               the instance busy until the test says so
//   "big"       respond "bytes" bytes of 'x' (application/octet-stream), e.g. 7000000
//   "log"       write "lines" lines to stdout and to stderr, then respond {"lines":N}
//   "app_log"   one zerostart/log.h record per level, TRACE..FATAL, then a raw JSON line at
//               level debug; respond {"logged":true}
//   "alloc"     touch "mb" MiB of memory, then respond {"mb":N} (for RSS measurements; with
//               more than the emulator's --memory the memory limit kills it)
//   "spin"      a chain of "iterations" dependent sin() calls (fixed CPU work), then respond
//               {"iterations":N,"cpu_ms":C,"wall_ms":W}: the CPU time it took and the time it
//               took on the clock (C/W is the CPU share it got)
//   "init_spin" respond the same for the FAULTY_INIT_SPIN work done in init (0s without it)
//   "cpu_budget" respond what src/common/cpu_budget decides now: {"threads","quota_us",
//               "period_us" (0 without a quota),"visible","memory_mb","cgroup" (/proc/self/cgroup)}
//   "ticks"     respond {"ticks":N,"pid":P}: N is how many 1-ms sleeps a background thread
//               (started by the first "ticks") has finished — it advances only while the
//               process runs, so it shows whether the environment was frozen in between
// Environment: FAULTY_INIT_FAIL=1 makes init fail; FAULTY_INIT_FAIL_FILE=path makes init fail
// when that file exists at the end of init (so a test can fail the init of some environments
// and not others); FAULTY_INIT_SLEEP_MS=n sleeps n ms in init;
// FAULTY_INIT_WAIT_FILE=path waits in init until that file exists (checked every millisecond);
// FAULTY_INIT_EXIT_TOKEN=path: an init that finds `path` takes it (renames it to path.PID-NS, so
// exactly one environment does) and exits with status 4 — a runtime that dies during init;
// FAULTY_INIT_SPIN=n runs a chain of n sin() calls in init (fixed CPU work), after the waits.
// FAULTY_ON_SHUTDOWN=1 sets RunOptions::on_shutdown to a hook that writes
// "faulty: shutdown hook ran" to stderr.
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <cmath>
#include <csignal>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "src/common/cpu_budget.h"
#include "src/common/env.h"
#include "zerostart/log.h"
#include "zerostart/runtime.h"

namespace {

using zerostart::Response;

void SleepMs(long long ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Fixed CPU work: each sin() waits for the previous one.
double Spin(long long iterations) {
  volatile double x = 1.0;
  for (long long i = 0; i < iterations; ++i) x = std::sin(x);
  return x;
}

double ClockMs(clockid_t clock) {
  timespec now{};
  ::clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// Spin(iterations) as JSON: {"iterations":N,"cpu_ms":C,"wall_ms":W}.
std::string TimedSpin(long long iterations) {
  const double cpu_start = ClockMs(CLOCK_THREAD_CPUTIME_ID);
  const double wall_start = ClockMs(CLOCK_MONOTONIC);
  Spin(iterations);
  nlohmann::json json;
  json["iterations"] = iterations;
  json["cpu_ms"] = ClockMs(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  json["wall_ms"] = ClockMs(CLOCK_MONOTONIC) - wall_start;
  return json.dump();
}

std::string init_spin_json = R"({"iterations":0,"cpu_ms":0,"wall_ms":0})";

extern "C" char** environ;

std::string CpuBudgetJson() {
  const zerostart::CpuBudget budget = zerostart::ReadCpuBudget(zerostart::EnvFromArray(environ));
  std::ifstream cgroup_file("/proc/self/cgroup");
  std::stringstream cgroup;
  cgroup << cgroup_file.rdbuf();
  nlohmann::json json;
  json["threads"] = budget.threads;
  json["quota_us"] = budget.quota ? budget.quota->quota_us : 0;
  json["period_us"] = budget.quota ? budget.quota->period_us : 0;
  json["visible"] = budget.visible_cpus;
  json["memory_mb"] = budget.memory_mb.value_or(0);
  json["cgroup"] = cgroup.str();
  return json.dump();
}

Response Handle(const zerostart::Invocation& invocation) {
  nlohmann::json event = nlohmann::json::parse(invocation.payload, nullptr, /*allow_exceptions=*/false);
  std::string action = event.is_object() ? event.value("action", "echo") : "echo";
  auto number = [&](const char* key, long long fallback) {
    return event.is_object() ? event.value(key, fallback) : fallback;
  };

  if (action == "throw") throw std::runtime_error("faulty: ünïcödé failure");
  if (action == "throw_int") throw 42;
  if (action == "error") return Response::Failure("MyError", "faulty: returned an error");
  if (action == "crash") {
    // Default disposition first: sanitizer builds install a SIGSEGV handler that would turn
    // the crash into "exit 1"; the process must die by the signal in every build.
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
  }
  if (action == "exit") std::exit(3);
  if (action == "hang") {
    for (;;) ::pause();
  }
  if (action == "sleep_ms") SleepMs(number("ms", 0));
  if (action == "wait_file") {
    const std::string path = event.value("path", "");
    while (::access(path.c_str(), F_OK) != 0) SleepMs(1);
  }
  if (action == "big") {
    return Response::Success(std::string(static_cast<size_t>(number("bytes", 0)), 'x'),
                             "application/octet-stream");
  }
  if (action == "log") {
    long long lines = number("lines", 1);
    for (long long i = 0; i < lines; ++i) {
      std::printf("faulty stdout line %lld\n", i);
      std::fprintf(stderr, "faulty stderr line %lld\n", i);
    }
    std::fflush(stdout);
    return Response::Success(R"({"lines":)" + std::to_string(lines) + "}");
  }
  if (action == "app_log") {
    // One zerostart/log.h record per level (the runtime filters them by AWS_LAMBDA_LOG_LEVEL),
    // and one raw JSON line at DEBUG that only Lambda's own filter can drop.
    for (zerostart::LogLevel level : {zerostart::LogLevel::kTrace, zerostart::LogLevel::kDebug,
                                      zerostart::LogLevel::kInfo, zerostart::LogLevel::kWarn,
                                      zerostart::LogLevel::kError, zerostart::LogLevel::kFatal}) {
      zerostart::Log(level, "faulty app_log", {{"rank", static_cast<int>(level)}});
    }
    std::printf("{\"level\":\"debug\",\"message\":\"faulty raw debug line\"}\n");
    std::fflush(stdout);
    return Response::Success(R"({"logged":true})");
  }
  if (action == "spin") return Response::Success(TimedSpin(number("iterations", 0)));
  if (action == "init_spin") return Response::Success(init_spin_json);
  if (action == "cpu_budget") return Response::Success(CpuBudgetJson());
  if (action == "ticks") {
    static std::atomic<long long> ticks{0};
    static std::once_flag started;
    std::call_once(started, [] {
      std::thread([] {
        for (;;) {
          SleepMs(1);
          ticks.fetch_add(1, std::memory_order_relaxed);
        }
      }).detach();
    });
    return Response::Success(R"({"ticks":)" + std::to_string(ticks.load()) + R"(,"pid":)" +
                             std::to_string(::getpid()) + "}");
  }
  if (action == "alloc") {
    long long mb = number("mb", 0);
    const size_t bytes = static_cast<size_t>(mb) << 20;
    if (bytes > 0) {
      // MAP_POPULATE faults the pages in inside the kernel, several times faster than a store to
      // each page from here: over the memory limit well within any timeout, at any CPU share.
      void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
      if (block == MAP_FAILED) return Response::Failure("AllocError", std::strerror(errno));
      // Write every page so it is resident, whatever the kernel did.
      for (size_t i = 0; i < bytes; i += 4096) static_cast<volatile char*>(block)[i] = 1;
      ::munmap(block, bytes);
    }
    return Response::Success(R"({"mb":)" + std::to_string(mb) + "}");
  }
  return Response::Success(invocation.payload, invocation.content_type.empty()
                                                   ? Response::kJsonContentType
                                                   : invocation.content_type);
}

zerostart::Status Init() {
  if (const char* ms = std::getenv("FAULTY_INIT_SLEEP_MS")) SleepMs(std::atoll(ms));
  if (const char* path = std::getenv("FAULTY_INIT_WAIT_FILE")) {
    while (::access(path, F_OK) != 0) SleepMs(1);
  }
  if (const char* iterations = std::getenv("FAULTY_INIT_SPIN")) {
    init_spin_json = TimedSpin(std::atoll(iterations));
  }
  if (const char* token = std::getenv("FAULTY_INIT_EXIT_TOKEN")) {
    // The pid and the time: over a long run, pids come round again.
    const std::string taken = std::string(token) + "." + std::to_string(::getpid()) + "-" +
                              std::to_string(static_cast<long long>(ClockMs(CLOCK_MONOTONIC) * 1e6));
    if (std::rename(token, taken.c_str()) == 0) std::_Exit(4);
  }
  const char* fail = std::getenv("FAULTY_INIT_FAIL");
  if (fail != nullptr && std::strcmp(fail, "1") == 0) {
    return zerostart::FailedPreconditionError("faulty: init failed on purpose (FAULTY_INIT_FAIL=1)");
  }
  const char* fail_file = std::getenv("FAULTY_INIT_FAIL_FILE");
  if (fail_file != nullptr && ::access(fail_file, F_OK) == 0) {
    return zerostart::FailedPreconditionError(std::string("faulty: init failed on purpose (") + fail_file +
                                              " exists)");
  }
  return zerostart::OkStatus();
}

}  // namespace

int main() {
  zerostart::RunOptions options;
  options.init = Init;
  if (const char* on_shutdown = std::getenv("FAULTY_ON_SHUTDOWN"); on_shutdown && *on_shutdown == '1') {
    options.on_shutdown = [] { std::fputs("faulty: shutdown hook ran\n", stderr); };
  }
  return zerostart::Run(Handle, options);
}
