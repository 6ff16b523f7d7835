// End-to-end tests of the emulator library, in-process, against real function processes:
// the bash+curl bootstrap (a runtime we did not write), build/bin/echo and build/bin/faulty.
#include "src/emulator/emulator.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "src/common/net.h"
#include "src/common/testing/thread_probe.h"
#include "tests/integration/test_support.h"

namespace zerostart::emulator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::BinPath;
using testing::FieldNumber;
using testing::Header;
using testing::InvokeClient;
using testing::Json;
using testing::ReportFor;
using testing::WaitUntil;
using thread_probe::PollUntil;

// The address of `fd`'s end (`peer` false) or of the other end of its connection.
std::optional<std::pair<in_addr_t, in_port_t>> Address(int fd, bool peer) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (rc != 0 || address.sin_family != AF_INET) return std::nullopt;
  return std::pair{address.sin_addr.s_addr, address.sin_port};
}

// The emulator runs in this process, one thread per Invoke API connection. The thread serving
// `client`'s connection: the one blocked reading the other end of it (both addresses match: a
// local port can also be in use by a connection elsewhere, e.g. the function's to the Runtime
// API); 0 while there is none (not accepted yet, or busy).
pid_t ServingThread(InvokeClient& client) {
  const auto client_end = Address(client.connection().fd(), /*peer=*/false);
  const auto server_end = Address(client.connection().fd(), /*peer=*/true);
  if (!client_end || !server_end) return 0;
  pid_t found = 0;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return 0;
  while (dirent* entry = ::readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    const pid_t tid = static_cast<pid_t>(std::atoi(entry->d_name));
    std::optional<thread_probe::BlockedCall> call = thread_probe::Blocked(tid);
    if (!call || call->number != SYS_read) continue;
    const int fd = static_cast<int>(call->args[0]);
    if (Address(fd, /*peer=*/true) == client_end && Address(fd, /*peer=*/false) == server_end) {
      found = tid;
      break;
    }
  }
  ::closedir(tasks);
  return found;
}

// Sends `request` on `client` and returns once the emulator has queued it: the thread serving
// the connection read it and waits for its answer on the invocation's condition variable
// (Pool::Invoke assigns it before it waits). False if that did not happen.
bool SendAndWaitUntilQueued(InvokeClient& client, const http::Request& request) {
  pid_t serving = 0;
  if (!PollUntil([&] { return (serving = ServingThread(client)) != 0; })) return false;
  if (!client.connection().Write(request).ok()) return false;
  return PollUntil([&] { return thread_probe::BlockedInConditionWait(serving); });
}

http::Request InvokeRequest(const std::string& payload) {
  http::Request request;
  request.method = "POST";
  request.target = "/2015-03-31/functions/function/invocations";
  request.body = payload;
  return request;
}

class EmulatorTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (emulator_) emulator_->Stop();
  }

  // Starts the emulator on a free port for `path`; `tweak` adjusts the options.
  void Start(const std::string& path, const std::function<void(EmulatorOptions&)>& tweak = {}) {
    EmulatorOptions options;
    options.function.path = path;
    options.function.timeout_seconds = 10;
    options.invoke_address = {"127.0.0.1", 0};
    options.sink = &sink_;
    if (tweak) tweak(options);
    auto started = Emulator::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emulator_ = std::move(started).value();
  }

  void StartFunction(const std::string& name, const std::function<void(EmulatorOptions&)>& tweak = {}) {
    if (!testing::HaveBinary(name)) GTEST_SKIP() << BinPath(name) << " is not built";
    Start(BinPath(name), tweak);
  }

  InvokeClient Client() {
    auto client = InvokeClient::Connect(emulator_->invoke_port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  http::Response MustInvoke(InvokeClient& client, const std::string& payload,
                            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto response = client.Invoke(payload, headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  }

  std::string Log() const { return sink_.stdout_text(); }

  // The Runtime API port of the (one) live execution environment.
  uint16_t RuntimeApiPort() {
    std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
    EXPECT_EQ(environments.size(), 1u);
    if (environments.empty()) return 0;
    const std::string& address = environments.front().runtime_api;
    return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
  }

  // The REPORT of `id`, waiting for it (it is written just after the answer).
  std::map<std::string, std::string> WaitReport(const std::string& id) {
    std::optional<std::map<std::string, std::string>> report;
    WaitUntil([&] { return (report = ReportFor(Log(), id)).has_value(); });
    EXPECT_TRUE(report.has_value()) << "no REPORT for " << id << " in:\n" << Log();
    return report.value_or(std::map<std::string, std::string>{});
  }

  // Our direct children: the function process (the emulator runs in this process).
  std::vector<pid_t> FunctionPids() const { return testing::ChildrenOf(::getpid()); }

  CapturingLogSink sink_;
  std::unique_ptr<Emulator> emulator_;
};

// --- A runtime we did not write: bash + curl ---

TEST_F(EmulatorTest, CurlBootstrapRoundTrip) {
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  Start(testing::CurlBootstrapPath(), [](EmulatorOptions& options) { options.function.name = "curlfn"; });
  InvokeClient client = Client();

  http::Response first = MustInvoke(client, R"({"hello":"curl-log"})");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, R"({"hello":"curl-log"})");
  EXPECT_EQ(Header(first, "X-Amz-Executed-Version"), "$LATEST");
  EXPECT_FALSE(first.headers.Has("X-Amz-Function-Error"));
  std::string id = Header(first, "X-Amzn-RequestId");
  auto report = WaitReport(id);
  EXPECT_TRUE(report.count("Init Duration")) << Log();
  // The function's stdout line sits between START and END; its stderr line went to stderr.
  std::string log = Log();
  size_t start = log.find("START RequestId: " + id + " Version: $LATEST\n");
  size_t line = log.find("curl_bootstrap: handling " + id + "\n");
  size_t end = log.find("END RequestId: " + id + "\n");
  ASSERT_NE(start, std::string::npos) << log;
  ASSERT_NE(line, std::string::npos) << log;
  EXPECT_LT(start, line);
  EXPECT_LT(line, end);
  EXPECT_NE(sink_.stderr_text().find("curl_bootstrap: to stderr\n"), std::string::npos);

  http::Response failed = MustInvoke(client, R"({"please":"curl-error"})");
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(Header(failed, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(Json(failed.body)["errorType"], "CurlError");
  EXPECT_FALSE(WaitReport(Header(failed, "X-Amzn-RequestId")).count("Init Duration"));
}

// --- echo: the happy path ---

TEST_F(EmulatorTest, EchoAnswersWithLambdasHeadersAndReport) {
  StartFunction("echo", [](EmulatorOptions& options) { options.function.memory_mb = 256; });
  InvokeClient client = Client();
  http::Response response = MustInvoke(client, R"({"n":1})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"n":1})");
  EXPECT_EQ(Header(response, "Content-Type"), "application/json");
  std::string id = Header(response, "X-Amzn-RequestId");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  auto report = WaitReport(id);
  EXPECT_EQ(report["Memory Size"], "256 MB");
  EXPECT_TRUE(std::regex_match(report["Duration"], std::regex(R"(\d+\.\d\d ms)"))) << report["Duration"];
  EXPECT_EQ(FieldNumber(report["Billed Duration"]), std::ceil(FieldNumber(report["Duration"])));
  EXPECT_GE(FieldNumber(report["Max Memory Used"]), 1);
  EXPECT_LT(FieldNumber(report["Max Memory Used"]), 256);  // measured, not the memory size
  EXPECT_TRUE(report.count("Init Duration"));
  // The exact line shape: Lambda's field order, tabs, trailing tab.
  EXPECT_TRUE(std::regex_search(
      Log(), std::regex("REPORT RequestId: " + id +
                        "\tDuration: [0-9.]+ ms\tBilled Duration: [0-9]+ ms\tMemory Size: 256 MB\t"
                        "Max Memory Used: [0-9]+ MB\tInit Duration: [0-9.]+ ms\t\n")))
      << Log();

  // Warm: same instance, no Init Duration; the empty payload arrives as {}.
  http::Response warm = MustInvoke(client, "");
  EXPECT_EQ(warm.body, "{}");
  EXPECT_FALSE(WaitReport(Header(warm, "X-Amzn-RequestId")).count("Init Duration"));
  EXPECT_EQ(FunctionPids().size(), 1u);
}

TEST_F(EmulatorTest, EventAndDryRunInvocationTypes) {
  StartFunction("echo");
  InvokeClient client = Client();
  http::Response dry = MustInvoke(client, "{}", {{"X-Amz-Invocation-Type", "DryRun"}});
  EXPECT_EQ(dry.status, 204);
  http::Response event = MustInvoke(client, R"({"async":true})", {{"X-Amz-Invocation-Type", "Event"}});
  EXPECT_EQ(event.status, 202);
  EXPECT_TRUE(event.body.empty());
  WaitReport(Header(event, "X-Amzn-RequestId"));
  EXPECT_EQ(testing::StartedRequestIds(Log()).size(), 1u);  // DryRun never ran
}

// --- faulty: every failure mode ---

TEST_F(EmulatorTest, FunctionErrorKeepsTheInstance) {
  StartFunction("faulty");
  InvokeClient client = Client();
  http::Response error = MustInvoke(client, R"({"action":"error"})");
  EXPECT_EQ(error.status, 200);
  EXPECT_EQ(Header(error, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(Json(error.body)["errorType"], "MyError");
  WaitReport(Header(error, "X-Amzn-RequestId"));
  std::vector<pid_t> before = FunctionPids();

  http::Response ok = MustInvoke(client, R"({"action":"echo","x":2})");
  EXPECT_EQ(ok.body, R"({"action":"echo","x":2})");
  EXPECT_FALSE(ok.headers.Has("X-Amz-Function-Error"));
  EXPECT_FALSE(WaitReport(Header(ok, "X-Amzn-RequestId")).count("Init Duration"));
  EXPECT_EQ(FunctionPids(), before);
}

TEST_F(EmulatorTest, TimeoutKillsTheProcessAndTheNextInvokeStartsFresh) {
  StartFunction("faulty", [](EmulatorOptions& options) { options.function.timeout_seconds = 1; });
  InvokeClient client = Client();
  MustInvoke(client, "{}");  // start it, to know its pid
  std::vector<pid_t> first = FunctionPids();
  ASSERT_EQ(first.size(), 1u);

  auto started = std::chrono::steady_clock::now();
  http::Response timed_out = MustInvoke(client, R"({"action":"hang"})");
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, milliseconds(950));  // load only delays: never early
  // The 1 s timeout plus 5 s for a loaded 2-core machine: still tells it from the 10 s default.
  EXPECT_LT(elapsed, seconds(6));
  std::string id = Header(timed_out, "X-Amzn-RequestId");
  EXPECT_EQ(timed_out.status, 200);
  EXPECT_EQ(Header(timed_out, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(timed_out.body, R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: )" + id +
                                R"( Error: Task timed out after 1.00 seconds"})");
  auto report = WaitReport(id);
  EXPECT_EQ(report["Duration"], "1000.00 ms");
  EXPECT_EQ(report["Billed Duration"], "1000 ms");
  EXPECT_EQ(report["Status"], "timeout");
  EXPECT_TRUE(std::regex_search(Log(), std::regex("Z " + id + " Task timed out after 1.00 seconds\nEND RequestId: " + id)))
      << Log();
  EXPECT_TRUE(WaitUntil([&] { return !testing::ProcessAlive(first[0]); })) << "timed-out process still alive";

  http::Response fresh = MustInvoke(client, R"({"after":"timeout"})");
  EXPECT_EQ(fresh.body, R"({"after":"timeout"})");
  EXPECT_TRUE(WaitReport(Header(fresh, "X-Amzn-RequestId")).count("Init Duration"));
  std::vector<pid_t> second = FunctionPids();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0], first[0]);
}

TEST_F(EmulatorTest, CrashIsRuntimeExitErrorAndTheNextInvokeStartsFresh) {
  StartFunction("faulty");
  InvokeClient client = Client();
  http::Response crashed = MustInvoke(client, R"({"action":"crash"})");
  std::string id = Header(crashed, "X-Amzn-RequestId");
  EXPECT_EQ(crashed.status, 200);
  EXPECT_EQ(Header(crashed, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(crashed.body, R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: )" + id +
                              R"( Error: Runtime exited with error: signal: segmentation fault"})");
  auto report = WaitReport(id);
  EXPECT_EQ(report["Status"], "error");
  EXPECT_EQ(report["Error Type"], "Runtime.ExitError");

  http::Response fresh = MustInvoke(client, R"({"action":"echo"})");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_FALSE(fresh.headers.Has("X-Amz-Function-Error"));
  EXPECT_TRUE(WaitReport(Header(fresh, "X-Amzn-RequestId")).count("Init Duration"));
}

TEST_F(EmulatorTest, ExitInTheMiddleOfAnInvoke) {
  StartFunction("faulty");
  InvokeClient client = Client();
  http::Response exited = MustInvoke(client, R"({"action":"exit"})");
  EXPECT_EQ(Header(exited, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(Json(exited.body)["errorType"], "Runtime.ExitError");
  EXPECT_NE(exited.body.find("Runtime exited with error: exit status 3"), std::string::npos) << exited.body;
  EXPECT_EQ(MustInvoke(client, R"({"action":"echo"})").status, 200);
}

TEST_F(EmulatorTest, InitErrorFailsTheInvokeAndTheNextOneRetriesInit) {
  StartFunction("faulty", [](EmulatorOptions& options) {
    options.function.env_overrides["FAULTY_INIT_FAIL"] = "1";
  });
  InvokeClient client = Client();
  http::Response failed = MustInvoke(client, "{}");
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(Header(failed, "X-Amz-Function-Error"), "Unhandled");
  nlohmann::json error = Json(failed.body);
  ASSERT_TRUE(error.is_object()) << failed.body;
  EXPECT_TRUE(error.contains("errorType")) << failed.body;
  EXPECT_NE(failed.body.find("init failed on purpose"), std::string::npos) << failed.body;
  auto report = WaitReport(Header(failed, "X-Amzn-RequestId"));
  EXPECT_EQ(report["Status"], "error");
  EXPECT_NE(Log().find("INIT_REPORT Init Duration: "), std::string::npos);

  http::Response again = MustInvoke(client, "{}");  // a fresh init, failing again
  EXPECT_EQ(Header(again, "X-Amz-Function-Error"), "Unhandled");
  WaitReport(Header(again, "X-Amzn-RequestId"));
  size_t init_reports = 0;
  for (size_t at = 0; (at = Log().find("INIT_REPORT", at)) != std::string::npos; ++at) ++init_reports;
  EXPECT_EQ(init_reports, 2u);
}

TEST_F(EmulatorTest, InvokeWhileInitialisingWaits) {
  StartFunction("faulty", [](EmulatorOptions& options) {
    options.function.env_overrides["FAULTY_INIT_SLEEP_MS"] = "500";
    options.eager = true;
  });
  // Eager: the process exists before any invoke.
  EXPECT_TRUE(WaitUntil([&] { return FunctionPids().size() == 1; }));
  InvokeClient client = Client();
  http::Response response = MustInvoke(client, R"({"action":"echo","during":"init"})");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"action":"echo","during":"init"})");
  auto report = WaitReport(Header(response, "X-Amzn-RequestId"));
  EXPECT_GE(FieldNumber(report["Init Duration"]), 500);
}

TEST_F(EmulatorTest, ResponseTooLarge) {
  StartFunction("faulty");
  InvokeClient client = Client();
  for (long bytes : {6500000L, 8000000L}) {  // read whole then 413; beyond the read limit
    http::Response response = MustInvoke(client, R"({"action":"big","bytes":)" + std::to_string(bytes) + "}");
    EXPECT_EQ(response.status, 200) << bytes;
    EXPECT_EQ(Header(response, "X-Amz-Function-Error"), "Unhandled") << bytes;
    EXPECT_EQ(response.body,
              R"({"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."})");
    WaitReport(Header(response, "X-Amzn-RequestId"));
    // The function lives on (or, if the runtime gave up, the next invoke restarts it).
    http::Response next = MustInvoke(client, R"({"action":"echo","after":"big"})");
    EXPECT_EQ(next.body, R"({"action":"echo","after":"big"})") << bytes;
  }
  // A response just under the limit goes through.
  http::Response fits = MustInvoke(client, R"({"action":"big","bytes":6000000})");
  EXPECT_EQ(fits.body.size(), 6000000u);
  EXPECT_EQ(Header(fits, "Content-Type"), "application/octet-stream");
}

TEST_F(EmulatorTest, InvalidAndOversizedInvokeRequests) {
  StartFunction("echo");
  InvokeClient client = Client();
  http::Response invalid = MustInvoke(client, "{oops");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(Header(invalid, "X-Amzn-ErrorType"), "InvalidRequestContentException");
  EXPECT_EQ(Json(invalid.body)["Type"], "User");

  http::Response big = MustInvoke(client, "\"" + std::string(6500000, 'a') + "\"");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Header(big, "X-Amzn-ErrorType"), "RequestTooLargeException");
  EXPECT_EQ(MustInvoke(client, "[1]").body, "[1]");  // the connection is still usable

  InvokeClient other = Client();
  auto huge = other.Invoke("\"" + std::string(8000000, 'a') + "\"");
  ASSERT_TRUE(huge.ok()) << huge.status().ToString();  // answered before the close
  EXPECT_EQ(huge->status, 413);
  EXPECT_EQ(testing::StartedRequestIds(Log()).size(), 1u);
}

TEST_F(EmulatorTest, InvokesBeyondTheConcurrencyLimitAreThrottledNeverQueued) {
  StartFunction("faulty", [](EmulatorOptions& options) { options.concurrency = 2; });
  // Occupy both environments until the file `release` exists.
  char dir_template[] = "/tmp/zs_queue_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string release = std::string(dir_template) + "/release";
  std::vector<std::string> busy_ids(2);
  std::vector<std::thread> busy;
  for (int i = 0; i < 2; ++i) {
    busy.emplace_back([&, i] {
      InvokeClient client = Client();
      http::Response response = MustInvoke(client, R"({"action":"wait_file","path":")" + release + R"("})");
      EXPECT_EQ(response.status, 200) << response.body;
      busy_ids[i] = Header(response, "X-Amzn-RequestId");
    });
  }
  EXPECT_TRUE(WaitUntil([&] { return testing::StartedRequestIds(Log()).size() == 2; })) << Log();
  // Every further invoke is answered at once with Lambda's throttle, from any route.
  constexpr int kCount = 5;
  for (int i = 0; i < kCount; ++i) {
    InvokeClient client = Client();
    http::Response throttled = MustInvoke(client, R"({"action":"echo","n":)" + std::to_string(i) + "}");
    EXPECT_EQ(throttled.status, 429);
    EXPECT_EQ(Header(throttled, "X-Amzn-ErrorType"), "TooManyRequestsException");
    EXPECT_EQ(throttled.body,
              R"({"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."})");
  }
  EXPECT_EQ(testing::StartedRequestIds(Log()).size(), 2u);  // nothing else ran
  std::ofstream(release).put('\n');
  for (auto& thread : busy) thread.join();
  ::unlink(release.c_str());
  ::rmdir(dir_template);
  for (const std::string& id : busy_ids) EXPECT_TRUE(WaitReport(id).count("Init Duration")) << Log();
  // Then a warm environment serves again, each invoke exactly once.
  InvokeClient client = Client();
  http::Response warm = MustInvoke(client, R"({"action":"echo","n":9})");
  EXPECT_EQ(warm.body, R"({"action":"echo","n":9})");
  EXPECT_FALSE(WaitReport(Header(warm, "X-Amzn-RequestId")).count("Init Duration")) << Log();
  EXPECT_EQ(testing::ParseReports(Log()).size(), 3u);
  EXPECT_EQ(emulator_->pool().stats().throttled, static_cast<uint64_t>(kCount));
}

TEST_F(EmulatorTest, ManagedInstancesServeOverlappingInvokesInOneEnvironment) {
  // Lambda Managed Instances: one environment, started before any invoke, with
  // AWS_LAMBDA_MAX_CONCURRENCY=8; our runtime then serves 8 invokes at once on 8 connections.
  StartFunction("faulty", [](EmulatorOptions& options) {
    options.concurrency = 1;
    options.max_concurrency = 8;
  });
  EXPECT_TRUE(WaitUntil([&] {
    auto environments = emulator_->pool().Environments();
    return environments.size() == 1 && environments[0].ready;
  })) << "the environment was not started eagerly";
  char dir_template[] = "/tmp/zs_managed_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string release = std::string(dir_template) + "/release";
  constexpr int kCount = 8;
  std::vector<std::string> bodies(kCount);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCount; ++i) {
    threads.emplace_back([&, i] {
      InvokeClient client = Client();
      bodies[i] = MustInvoke(client, R"({"action":"wait_file","n":)" + std::to_string(i) + R"(,"path":")" +
                                         release + R"("})").body;
    });
  }
  // All eight are inside the function at once, in the one environment.
  EXPECT_TRUE(WaitUntil([&] { return testing::StartedRequestIds(Log()).size() == kCount; })) << Log();
  EXPECT_EQ(testing::ParseReports(Log()).size(), 0u);
  EXPECT_EQ(emulator_->pool().Environments().size(), 1u);
  // A ninth finds every slot taken.
  InvokeClient extra = Client();
  EXPECT_EQ(MustInvoke(extra, "{}").status, 429);
  std::ofstream(release).put('\n');
  for (auto& thread : threads) thread.join();
  ::unlink(release.c_str());
  ::rmdir(dir_template);
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(bodies[i], R"({"action":"wait_file","n":)" + std::to_string(i) + R"(,"path":")" + release + R"("})");
  }
  EXPECT_EQ(emulator_->pool().stats().started, 1u);
}

