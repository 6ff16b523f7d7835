// End-to-end tests of the emulator's Extensions API (2020-01-01) against code this project did
// not write, over 127.0.0.1, with the emulator in-process:
//   - testdata/extensions/recorder, an external extension in bash + curl, beside
//     build/bin/faulty: it records every event to a file the test names in the function's
//     environment (which extensions inherit), and misbehaves on request (crash, silence, an
//     init error);
//   - tests/go/cmd/sigterm_function, a Go function (standard library only) that registers an
//     internal extension to get SIGTERM at shutdown, as aws-lambda-go's WithEnableSIGTERM does;
//   - the test itself, calling the Extensions API with bad input.
// What is checked: every INVOKE reaches the extension and SHUTDOWN flushes it before Stop()
// returns; the caller gets the function's answer while an extension is still at work, and the
// REPORT waits for it and counts its time; a crash, a silent extension and an init error fail the
// invoke with Lambda's error and serve goes on with a fresh environment; refused calls get 403
// with Lambda's error types; SHUTDOWN names why the environment ends (spindown, timeout);
// SIGTERM comes only when an extension is registered, and a function has 500 ms to leave.
//
// Every wait is on an event (a line in a file or in the log, an answer); the extension's work
// after an INVOKE waits for a file the test creates. The only long test is the init timeout,
// which the emulator fixes at 10 s at least.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/emulator/emulator.h"
#include "tests/integration/test_support.h"

namespace zerostart::emulator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using testing::Header;
using testing::InvokeClient;
using testing::Json;
using testing::ReportFor;
using testing::WaitUntil;

constexpr milliseconds kEventDeadline = seconds(30);

double MsSince(steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(steady_clock::now() - start).count();
}

// The lines of the file at `path` ("" when it does not exist).
std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool Contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

class ExtensionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/zs_extensions_test_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    extensions_dir_ = dir_ + "/extensions";
    record_ = dir_ + "/record";
    release_ = dir_ + "/release";
    hold_ = dir_ + "/hold";
    once_ = dir_ + "/misbehaved";
    std::filesystem::create_directory(extensions_dir_);
  }

  void TearDown() override {
    // Let the function and the extension go, stop the emulator (which answers whatever is
    // still in flight), then remove the scratch directory.
    Touch(release_);
    Touch(hold_);
    if (emulator_) emulator_->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static void Touch(const std::string& path) { std::ofstream(path).put('\n'); }

  // Copies testdata/extensions/recorder into the extensions directory as `name` (the name it
  // registers under), executable.
  void AddRecorder(const std::string& name = "recorder") {
    const std::string path = extensions_dir_ + "/" + name;
    std::filesystem::copy_file(testing::SourcePath("tests/integration/testdata/extensions/recorder"), path);
    ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
  }

  // Starts the emulator for build/bin/faulty with the extensions directory and `env` (plus
  // EXT_RECORD) in the function's environment: one environment, a 30 s timeout.
  void StartFaulty(const EnvMap& env = {}, const std::function<void(EmulatorOptions&)>& tweak = {}) {
    if (!testing::HaveBinary("faulty")) GTEST_SKIP() << testing::BinPath("faulty") << " is not built";
    EmulatorOptions options;
    options.function.path = testing::BinPath("faulty");
    options.function.timeout_seconds = 30;
    options.function.env_overrides = env;
    options.function.env_overrides["EXT_RECORD"] = record_;
    options.extensions_dir = extensions_dir_;
    Start(std::move(options), tweak);
  }

  // Starts the emulator for tests/go/cmd/sigterm_function with `env`, no external extension.
  void StartSigtermFunction(const EnvMap& env = {}) {
    if (!testing::HasTestConfig("go_bin_dir")) GTEST_SKIP() << "the Go test programs are not built";
    const std::string path = testing::TestConfig("go_bin_dir") + "/sigterm_function";
    if (::access(path.c_str(), X_OK) != 0) GTEST_SKIP() << path << " is not built";
    EmulatorOptions options;
    options.function.path = path;
    options.function.timeout_seconds = 30;
    options.function.env_overrides = env;
    Start(std::move(options), {});
  }

  void Start(EmulatorOptions options, const std::function<void(EmulatorOptions&)>& tweak) {
    options.invoke_address = {"127.0.0.1", 0};
    options.sink = &sink_;
    options.concurrency = 1;
    if (tweak) tweak(options);
    auto started = Emulator::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emulator_ = std::move(started).value();
    auto client = InvokeClient::Connect(emulator_->invoke_port());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::make_unique<InvokeClient>(std::move(client).value());
  }

  http::Response MustInvoke(const std::string& payload) {
    auto response = client_->Invoke(payload);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  }

  // Invokes `payload` and expects it echoed, with its REPORT (success); returns the request id.
  std::string MustEcho(const std::string& payload) {
    const http::Response response = MustInvoke(payload);
    EXPECT_EQ(response.status, 200);
    EXPECT_FALSE(response.headers.Has("X-Amz-Function-Error")) << response.body;
    EXPECT_EQ(response.body, payload);
    const std::string id = Header(response, "X-Amzn-RequestId");
    EXPECT_EQ(WaitReport(id).count("Status"), 0u) << Log();
    return id;
  }

  // Expects `response` to be the function error `error_type` (HTTP 200, X-Amz-Function-Error).
  static void ExpectFunctionError(const http::Response& response, const std::string& error_type) {
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(Header(response, "X-Amz-Function-Error"), "Unhandled") << response.body;
    const nlohmann::json error = Json(response.body);
    ASSERT_TRUE(error.is_object()) << response.body;
    EXPECT_EQ(error.value("errorType", ""), error_type) << response.body;
  }

  std::string Log() const { return sink_.stdout_text(); }

  std::map<std::string, std::string> WaitReport(const std::string& id) {
    std::optional<std::map<std::string, std::string>> report;
    WaitUntil([&] { return (report = ReportFor(Log(), id)).has_value(); }, kEventDeadline);
    EXPECT_TRUE(report.has_value()) << "no REPORT for " << id << " in:\n" << Log();
    return report.value_or(std::map<std::string, std::string>{});
  }

  std::vector<std::string> Record() const { return Lines(record_); }
  // Waits until the extension has recorded `line`.
  bool WaitRecord(const std::string& line) const {
    return WaitUntil([&] { return Contains(Record(), line); }, kEventDeadline);
  }
  size_t Registrations() const {
    const std::vector<std::string> lines = Record();
    return static_cast<size_t>(std::count(lines.begin(), lines.end(), "registered"));
  }

  std::string dir_;             // a scratch directory of the test's own
  std::string extensions_dir_;  // EmulatorOptions::extensions_dir
  std::string record_;          // EXT_RECORD: what the recorder saw
  std::string release_;         // what faulty's wait_file events wait for
  std::string hold_;            // EXT_HOLD: what the recorder waits for after an INVOKE
  std::string once_;            // EXT_FAULT_ONCE: only the first environment misbehaves
  CapturingLogSink sink_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<InvokeClient> client_;
};

// --- An external extension at work ---

TEST_F(ExtensionsTest, RecordsEveryInvokeAndFlushesOnShutdown) {
  AddRecorder();
  StartFaulty();
  if (!emulator_) return;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(MustEcho(R"({"action":"echo","n":)" + std::to_string(i) + "}"));

  // One environment, registered once; each INVOKE, in order, done before its REPORT.
  std::vector<std::string> expected = {"registered"};
  for (const std::string& id : ids) {
    expected.push_back("invoke " + id);
    expected.push_back("done " + id);
  }
  EXPECT_EQ(Record(), expected);
  EXPECT_EQ(emulator_->pool().stats().started, 1u);

  // Stopping serve is a spindown: SHUTDOWN reaches the extension, which is done before Stop
  // returns.
  emulator_->Stop();
  expected.push_back("flushed spindown");
  EXPECT_EQ(Record(), expected) << sink_.stderr_text();
}

