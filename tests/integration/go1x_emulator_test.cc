// End-to-end tests of the emulator's go1.x mode (`serve --protocol go1x`): the emulator is the
// net/rpc client, the function the server. Against our own binaries (build/bin/echo and
// build/bin/faulty, whose runtime serves go1.x when _LAMBDA_SERVER_PORT is set), against a Go
// net/rpc server whose codec we did not write (tests/go/cmd/go1x_function, when Go is
// available: the go_bin_dir of test_config.h), against this binary itself run as a misbehaving go1.x server
// (RPC-level errors, wrong Seq, a hang-up), and the `--protocol` flag of the `zerostart` binary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/emulator/emulator.h"
#include "src/gob/encoder.h"
#include "src/go1x/messages.h"
#include "src/go1x/stream_reader.h"
#include "tests/integration/test_support.h"

namespace zerostart::emulator {
namespace {

// --- A misbehaving go1.x function: this very binary, run with ZS_FAKE_GO1X=1 ---
// A net/rpc server on 127.0.0.1:$_LAMBDA_SERVER_PORT that answers Ping, and an Invoke by its
// payload: containing "rpc_error" -> a reply header with net/rpc's "can't find service" error;
// "wrong_seq" -> a reply with another Seq; "hangup" -> closes the connection and lives on;
// anything else -> echoed.
int RunFakeGo1xFunction() {
  const char* port = std::getenv("_LAMBDA_SERVER_PORT");
  if (port == nullptr) return 10;
  auto listener = net::Listen({"127.0.0.1", static_cast<uint16_t>(std::atoi(port))});
  if (!listener.ok()) return 11;
  for (;;) {
    auto connection = net::Accept(listener->get());
    if (!connection.ok()) return 12;
    go1x::GobStreamReader reader(connection->get());
    gob::Encoder encoder;
    for (;;) {
      auto header_value = reader.Next();
      if (!header_value.ok() || !*header_value) break;
      auto body_value = reader.Next();
      if (!body_value.ok() || !*body_value) break;
      go1x::RpcRequestHeader header;
      if (!go1x::FromGob(**header_value, &header).ok()) break;
      go1x::RpcResponseHeader reply{header.service_method, header.seq, ""};
      std::string out;
      if (header.service_method == lambda::kGo1xPingMethod) {
        (void)encoder.Encode(go1x::ToGob(reply), &out);
        (void)encoder.Encode(go1x::ToGob(go1x::PingResponse{}), &out);
      } else {
        go1x::InvokeRequest request;
        if (!go1x::FromGob(**body_value, &request).ok()) break;
        if (request.payload.find("hangup") != std::string::npos) {
          connection->Reset();
          for (;;) ::pause();
        }
        if (request.payload.find("rpc_error") != std::string::npos) {
          reply.error = std::string(lambda::kRpcCantFindServicePrefix) + "Function.Invoke";
          (void)encoder.Encode(go1x::ToGob(reply), &out);
          (void)encoder.Encode(go1x::InvalidRequestBody(), &out);
        } else {
          if (request.payload.find("wrong_seq") != std::string::npos) reply.seq += 100;
          go1x::InvokeResponse response;
          response.payload = request.payload;
          (void)encoder.Encode(go1x::ToGob(reply), &out);
          (void)encoder.Encode(go1x::ToGob(response), &out);
        }
      }
      if (!net::WriteAll(connection->get(), out).ok()) break;
    }
  }
}

// Before main(): when spawned as the function, be the fake instead of running the tests.
[[maybe_unused]] const bool kFakeFunctionRan = [] {
  const char* fake = std::getenv("ZS_FAKE_GO1X");
  if (fake != nullptr && std::string(fake) == "1") ::_exit(RunFakeGo1xFunction());
  return false;
}();

std::string SelfPath() {
  char path[4096];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::BinPath;
using testing::FieldNumber;
using testing::Header;
using testing::InvokeClient;
using testing::Json;
using testing::ReportFor;
using testing::WaitUntil;


int64_t EpochMsNow() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// tests/go/cmd/go1x_function; "" in a build without Go, which Start() skips as not built.
std::string GoFunctionPath() {
  return testing::HasTestConfig("go_bin_dir") ? testing::TestConfig("go_bin_dir") + "/go1x_function" : "";
}

class Go1xEmulatorTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (emulator_) emulator_->Stop();
  }