TEST_F(EmulatorTest, MaxMemoryUsedIsMeasured) {
  StartFunction("faulty", [](EmulatorOptions& options) { options.function.memory_mb = 512; });
  InvokeClient client = Client();
  http::Response small = MustInvoke(client, "{}");
  double before = FieldNumber(WaitReport(Header(small, "X-Amzn-RequestId"))["Max Memory Used"]);
  http::Response alloc = MustInvoke(client, R"({"action":"alloc","mb":50})");
  EXPECT_EQ(alloc.body, R"({"mb":50})");
  double after = FieldNumber(WaitReport(Header(alloc, "X-Amzn-RequestId"))["Max Memory Used"]);
  EXPECT_LT(before, 40);
  EXPECT_GE(after, 50);
  EXPECT_LT(after, 200);
}

TEST_F(EmulatorTest, FunctionLogLinesComeBeforeEnd) {
  StartFunction("faulty");
  InvokeClient client = Client();
  http::Response response = MustInvoke(client, R"({"action":"log","lines":3})");
  std::string id = Header(response, "X-Amzn-RequestId");
  WaitReport(id);
  std::string log = Log();
  size_t last_line = log.find("faulty stdout line 2\n");
  ASSERT_NE(last_line, std::string::npos) << log;
  EXPECT_LT(log.find("START RequestId: " + id), log.find("faulty stdout line 0\n"));
  EXPECT_LT(last_line, log.find("END RequestId: " + id));
  EXPECT_NE(sink_.stderr_text().find("faulty stderr line 2\n"), std::string::npos);
}