TEST_F(ExtensionsTest, TheCallerIsAnsweredBeforeTheExtensionIsDoneAndReportCountsItsTime) {
  AddRecorder();
  // After each INVOKE the extension waits for hold_, then works 300 ms.
  StartFaulty({{"EXT_HOLD", hold_}, {"EXT_WORK_SECONDS", "0.3"}});
  if (!emulator_) return;
  const std::string payload = R"({"action":"echo","first":true})";
  const http::Response response = MustInvoke(payload);
  const steady_clock::time_point answered = steady_clock::now();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, payload);
  const std::string id = Header(response, "X-Amzn-RequestId");

  // The extension holds the invoke: it is not done, and there is no REPORT yet.
  ASSERT_TRUE(WaitRecord("invoke " + id)) << Joined(Record());
  EXPECT_FALSE(Contains(Record(), "done " + id));
  EXPECT_FALSE(ReportFor(Log(), id).has_value()) << Log();

  const double held_ms = MsSince(answered);
  Touch(hold_);
  const std::map<std::string, std::string> report = WaitReport(id);
  EXPECT_TRUE(Contains(Record(), "done " + id)) << Joined(Record());
  // Duration runs from the hand-over (before the answer) to the extension's next /event/next
  // (after the hold and its 300 ms of work).
  EXPECT_GE(testing::FieldNumber(report.at("Duration")), held_ms + 299.0) << Log();
  EXPECT_EQ(report.count("Status"), 0u) << Log();

  // The next invoke gets the same environment, and its REPORT counts the 300 ms again.
  const std::string second = MustEcho(R"({"action":"echo","second":true})");
  EXPECT_TRUE(Contains(Record(), "done " + second));
  const std::map<std::string, std::string> second_report = WaitReport(second);
  EXPECT_GE(testing::FieldNumber(second_report.at("Duration")), 300.0) << Log();
  EXPECT_EQ(second_report.count("Init Duration"), 0u) << Log();
}

// --- Extensions that fail ---

TEST_F(ExtensionsTest, AnExtensionThatCrashesFailsTheInvokeAndServeGoesOn) {
  AddRecorder();
  // The extension of the first environment exits 1 on INVOKE; the function waits for a file
  // that comes only later, so the crash is seen first.
  StartFaulty({{"EXT_FAULT", "crash"}, {"EXT_FAULT_ONCE", once_}});
  if (!emulator_) return;
  const http::Response crashed = MustInvoke(R"({"action":"wait_file","path":")" + release_ + R"("})");
  ExpectFunctionError(crashed, "Extension.Crash");
  const std::string crashed_id = Header(crashed, "X-Amzn-RequestId");
  const std::map<std::string, std::string> report = WaitReport(crashed_id);
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "error") << Log();
  EXPECT_EQ(report.count("Error Type") ? report.at("Error Type") : "", "Extension.Crash") << Log();
  EXPECT_TRUE(Contains(Record(), "invoke " + crashed_id)) << Joined(Record());
  EXPECT_NE(sink_.stderr_text().find("recorder"), std::string::npos) << sink_.stderr_text();

  // A fresh environment (its extension registers again) serves the next invoke.
  const std::string id = MustEcho(R"({"action":"echo","after":"crash"})");
  EXPECT_EQ(WaitReport(id).count("Init Duration"), 1u) << Log();
  EXPECT_EQ(Registrations(), 2u) << Joined(Record());
  EXPECT_TRUE(Contains(Record(), "done " + id)) << Joined(Record());
  EXPECT_EQ(emulator_->pool().stats().started, 2u);
}

TEST_F(ExtensionsTest, AnExtensionThatCrashesAfterTheAnswerFailsTheReport) {
  AddRecorder();
  // The first environment's extension exits 1 once the test lets it go, after the caller has
  // its answer: only the REPORT can tell.
  StartFaulty({{"EXT_HOLD", hold_}, {"EXT_FAULT", "crash"}, {"EXT_FAULT_ONCE", once_}});
  if (!emulator_) return;
  const std::string payload = R"({"action":"echo","first":true})";
  const http::Response answered = MustInvoke(payload);
  EXPECT_EQ(answered.status, 200);
  EXPECT_FALSE(answered.headers.Has("X-Amz-Function-Error")) << answered.body;
  EXPECT_EQ(answered.body, payload);
  const std::string id = Header(answered, "X-Amzn-RequestId");
  ASSERT_TRUE(WaitRecord("invoke " + id)) << Joined(Record());
  Touch(hold_);
  const std::map<std::string, std::string> report = WaitReport(id);
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "error") << Log();
  EXPECT_EQ(report.count("Error Type") ? report.at("Error Type") : "", "Extension.Crash") << Log();
  EXPECT_FALSE(Contains(Record(), "done " + id)) << Joined(Record());

  const std::string next = MustEcho(R"({"action":"echo","second":true})");
  EXPECT_EQ(WaitReport(next).count("Init Duration"), 1u) << Log();
  EXPECT_EQ(Registrations(), 2u) << Joined(Record());
}