  // Starts the emulator in go1.x mode on a free port for the executable `path`.
  void Start(const std::string& path, double timeout_seconds = 10, const EnvMap& env = {}) {
    if (::access(path.c_str(), X_OK) != 0) GTEST_SKIP() << path << " is not built";
    EmulatorOptions options;
    options.function.path = path;
    options.function.timeout_seconds = timeout_seconds;
    options.function.env_overrides = env;
    options.function.protocol = Protocol::kGo1x;
    options.invoke_address = {"127.0.0.1", 0};
    options.sink = &sink_;
    auto started = Emulator::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emulator_ = std::move(started).value();
    auto client = InvokeClient::Connect(emulator_->invoke_port());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_.emplace(std::move(client).value());
  }

  http::Response Invoke(const std::string& payload,
                        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto response = client_->Invoke(payload, headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  }

  std::string Log() const { return sink_.stdout_text(); }

  // The REPORT of the invoke answered by `response`, waiting for it (written after the answer).
  std::map<std::string, std::string> Report(const http::Response& response) {
    std::string id = Header(response, "X-Amzn-RequestId");
    std::optional<std::map<std::string, std::string>> report;
    WaitUntil([&] { return (report = ReportFor(Log(), id)).has_value(); });
    EXPECT_TRUE(report.has_value()) << "no REPORT for " << id << " in:\n" << Log();
    return report.value_or(std::map<std::string, std::string>{});
  }

  // The function process: our only direct child (the emulator runs in this process).
  pid_t FunctionPid() {
    std::vector<pid_t> pids = testing::ChildrenOf(::getpid());
    EXPECT_EQ(pids.size(), 1u);
    return pids.empty() ? -1 : pids[0];
  }

  void ExpectFunctionError(const http::Response& response, const std::string& error_type) {
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(Header(response, "X-Amz-Function-Error"), "Unhandled") << response.body;
    EXPECT_EQ(Json(response.body).value("errorType", ""), error_type) << response.body;
  }

  // An invoke that must be served by a fresh instance (the previous one was replaced).
  void ExpectFreshInstanceAnswers(pid_t old_pid, const std::string& payload) {
    EXPECT_TRUE(WaitUntil([&] { return !testing::ProcessAlive(old_pid); })) << "old instance still alive";
    http::Response fresh = Invoke(payload);
    EXPECT_EQ(fresh.status, 200);
    EXPECT_EQ(fresh.body, payload);
    EXPECT_FALSE(fresh.headers.Has("X-Amz-Function-Error")) << fresh.body;
    EXPECT_TRUE(Report(fresh).count("Init Duration")) << Log();
    EXPECT_NE(FunctionPid(), old_pid);
  }

  CapturingLogSink sink_;
  std::unique_ptr<Emulator> emulator_;
  std::optional<InvokeClient> client_;
};

// --- Our own binaries, whose runtime serves go1.x ---

TEST_F(Go1xEmulatorTest, EchoRoundTripsSmallAndLargePayloadsWithReports) {
  Start(BinPath("echo"));
  http::Response first = Invoke(R"({"n":1})");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, R"({"n":1})");
  EXPECT_EQ(Header(first, "Content-Type"), "application/json");
  EXPECT_FALSE(first.headers.Has("X-Amz-Function-Error"));
  auto report = Report(first);
  ASSERT_TRUE(report.count("Init Duration")) << Log();
  EXPECT_GT(FieldNumber(report["Init Duration"]), 0);
  EXPECT_TRUE(std::regex_match(report["Duration"], std::regex(R"(\d+\.\d\d ms)"))) << report["Duration"];
  EXPECT_GE(FieldNumber(report["Max Memory Used"]), 1);
  EXPECT_LT(FieldNumber(report["Max Memory Used"]), 1024);
  pid_t pid = FunctionPid();