TEST_F(EmulatorTest, RoutingAndMalformedRequestsOnTheInvokePort) {
  StartFunction("echo", [](EmulatorOptions& options) { options.function.name = "named"; });
  InvokeClient client = Client();
  EXPECT_EQ(client.Invoke("{}", {}, "named")->status, 200);
  auto unknown = client.Invoke("{}", {}, "someone-else");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Header(*unknown, "X-Amzn-ErrorType"), "ResourceNotFoundException");
  http::Request get;
  get.method = "GET";
  get.target = "/2015-03-31/functions/function/invocations";
  EXPECT_EQ(client.Send(get)->status, 405);
  get.target = "/nowhere";
  EXPECT_EQ(client.Send(get)->status, 404);

  InvokeClient garbage = Client();
  auto bad = garbage.SendRaw("this is not HTTP\r\n\r\n");
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(client.Invoke("[2]")->body, "[2]");  // still serving
}

TEST_F(EmulatorTest, RuntimeApiRejectsMalformedAndOutOfStateRequests) {
  StartFunction("echo");
  InvokeClient client = Client();
  ASSERT_EQ(MustInvoke(client, "{}").status, 200);  // the instance is up and waiting in /next

  auto connect = [&] {
    auto fd = net::Connect({"127.0.0.1", RuntimeApiPort()});
    EXPECT_TRUE(fd.ok());
    return http::Connection(std::move(fd).value());
  };
  auto send = [](http::Connection& connection, const std::string& method, const std::string& target,
                 const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    request.body = body;
    EXPECT_TRUE(connection.Write(request).ok());
    auto response = connection.ReadResponse();
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  };
  http::Connection runtime = connect();
  http::Response unknown = send(runtime, "POST", "/2018-06-01/runtime/invocation/not-an-id/response", "{}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Json(unknown.body)["errorType"], "InvalidRequestID");
  EXPECT_EQ(send(runtime, "POST", "/2018-06-01/runtime/invocation/x/error", "{}").status, 400);
  EXPECT_EQ(send(runtime, "POST", "/2018-06-01/runtime/init/error", "{}").status, 403);
  EXPECT_EQ(send(runtime, "GET", "/2018-06-01/nothing").status, 404);
  EXPECT_EQ(send(runtime, "POST", "/2018-06-01/runtime/invocation/next").status, 405);

  http::Connection garbage = connect();
  ASSERT_TRUE(net::WriteAll(garbage.fd(), "GARBAGE\r\n\r\n").ok());
  auto bad = garbage.ReadResponse();
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);

  EXPECT_EQ(MustInvoke(client, R"({"still":"serving"})").body, R"({"still":"serving"})");
}