TEST_F(ExtensionsTest, ATimeoutShutsTheExtensionDownWithReasonTimeout) {
  AddRecorder();
  StartFaulty({}, [](EmulatorOptions& options) { options.function.timeout_seconds = 1; });
  if (!emulator_) return;
  // The function waits for a file that never comes: the invoke times out and the environment
  // ends, its extension told why.
  const http::Response timed_out = MustInvoke(R"({"action":"wait_file","path":")" + release_ + R"("})");
  ExpectFunctionError(timed_out, "Sandbox.Timedout");
  const std::string id = Header(timed_out, "X-Amzn-RequestId");
  const std::map<std::string, std::string> report = WaitReport(id);
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "timeout") << Log();
  ASSERT_TRUE(WaitRecord("flushed timeout")) << Joined(Record());
  EXPECT_TRUE(Contains(Record(), "invoke " + id)) << Joined(Record());

  const std::string next = MustEcho(R"({"action":"echo","after":"timeout"})");
  EXPECT_TRUE(Contains(Record(), "done " + next)) << Joined(Record());
  EXPECT_EQ(Registrations(), 2u) << Joined(Record());
}

TEST_F(ExtensionsTest, AnExtensionStuckAfterTheAnswerTimesTheInvokeOutAndServeGoesOn) {
  AddRecorder();
  // The recorder holds the INVOKE until hold_ exists, which it does not before the timeout.
  StartFaulty({{"EXT_HOLD", hold_}, {"EXT_FAULT", "crash"}, {"EXT_FAULT_ONCE", once_}},
              [](EmulatorOptions& options) { options.function.timeout_seconds = 1; });
  if (!emulator_) return;
  const http::Response answered = MustInvoke(R"({"action":"echo","held":true})");
  EXPECT_EQ(answered.body, R"({"action":"echo","held":true})");  // the caller is not held up
  const std::string id = Header(answered, "X-Amzn-RequestId");
  const std::map<std::string, std::string> report = WaitReport(id);
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "timeout") << Log();
  EXPECT_NE(sink_.stderr_text().find("did not ask for its next event"), std::string::npos) << sink_.stderr_text();
  Touch(hold_);  // the next environment's recorder is not held
  const std::string next = MustEcho(R"({"action":"echo","after":"stuck"})");
  EXPECT_TRUE(WaitRecord("done " + next)) << Joined(Record());
}

TEST_F(ExtensionsTest, AnExtensionThatNeverAsksForAnEventTimesInitOut) {
  AddRecorder();
  // The first environment's extension registers and then stays silent: init cannot end. The
  // init timeout is max(10 s, the function's timeout): 10 s here.
  StartFaulty({{"EXT_FAULT", "silent"}, {"EXT_FAULT_ONCE", once_}},
              [](EmulatorOptions& options) { options.function.timeout_seconds = 1; });
  if (!emulator_) return;
  const http::Response timed_out = MustInvoke(R"({"action":"echo","first":true})");
  ExpectFunctionError(timed_out, "Sandbox.Timedout");
  EXPECT_NE(timed_out.body.find("Init timed out after 10.00 seconds"), std::string::npos) << timed_out.body;
  const std::map<std::string, std::string> report = WaitReport(Header(timed_out, "X-Amzn-RequestId"));
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "timeout") << Log();
  EXPECT_NE(Log().find("INIT_REPORT"), std::string::npos) << Log();
  EXPECT_NE(Log().find("Status: timeout"), std::string::npos) << Log();
  EXPECT_EQ(Record(), std::vector<std::string>{"registered"});

  // The next environment's extension behaves.
  const std::string id = MustEcho(R"({"action":"echo","second":true})");
  EXPECT_TRUE(Contains(Record(), "done " + id)) << Joined(Record());
  EXPECT_EQ(Registrations(), 2u) << Joined(Record());
}

