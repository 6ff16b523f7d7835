// RunOptions::on_shutdown: SIGTERM taken on the watcher thread, the hook called through the
// handler boundary, exit status 0; and a registration Lambda refuses is a warning, not the end.
// Each case runs in a child process (gtest death tests): the watcher and the parked thread
// live as long as the process, and SIGTERM stays blocked in the thread that armed them.
#include "src/runtime/shutdown_hook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "src/runtime/testing/fake_runtime_api.h"
#include "zerostart/runtime.h"

namespace zerostart::runtime {
namespace {

using testing::FakeRuntimeApi;

// Arms the watcher with `hook`, sends the process SIGTERM and waits for the watcher to end it.
[[noreturn]] void ArmAndTerminate(ShutdownFunction hook) {
  Status started = StartShutdownWatcher(std::move(hook));
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    std::_Exit(3);
  }
  ::kill(::getpid(), SIGTERM);  // blocked here: only the watcher's sigwait takes it
  for (;;) ::pause();
}

TEST(ShutdownHookDeathTest, SigtermRunsTheHookFlushesAndExitsZero) {
  EXPECT_EXIT(ArmAndTerminate([] {
                // Buffered, not flushed by the hook: the watcher's fflush must send it.
                std::setvbuf(stdout, nullptr, _IOFBF, 4096);
                std::fputs("hook ran on stderr\n", stderr);
              }),
              ::testing::ExitedWithCode(0), "hook ran on stderr");
}

TEST(ShutdownHookDeathTest, AThrowingHookIsReportedAndStillExitsZero) {
  EXPECT_EXIT(ArmAndTerminate([] { throw std::runtime_error("cannot close the pool"); }),
              ::testing::ExitedWithCode(0),
              "shutdown hook failed: std::runtime_error: cannot close the pool");
}

Reply RefuseRegistrationServeOne(const http::Request& request, size_t) {
  if (request.target == "/2020-01-01/extension/register") {
    Reply refused;
    refused.response.status = 403;
    refused.response.body = R"({"errorMessage":"Extension registration closed already","errorType":"Extension.RegistrationClosed"})";
    return refused;
  }
  static bool served = false;
  if (request.method == "GET" && !served) {
    served = true;
    return testing::EventReply("req-1", "{}");
  }
  return request.method == "POST" ? testing::AcceptedReply() : testing::StopReply();
}

// Run() with on_shutdown against a Runtime API that refuses the registration: it warns, then
// serves the invoke as usual. The register request comes first, with no events.
[[noreturn]] void RunWithRefusedRegistration() {
  FakeRuntimeApi server(RefuseRegistrationServeOne);
  RunOptions options;
  options.on_shutdown = [] {};
  options.environment = {{"AWS_LAMBDA_RUNTIME_API", server.address()},
                         {"ZEROSTART_RUNTIME_RETRY_MS", "20"}};
  int code = Run([](const Invocation&) { return Response::Success("ok"); }, options);
  std::vector<http::Request> requests = server.requests();
  bool register_first = !requests.empty() && requests[0].method == "POST" &&
                        requests[0].target == "/2020-01-01/extension/register" &&
                        requests[0].headers.Get("Lambda-Extension-Name") == "zerostart-shutdown" &&
                        requests[0].body == R"({"events":[]})";
  bool served = requests.size() >= 3 && requests[2].target == "/2018-06-01/runtime/invocation/req-1/response";
  std::fprintf(stderr, "code=%d register_first=%d served=%d\n", code, register_first, served);
  std::_Exit(code == 1 && register_first && served ? 0 : 1);
}

TEST(ShutdownHookDeathTest, ARefusedRegistrationIsAWarningAndInvokesAreServed) {
  EXPECT_EXIT(RunWithRefusedRegistration(), ::testing::ExitedWithCode(0),
              "could not register the internal extension zerostart-shutdown.*"
              "Extension.RegistrationClosed(.|\n)*code=1 register_first=1 served=1");
}

}  // namespace
}  // namespace zerostart::runtime