TEST_F(EmulatorTest, StopAnswersEveryWaitingInvokeAndKillsTheFunction) {
  StartFunction("faulty", [](EmulatorOptions& options) { options.function.timeout_seconds = 60; });
  InvokeClient warm = Client();
  MustInvoke(warm, "{}");
  ASSERT_EQ(FunctionPids().size(), 1u);
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {  // three in flight (they hang), each in an environment of its own
    InvokeClient client = Client();
    EXPECT_TRUE(SendAndWaitUntilQueued(client, InvokeRequest(R"({"action":"hang"})"))) << i;
    threads.emplace_back([&, client = std::move(client)]() mutable {
      auto response = client.connection().ReadResponse();
      if (response.ok() && response->status == 500 && Header(*response, "X-Amzn-ErrorType") == "ServiceException") {
        ++answered;
      }
    });
  }
  EXPECT_TRUE(WaitUntil([&] { return testing::StartedRequestIds(Log()).size() == 4; })) << Log();
  const std::vector<pid_t> pids = FunctionPids();
  EXPECT_EQ(pids.size(), 3u);
  emulator_->Stop();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), 3);
  for (pid_t pid : pids) EXPECT_FALSE(testing::ProcessAlive(pid)) << pid;
  EXPECT_TRUE(FunctionPids().empty());
}