  std::string big = R"({"data":")" + std::string(5 * 1024 * 1024, 'b') + R"("})";
  http::Response large = Invoke(big);
  EXPECT_EQ(large.status, 200);
  EXPECT_EQ(large.body.size(), big.size());
  EXPECT_TRUE(large.body == big);
  EXPECT_FALSE(Report(large).count("Init Duration"));

  http::Response empty = Invoke("");
  EXPECT_EQ(empty.body, "{}");  // an empty invoke payload reaches the function as {}
  EXPECT_FALSE(Report(empty).count("Init Duration"));
  EXPECT_EQ(FunctionPid(), pid);  // one instance, one kept connection
  EXPECT_EQ(testing::ParseReports(Log()).size(), 3u);
}

TEST_F(Go1xEmulatorTest, FaultyErrorsKeepTheInstance) {
  Start(BinPath("faulty"));
  http::Response error = Invoke(R"({"action":"error"})");
  ExpectFunctionError(error, "MyError");
  EXPECT_EQ(Json(error.body)["errorMessage"], "faulty: returned an error");
  pid_t pid = FunctionPid();
  http::Response thrown = Invoke(R"({"action":"throw"})");
  EXPECT_EQ(Header(thrown, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_NE(thrown.body.find("ünïcödé"), std::string::npos) << thrown.body;
  EXPECT_FALSE(Json(thrown.body).value("errorType", "").empty()) << thrown.body;
  http::Response ok = Invoke(R"({"action":"echo","x":2})");
  EXPECT_EQ(ok.body, R"({"action":"echo","x":2})");
  EXPECT_FALSE(Report(ok).count("Init Duration"));
  EXPECT_EQ(FunctionPid(), pid);
}

TEST_F(Go1xEmulatorTest, FaultyTimeoutIsSandboxTimedoutThenAFreshProcess) {
  Start(BinPath("faulty"), /*timeout_seconds=*/1);
  Invoke("{}");
  pid_t pid = FunctionPid();
  auto started = std::chrono::steady_clock::now();
  http::Response timed_out = Invoke(R"({"action":"hang"})");
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, milliseconds(950));  // load only delays: never early
  // The 1 s timeout plus 5 s for a loaded 2-core machine: still tells it from the 10 s default.
  EXPECT_LT(elapsed, seconds(6));
  std::string id = Header(timed_out, "X-Amzn-RequestId");
  ExpectFunctionError(timed_out, "Sandbox.Timedout");
  EXPECT_EQ(Json(timed_out.body)["errorMessage"], "RequestId: " + id + " Error: Task timed out after 1.00 seconds");
  auto report = Report(timed_out);
  EXPECT_EQ(report["Status"], "timeout");
  EXPECT_EQ(report["Duration"], "1000.00 ms");
  ExpectFreshInstanceAnswers(pid, R"({"after":"timeout"})");
}

TEST_F(Go1xEmulatorTest, FaultyCrashIsRuntimeExitErrorThenAFreshProcess) {
  Start(BinPath("faulty"));
  Invoke("{}");
  pid_t pid = FunctionPid();
  http::Response crashed = Invoke(R"({"action":"crash"})");
  ExpectFunctionError(crashed, "Runtime.ExitError");
  EXPECT_NE(crashed.body.find("signal: segmentation fault"), std::string::npos) << crashed.body;
  auto report = Report(crashed);
  EXPECT_EQ(report["Status"], "error");
  EXPECT_EQ(report["Error Type"], "Runtime.ExitError");
  ExpectFreshInstanceAnswers(pid, R"({"after":"crash"})");
}

TEST_F(Go1xEmulatorTest, FaultyResponseOverTheLimitIsResponseSizeTooLarge) {
  Start(BinPath("faulty"));
  for (long bytes : {7000000L, 9000000L}) {  // read whole; beyond what we read (reconnects)
    http::Response big = Invoke(R"({"action":"big","bytes":)" + std::to_string(bytes) + "}");
    ExpectFunctionError(big, "Function.ResponseSizeTooLarge");
    Report(big);
    http::Response next = Invoke(R"({"action":"echo","after":"big"})");
    EXPECT_EQ(next.body, R"({"action":"echo","after":"big"})") << bytes;
  }
  http::Response fits = Invoke(R"({"action":"big","bytes":6000000})");
  EXPECT_EQ(fits.body.size(), 6000000u);
  // The last REPORT is written just after its answer: wait for it.
  EXPECT_TRUE(WaitUntil([&] { return testing::ParseReports(Log()).size() == 5u; })) << Log();
  EXPECT_EQ(Log().find("Init Duration", Log().find("Init Duration") + 1), std::string::npos) << Log();
}

TEST_F(Go1xEmulatorTest, FaultyInitFailureIsAnExitDuringInit) {
  // go1.x has no init-error message: the runtime exits, and the invoke that started it fails.
  Start(BinPath("faulty"), 10, {{"FAULTY_INIT_FAIL", "1"}});
  http::Response failed = Invoke("{}");
  ExpectFunctionError(failed, "Runtime.ExitError");
  EXPECT_EQ(Report(failed)["Status"], "error");
  EXPECT_NE(Log().find("INIT_REPORT Init Duration: "), std::string::npos) << Log();
}

TEST_F(Go1xEmulatorTest, FaultySlowInitCountsInInitDuration) {
  Start(BinPath("faulty"), 10, {{"FAULTY_INIT_SLEEP_MS", "300"}});
  http::Response response = Invoke(R"({"during":"init"})");
  EXPECT_EQ(response.body, R"({"during":"init"})");
  double init_ms = FieldNumber(Report(response)["Init Duration"]);
  EXPECT_GE(init_ms, 300);
  // Pinged every few ms, not seconds after it listened (4.7 s to spare for a loaded machine).
  EXPECT_LT(init_ms, 5000);
}

// --- Replies that are not usable InvokeResponses (the fake above) ---

TEST_F(Go1xEmulatorTest, RpcLevelErrorIsInvalidResponseAndKeepsTheInstance) {
  Start(SelfPath(), 10, {{"ZS_FAKE_GO1X", "1"}});
  http::Response ok = Invoke(R"({"fake":"echo"})");
  EXPECT_EQ(ok.body, R"({"fake":"echo"})");
  pid_t pid = FunctionPid();
  for (int i = 0; i < 2; ++i) {
    http::Response refused = Invoke(R"({"fake":"rpc_error"})");
    ExpectFunctionError(refused, "Runtime.InvalidResponse");
    EXPECT_EQ(Json(refused.body)["errorMessage"],
              "RequestId: " + Header(refused, "X-Amzn-RequestId") +
                  " Error: Function.Invoke failed: rpc: can't find service Function.Invoke");
    auto report = Report(refused);
    EXPECT_EQ(report["Status"], "error");
    EXPECT_EQ(report["Error Type"], "Runtime.InvalidResponse");
  }
  EXPECT_EQ(Invoke(R"({"fake":"after"})").body, R"({"fake":"after"})");
  EXPECT_EQ(FunctionPid(), pid);  // same instance, same connection
}

TEST_F(Go1xEmulatorTest, WrongSeqIsInvalidResponseAndRetiresTheInstance) {
  Start(SelfPath(), 10, {{"ZS_FAKE_GO1X", "1"}});
  Invoke("{}");
  pid_t pid = FunctionPid();
  http::Response wrong = Invoke(R"({"fake":"wrong_seq"})");
  ExpectFunctionError(wrong, "Runtime.InvalidResponse");
  EXPECT_NE(wrong.body.find("invalid go1.x reply: reply Seq"), std::string::npos) << wrong.body;
  ExpectFreshInstanceAnswers(pid, R"({"fake":"fresh"})");
}

TEST_F(Go1xEmulatorTest, ConnectionClosedByALiveProcessIsInvalidResponse) {
  Start(SelfPath(), 60, {{"ZS_FAKE_GO1X", "1"}});
  Invoke("{}");
  pid_t pid = FunctionPid();
  auto started = std::chrono::steady_clock::now();
  http::Response hung_up = Invoke(R"({"fake":"hangup"})");
  // The 1 s grace, not the 60 s timeout: 9 s to spare for a loaded 2-core machine.
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(10));
  ExpectFunctionError(hung_up, "Runtime.InvalidResponse");
  EXPECT_NE(hung_up.body.find("the connection to the function broke"), std::string::npos) << hung_up.body;
  ExpectFreshInstanceAnswers(pid, R"({"fake":"fresh"})");
}

// --- A Go net/rpc server whose codec we did not write ---

TEST_F(Go1xEmulatorTest, GoFunctionEchoAndContext) {
  Start(GoFunctionPath(), /*timeout_seconds=*/7);
  http::Response echo = Invoke(R"({"mode":"echo","x":[1,2,3]})");
  EXPECT_EQ(echo.status, 200);
  EXPECT_EQ(echo.body, R"({"mode":"echo","x":[1,2,3]})");
  EXPECT_TRUE(Report(echo).count("Init Duration"));

  const std::string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  int64_t before = EpochMsNow();
  // {"custom":{"k":"v"}} in base64, as the Invoke API carries it.
  http::Response context = Invoke(R"({"mode":"context"})", {{"X-Amzn-Trace-Id", trace},
                                                            {"X-Amz-Client-Context", "eyJjdXN0b20iOnsiayI6InYifX0="}});
  int64_t after = EpochMsNow();
  ASSERT_EQ(context.status, 200) << context.body;
  nlohmann::json seen = Json(context.body);
  ASSERT_TRUE(seen.is_object()) << context.body;
  EXPECT_EQ(seen["requestId"], Header(context, "X-Amzn-RequestId"));
  EXPECT_EQ(seen["traceId"], trace);
  EXPECT_EQ(seen["traceEnv"], trace);
  EXPECT_EQ(seen["clientContext"], R"({"custom":{"k":"v"}})");
  EXPECT_EQ(seen["functionArn"], "arn:aws:lambda:us-east-1:012345678912:function:go1x_function");
  int64_t deadline = seen["deadlineMs"];
  EXPECT_GT(deadline, before);
  EXPECT_LE(deadline, after + 7000);
  EXPECT_GE(deadline, before + 6000);  // about a timeout away, not "now"
  EXPECT_TRUE(std::regex_match(seen.value("serverPort", ""), std::regex(R"([1-9]\d*)"))) << context.body;
  EXPECT_EQ(seen["runtimeApi"], "");
  EXPECT_EQ(seen["executionEnv"], "AWS_Lambda_go1.x");
  EXPECT_EQ(seen["handler"], "go1x_function");
  EXPECT_EQ(seen["functionName"], "go1x_function");
  EXPECT_FALSE(Report(context).count("Init Duration"));
}

TEST_F(Go1xEmulatorTest, GoFunctionErrorKeepsTheInstance) {
  Start(GoFunctionPath());
  http::Response error = Invoke(R"({"mode":"error","message":"it broke"})");
  ExpectFunctionError(error, "errorString");
  EXPECT_EQ(error.body, R"({"errorMessage":"it broke","errorType":"errorString"})");  // no stackTrace
  EXPECT_FALSE(Report(error).count("Status"));  // a function error, not a platform one
  pid_t pid = FunctionPid();
  http::Response ok = Invoke(R"({"mode":"echo","after":"error"})");
  EXPECT_EQ(ok.body, R"({"mode":"echo","after":"error"})");
  EXPECT_FALSE(Report(ok).count("Init Duration"));
  EXPECT_EQ(FunctionPid(), pid);
}

TEST_F(Go1xEmulatorTest, GoFunctionPanicHasAStackTraceAndShouldExitGivesAFreshInstance) {
  Start(GoFunctionPath());
  Invoke("{}");
  pid_t pid = FunctionPid();
  http::Response panicked = Invoke(R"({"mode":"panic","message":"oh no"})");
  ExpectFunctionError(panicked, "string");
  nlohmann::json error = Json(panicked.body);
  EXPECT_EQ(error["errorMessage"], "oh no");
  ASSERT_TRUE(error["stackTrace"].is_array()) << panicked.body;
  ASSERT_FALSE(error["stackTrace"].empty());
  bool saw_handler = false;
  for (const auto& frame : error["stackTrace"]) {
    EXPECT_TRUE(frame["path"].is_string() && frame["line"].is_number_integer() && frame["label"].is_string())
        << frame.dump();
    if (frame["label"] == "handle" && frame["path"].get<std::string>().find("go1x_function/main.go") != std::string::npos) {
      saw_handler = true;
    }
  }
  EXPECT_TRUE(saw_handler) << panicked.body;
  EXPECT_EQ(panicked.body.find("ShouldExit"), std::string::npos);
  ExpectFreshInstanceAnswers(pid, R"({"mode":"echo","after":"panic"})");
}

TEST_F(Go1xEmulatorTest, GoFunctionSleepBeyondTheTimeoutThenAFreshInstanceAnswers) {
  Start(GoFunctionPath(), /*timeout_seconds=*/1);
  Invoke("{}");
  pid_t pid = FunctionPid();
  auto started = std::chrono::steady_clock::now();
  http::Response slow = Invoke(R"({"mode":"sleep","ms":30000})");
  // Answered at the 1 s timeout, not when the 30 s sleep ends: 9 s to spare for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(10));
  ExpectFunctionError(slow, "Sandbox.Timedout");
  EXPECT_EQ(Report(slow)["Status"], "timeout");
  ExpectFreshInstanceAnswers(pid, R"({"mode":"echo","after":"timeout"})");
  http::Response quick = Invoke(R"({"mode":"sleep","ms":10})");
  EXPECT_EQ(quick.body, R"({"slept":10})");
}

TEST_F(Go1xEmulatorTest, GoFunctionExitIsRuntimeExitError) {
  Start(GoFunctionPath());
  http::Response exited = Invoke(R"({"mode":"exit","code":4})");
  ExpectFunctionError(exited, "Runtime.ExitError");
  EXPECT_NE(exited.body.find("Runtime exited with error: exit status 4"), std::string::npos) << exited.body;
  EXPECT_EQ(Report(exited)["Error Type"], "Runtime.ExitError");
  http::Response again = Invoke(R"({"mode":"echo","after":"exit"})");
  EXPECT_EQ(again.body, R"({"mode":"echo","after":"exit"})");
  EXPECT_TRUE(Report(again).count("Init Duration"));
}

TEST_F(Go1xEmulatorTest, GoFunctionLogLinesComeBeforeEnd) {
  Start(GoFunctionPath());
  http::Response logged = Invoke(R"({"mode":"log","message":"go says hello"})");
  EXPECT_EQ(logged.body, R"({"logged":true})");
  std::string id = Header(logged, "X-Amzn-RequestId");
  Report(logged);
  std::string log = Log();
  size_t start = log.find("START RequestId: " + id);
  size_t line = log.find("go says hello\n");
  size_t end = log.find("END RequestId: " + id);
  ASSERT_NE(line, std::string::npos) << log;
  EXPECT_LT(start, line);
  EXPECT_LT(line, end);
  EXPECT_NE(sink_.stderr_text().find("go says hello\n"), std::string::npos);
}

TEST_F(Go1xEmulatorTest, GoFunctionOversizedResponseIsResponseSizeTooLarge) {
  Start(GoFunctionPath());
  http::Response big = Invoke(R"({"mode":"bytes","size":7000000})");
  ExpectFunctionError(big, "Function.ResponseSizeTooLarge");
  Report(big);
  pid_t pid = FunctionPid();
  http::Response fits = Invoke(R"({"mode":"bytes","size":6000000})");
  EXPECT_EQ(fits.body, std::string(6000000, 'x'));
  EXPECT_EQ(FunctionPid(), pid);
}

TEST_F(Go1xEmulatorTest, GoFunctionManySequentialInvokesOnOneInstance) {
  Start(GoFunctionPath());
  constexpr int kInvokes = 300;
  for (int i = 0; i < kInvokes; ++i) {
    std::string payload = R"({"mode":"echo","i":)" + std::to_string(i) + "}";
    http::Response response = Invoke(payload);
    ASSERT_EQ(response.body, payload) << i;
  }
  EXPECT_TRUE(WaitUntil([&] { return testing::ParseReports(Log()).size() == kInvokes; }));
  std::vector<std::map<std::string, std::string>> reports = testing::ParseReports(Log());
  int with_init = 0;
  std::set<std::string> ids;
  for (auto& report : reports) {
    with_init += report.count("Init Duration") ? 1 : 0;
    ids.insert(report["RequestId"]);
  }
  EXPECT_EQ(with_init, 1);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kInvokes));
  EXPECT_EQ(testing::ChildrenOf(::getpid()).size(), 1u);
}

