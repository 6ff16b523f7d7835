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
//   "big"       respond "bytes" bytes of 'x' (application/octet-stream), e.g. 7000000
//   "log"       write "lines" lines to stdout and to stderr, then respond {"lines":N}
//   "alloc"     touch "mb" MiB of memory, then respond {"mb":N} (for RSS measurements)
// Environment: FAULTY_INIT_FAIL=1 makes init fail; FAULTY_INIT_SLEEP_MS=n sleeps n ms in init.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "zerostart/runtime.h"

namespace {

using zerostart::Response;

void SleepMs(long long ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

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
  if (action == "alloc") {
    long long mb = number("mb", 0);
    std::vector<char> block(static_cast<size_t>(mb) << 20);
    // Write every page so it is resident, whatever the allocator did.
    for (size_t i = 0; i < block.size(); i += 4096) block[i] = 1;
    volatile char sink = block.empty() ? 0 : block.back();
    (void)sink;
    return Response::Success(R"({"mb":)" + std::to_string(mb) + "}");
  }
  return Response::Success(invocation.payload, invocation.content_type.empty()
                                                   ? Response::kJsonContentType
                                                   : invocation.content_type);
}

zerostart::Status Init() {
  if (const char* ms = std::getenv("FAULTY_INIT_SLEEP_MS")) SleepMs(std::atoll(ms));
  const char* fail = std::getenv("FAULTY_INIT_FAIL");
  if (fail != nullptr && std::strcmp(fail, "1") == 0) {
    return zerostart::FailedPreconditionError("faulty: init failed on purpose (FAULTY_INIT_FAIL=1)");
  }
  return zerostart::OkStatus();
}

}  // namespace

int main() {
  zerostart::RunOptions options;
  options.init = Init;
  return zerostart::Run(Handle, options);
}