TEST_F(EmulatorTest, FunctionEnvironmentAndWorkingDirectory) {
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  // A bootstrap that prints its environment and working directory, then serves like curl_bootstrap.
  char dir_template[] = "/tmp/zs_env_fn_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string script = dir + "/bootstrap";
  {
    FILE* file = std::fopen(script.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fprintf(file, "#!/usr/bin/env bash\nenv | sort\necho \"PWD_IS=$(pwd)\"\nexec %s\n",
                 testing::CurlBootstrapPath().c_str());
    std::fclose(file);
    ::chmod(script.c_str(), 0755);
  }
  ::setenv("ZS_SHOULD_NOT_LEAK", "1", 1);
  Start(script, [](EmulatorOptions& options) {
    options.function.memory_mb = 333;
    options.function.env_overrides["MY_SETTING"] = "on";
  });
  InvokeClient client = Client();
  http::Response response = MustInvoke(client, "{}");
  WaitReport(Header(response, "X-Amzn-RequestId"));
  std::string log = Log();
  for (const std::string& expected : std::vector<std::string>{
           "AWS_LAMBDA_FUNCTION_NAME=bootstrap", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=333",
        "AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/bootstrap",
        "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "_HANDLER=bootstrap",
        "LAMBDA_TASK_ROOT=" + dir, "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand", "TZ=:UTC",
        "LANG=en_US.UTF-8", "MY_SETTING=on", "PWD_IS=" + dir,
        "AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(RuntimeApiPort())}) {
    EXPECT_NE(log.find(expected + "\n"), std::string::npos) << expected << "\n" << log;
  }
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(AWS_LAMBDA_LOG_STREAM_NAME=\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}\n)")));
  EXPECT_EQ(log.find("ZS_SHOULD_NOT_LEAK"), std::string::npos);
  emulator_->Stop();
  ::unlink(script.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace zerostart::emulator