TEST_F(Go1xEmulatorTest, StopAnswersTheInvokeInFlightAndKillsTheGoFunction) {
  Start(GoFunctionPath(), /*timeout_seconds=*/60);
  Invoke("{}");
  pid_t pid = FunctionPid();
  std::thread slow([&] {
    auto client = InvokeClient::Connect(emulator_->invoke_port());
    ASSERT_TRUE(client.ok());
    auto response = client->Invoke(R"({"mode":"sleep","ms":30000})");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 500);
  });
  EXPECT_TRUE(WaitUntil([&] { return testing::StartedRequestIds(Log()).size() == 2; }));
  auto started = std::chrono::steady_clock::now();
  emulator_->Stop();
  slow.join();
  // Stop's 0.5 s SIGTERM grace, not the 30 s sleep: 9.5 s to spare for a loaded 2-core machine.
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(10));
  EXPECT_FALSE(testing::ProcessAlive(pid));
}


// --- The zerostart binary ---

using testing::ExitCode;

TEST(Go1xServeTest, BadProtocolIsAClearCliError) {
  auto serve = testing::ChildProcess::Start(
      {BinPath("zerostart"), "serve", "--port", "0", "--protocol", "go2x", "--", BinPath("echo")});
  ASSERT_TRUE(serve.ok()) << serve.status().ToString();
  EXPECT_EQ(ExitCode((*serve)->Wait(seconds(10))), 2);
  std::string err = (*serve)->stderr_text();
  EXPECT_NE(err.find("--protocol"), std::string::npos) << err;
  EXPECT_NE(err.find("go2x"), std::string::npos) << err;
}