TEST_F(ExtensionsTest, AnInitErrorFailsTheFirstInvokeAndServeGoesOn) {
  AddRecorder();
  StartFaulty({{"EXT_FAULT", "init_error"}, {"EXT_FAULT_ONCE", once_}});
  if (!emulator_) return;
  const http::Response failed = MustInvoke(R"({"action":"echo","first":true})");
  ExpectFunctionError(failed, "Extension.InitError");
  const std::map<std::string, std::string> report = WaitReport(Header(failed, "X-Amzn-RequestId"));
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "error") << Log();
  EXPECT_EQ(report.count("Error Type") ? report.at("Error Type") : "", "Extension.InitError") << Log();
  EXPECT_NE(Log().find("INIT_REPORT"), std::string::npos) << Log();
  // The extension's own init/error call was accepted.
  ASSERT_TRUE(WaitRecord("init_error 202")) << Joined(Record());

  const std::string id = MustEcho(R"({"action":"echo","second":true})");
  EXPECT_TRUE(Contains(Record(), "done " + id)) << Joined(Record());
  EXPECT_EQ(Registrations(), 2u) << Joined(Record());
}

// --- Calls the Extensions API refuses ---

struct BadCall {
  std::string what;
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error_type;  // the 403's errorType
};

TEST_F(ExtensionsTest, RefusesBadCallsWith403AndKeepsServing) {
  AddRecorder();
  StartFaulty();
  if (!emulator_) return;
  MustEcho(R"({"action":"echo","n":0})");  // the environment is up; its init is over
  const std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
  ASSERT_EQ(environments.size(), 1u);
  const std::string& address = environments[0].runtime_api;
  const auto colon = address.rfind(':');
  ASSERT_NE(colon, std::string::npos) << address;
  const auto port = static_cast<uint16_t>(std::stoi(address.substr(colon + 1)));

  const std::string kRegister = "/2020-01-01/extension/register";
  const std::string kNext = "/2020-01-01/extension/event/next";
  const std::string kUnknownId = "00000000-0000-4000-8000-000000000000";
  const std::vector<BadCall> calls = {
      {"the external extension's name again", "POST", kRegister, {{"Lambda-Extension-Name", "recorder"}},
       R"({"events":["INVOKE"]})", "Extension.InvalidExtensionState"},
      {"a new extension after init", "POST", kRegister, {{"Lambda-Extension-Name", "late"}}, R"({"events":[]})",
       "Extension.RegistrationClosed"},
      {"an unknown event", "POST", kRegister, {{"Lambda-Extension-Name", "late"}},
       R"({"events":["INVOKE","RESTART"]})", "Extension.InvalidEventType"},
      {"a body that is not JSON", "POST", kRegister, {{"Lambda-Extension-Name", "late"}}, R"({"events":[)",
       "InvalidRequestFormat"},
      {"no name", "POST", kRegister, {}, R"({"events":[]})", "Extension.InvalidExtensionName"},
      {"next with an unknown identifier", "GET", kNext, {{"Lambda-Extension-Identifier", kUnknownId}}, "",
       "Extension.UnknownExtensionIdentifier"},
      {"next without an identifier", "GET", kNext, {}, "", "Extension.MissingExtensionIdentifier"},
      {"init/error with an unknown identifier", "POST", "/2020-01-01/extension/init/error",
       {{"Lambda-Extension-Identifier", kUnknownId}, {"Lambda-Extension-Function-Error-Type", "Extension.Bad"}}, "",
       "Extension.UnknownExtensionIdentifier"},
      {"exit/error without an identifier", "POST", "/2020-01-01/extension/exit/error",
       {{"Lambda-Extension-Function-Error-Type", "Extension.Bad"}}, "", "Extension.MissingExtensionIdentifier"},
  };
  for (size_t i = 0; i < calls.size(); ++i) {
    const BadCall& call = calls[i];
    SCOPED_TRACE(call.what);
    auto api = InvokeClient::Connect(port);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    http::Request request;
    request.method = call.method;
    request.target = call.path;
    request.headers.Add("Host", address);
    for (const auto& [name, value] : call.headers) request.headers.Add(name, value);
    request.body = call.body;
    auto answer = api->Send(request);
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    EXPECT_EQ(answer->status, 403) << answer->body;
    const nlohmann::json error = Json(answer->body);
    ASSERT_TRUE(error.is_object()) << answer->body;
    EXPECT_EQ(error.value("errorType", ""), call.error_type) << answer->body;
    EXPECT_FALSE(error.value("errorMessage", "").empty()) << answer->body;
    // The environment serves on, with its extension.
    const std::string id = MustEcho(R"({"action":"echo","n":)" + std::to_string(i + 1) + "}");
    EXPECT_TRUE(Contains(Record(), "done " + id)) << Joined(Record());
  }
  EXPECT_EQ(Registrations(), 1u);
  EXPECT_EQ(emulator_->pool().stats().started, 1u);
}

// --- SIGTERM, asked for the way aws-lambda-go asks for it ---

TEST_F(ExtensionsTest, AnInternalExtensionBringsSigtermAtShutdown) {
  StartSigtermFunction();
  if (!emulator_) return;
  MustEcho(R"({"go":"sigterm"})");
  const steady_clock::time_point stopping = steady_clock::now();
  emulator_->Stop();
  const double stop_ms = MsSince(stopping);
  EXPECT_NE(Log().find("[runtime] SIGTERM received"), std::string::npos) << Log();
  EXPECT_EQ(sink_.stderr_text().find("Failed to register"), std::string::npos) << sink_.stderr_text();
  // The function left at once: Stop did not wait out the 500 ms Lambda gives when only internal
  // extensions are registered.
  EXPECT_LT(stop_ms, 500.0);
}

TEST_F(ExtensionsTest, AFunctionThatStaysAfterSigtermIsKilledAfter500Ms) {
  // As aws-lambda-go does: the callback runs, the process stays until SIGKILL.
  StartSigtermFunction({{"SIGTERM_FUNCTION_STAY", "1"}});
  if (!emulator_) return;
  MustEcho(R"({"go":"stay"})");
  const steady_clock::time_point stopping = steady_clock::now();
  emulator_->Stop();
  const double stop_ms = MsSince(stopping);
  EXPECT_NE(Log().find("[runtime] SIGTERM received"), std::string::npos) << Log();
  // Its /next stays pending through the Shutdown phase, as on Lambda: a runtime whose /next
  // fails exits (aws-lambda-go's logFatalf), which would cut its SIGTERM handlers short.
  EXPECT_EQ(sink_.stderr_text().find("failed to get the next invoke"), std::string::npos) << sink_.stderr_text();
  // 500 ms with internal extensions only (2 s when an external one is registered).
  EXPECT_GE(stop_ms, 450.0);
  EXPECT_LT(stop_ms, 2000.0);
}

TEST_F(ExtensionsTest, WithoutAnExtensionTheFunctionGetsNoSigterm) {
  StartSigtermFunction({{"SIGTERM_FUNCTION_REGISTER", "0"}});
  if (!emulator_) return;
  MustEcho(R"({"go":"no extension"})");
  emulator_->Stop();  // its output is forwarded in full once Stop returns
  EXPECT_EQ(Log().find("SIGTERM received"), std::string::npos) << Log();
}

TEST_F(ExtensionsTest, AnInternalExtensionMayNotAskForShutdown) {
  StartSigtermFunction({{"SIGTERM_FUNCTION_EVENTS", "SHUTDOWN"}});
  if (!emulator_) return;
  // The function logs the refused registration (with the answer) and serves on.
  MustEcho(R"({"go":"shutdown event"})");
  EXPECT_TRUE(WaitUntil([&] { return sink_.stderr_text().find("Failed to register") != std::string::npos; },
                        kEventDeadline))
      << sink_.stderr_text();
  const std::string warnings = sink_.stderr_text();
  EXPECT_NE(warnings.find("403"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("Extension.InvalidEventType"), std::string::npos) << warnings;
  // No extension is registered, so no SIGTERM.
  emulator_->Stop();
  EXPECT_EQ(Log().find("SIGTERM received"), std::string::npos) << Log();
}

}  // namespace
}  // namespace zerostart::emulator