TEST(Go1xServeTest, ServeGo1xInvokesAndStopsCleanly) {
  if (!testing::HaveBinary("echo")) GTEST_SKIP() << "echo is not built";
  auto started = testing::ChildProcess::Start(
      {BinPath("zerostart"), "serve", "--port", "0", "--protocol", "go1x", "--", BinPath("echo")});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  std::unique_ptr<testing::ChildProcess> serve = std::move(started).value();
  ASSERT_TRUE(serve->WaitForStderr(")\n", seconds(10))) << serve->stderr_text();
  std::smatch match;
  std::string ready = serve->stderr_text();
  ASSERT_TRUE(std::regex_search(ready, match, std::regex(R"(on http://127\.0\.0\.1:(\d+) \(go1\.x)"))) << ready;
  auto client = InvokeClient::Connect(static_cast<uint16_t>(std::stoi(match[1].str())));
  ASSERT_TRUE(client.ok());
  auto response = client->Invoke(R"({"via":"serve"})");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, R"({"via":"serve"})");
  EXPECT_TRUE(serve->WaitForStdout("Init Duration", seconds(30))) << serve->stdout_text();
  std::vector<pid_t> function = testing::ChildrenOf(serve->pid());
  ASSERT_EQ(function.size(), 1u);
  serve->Signal(SIGTERM);
  EXPECT_EQ(ExitCode(serve->Wait(seconds(30))), 0) << serve->stderr_text();
  EXPECT_FALSE(testing::ProcessAlive(function[0]));
}

}  // namespace
}  // namespace zerostart::emulator
