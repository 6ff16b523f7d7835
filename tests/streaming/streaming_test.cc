// Response streaming end to end, in-process: the emulator serving the streaming test function
// (tests/functions/streamer, built on zerostart::RunStreaming), echo, and a bash runtime that
// misbehaves on purpose; callers read the answers as they arrive (StreamClient).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "src/common/base64.h"
#include "src/emulator/emulator.h"
#include "tests/integration/test_support.h"
#include "tests/streaming/stream_client.h"

namespace zerostart::emulator {
namespace {

using std::chrono::seconds;
using testing::BinPath;
using testing::ReportFor;
using testing::StreamClient;
using testing::WaitUntil;

constexpr std::string_view kStreamPath = "/2021-11-15/functions/function/response-streaming-invocations";

http::Request StreamRequest(const std::string& payload, const std::string& log_type = "") {
  http::Request request;
  request.method = "POST";
  request.target = std::string(kStreamPath);
  request.body = payload;
  if (!log_type.empty()) request.headers.Add("X-Amz-Log-Type", log_type);
  return request;
}

std::string EventType(const eventstream::Message& message) {
  return std::string(message.StringHeader(":event-type").value_or(""));
}

// True while process group `pgid` has a member (zombies included).
bool ProcessGroupExists(pid_t pgid) { return ::kill(-pgid, 0) == 0 || errno == EPERM; }

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_ = std::filesystem::temp_directory_path() / ("zs-stream-gate-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove(gate_);
  }
  void TearDown() override {
    if (emulator_) emulator_->Stop();
    std::filesystem::remove(gate_);
  }

  void Start(const std::string& path, const std::function<void(EmulatorOptions&)>& tweak = {}) {
    EmulatorOptions options;
    options.function.path = path;
    options.function.timeout_seconds = 10;
    options.invoke_address = {"127.0.0.1", 0};
    options.sink = &sink_;
    options.enforce_limits = false;
    if (tweak) tweak(options);
    auto started = Emulator::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emulator_ = std::move(started).value();
  }
  void StartFunction(const std::string& name, const std::function<void(EmulatorOptions&)>& tweak = {}) {
    if (!testing::HaveBinary(name)) GTEST_SKIP() << BinPath(name) << " is not built";
    Start(BinPath(name), tweak);
  }

  StreamClient Client() {
    auto client = StreamClient::Connect(emulator_->invoke_port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }
  testing::InvokeClient Buffered() {
    auto client = testing::InvokeClient::Connect(emulator_->invoke_port());
    EXPECT_TRUE(client.ok());
    return std::move(client).value();
  }

  void OpenGate() { std::ofstream(gate_).put('1'); }
  std::string WaitGate() const { return "wait_file:" + gate_.string(); }

  std::string Log() const { return sink_.stdout_text(); }
  std::map<std::string, std::string> WaitReport(const std::string& id) {
    std::optional<std::map<std::string, std::string>> report;
    WaitUntil([&] { return (report = ReportFor(Log(), id)).has_value(); });
    EXPECT_TRUE(report.has_value()) << "no REPORT for " << id << " in:\n" << Log();
    return report.value_or(std::map<std::string, std::string>{});
  }

  std::filesystem::path gate_;
  CapturingLogSink sink_;
  std::unique_ptr<Emulator> emulator_;
};

// The first chunk reaches the caller while the function is still running (it waits for the
// gate, which the test opens only after it has the chunk); then InvokeComplete.
TEST_F(StreamingTest, ChunksReachTheCallerAsTheFunctionWritesThem) {
  StartFunction("streamer");
  StreamClient client = Client();
  nlohmann::json event = {{"chunks", 2}, {"text", "data: tick\n\n"}, {"after", WaitGate()}};
  ASSERT_TRUE(client.Send(StreamRequest(event.dump())).ok());
  std::optional<http::Response> head = client.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers.Get("Content-Type"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(head->headers.Get("X-Amz-Executed-Version"), "$LATEST");
  std::string request_id(head->headers.Get("X-Amzn-RequestId").value_or(""));
  ASSERT_FALSE(request_id.empty());

  std::string received;
  while (received.size() < 2 * std::string("data: tick\n\n").size()) {
    std::optional<eventstream::Message> chunk = client.NextEvent();
    ASSERT_TRUE(chunk.has_value()) << client.error().ToString();
    EXPECT_EQ(EventType(*chunk), "PayloadChunk");
    EXPECT_EQ(chunk->StringHeader(":message-type"), "event");
    received += chunk->payload;
  }
  EXPECT_EQ(received, "data: tick\n\ndata: tick\n\n");
  EXPECT_FALSE(std::filesystem::exists(gate_));  // the function is still at work
  OpenGate();
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(EventType(*end), "InvokeComplete");
  EXPECT_EQ(end->payload, "{}");
  EXPECT_FALSE(client.NextEvent().has_value());
  EXPECT_TRUE(client.ended());
  std::map<std::string, std::string> report = WaitReport(request_id);
  EXPECT_TRUE(report.count("Duration"));
}

TEST_F(StreamingTest, AnErrorAfterBytesEndsTheStreamWithItsErrorCode) {
  StartFunction("streamer");
  StreamClient client = Client();
  ASSERT_TRUE(client.Send(StreamRequest(R"({"chunks":1,"text":"partial","after":"throw"})")).ok());
  ASSERT_TRUE(client.ReadHead().has_value());
  std::optional<eventstream::Message> chunk = client.NextEvent();
  ASSERT_TRUE(chunk.has_value());
  EXPECT_EQ(chunk->payload, "partial");
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value());
  ASSERT_EQ(EventType(*end), "InvokeComplete");
  nlohmann::json complete = nlohmann::json::parse(end->payload);
  EXPECT_EQ(complete.value("ErrorCode", ""), "std::runtime_error");
  EXPECT_FALSE(complete.value("ErrorDetails", "").empty());

  // The function goes on serving: the next invoke streams normally.
  StreamClient again = Client();
  ASSERT_TRUE(again.Send(StreamRequest(R"({"chunks":1,"text":"next"})")).ok());
  ASSERT_TRUE(again.ReadHead().has_value());
  std::optional<eventstream::Message> next = again.NextEvent();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->payload, "next");
}

TEST_F(StreamingTest, AnErrorBeforeAnyByteIsAnOrdinaryFunctionError) {
  StartFunction("streamer");
  StreamClient client = Client();
  ASSERT_TRUE(client.Send(StreamRequest(R"({"before":"throw"})")).ok());
  ASSERT_TRUE(client.ReadHead().has_value());
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value());
  ASSERT_EQ(EventType(*end), "InvokeComplete");
  EXPECT_EQ(nlohmann::json::parse(end->payload).value("ErrorCode", ""), "std::runtime_error");

  testing::InvokeClient buffered = Buffered();
  auto response = buffered.Invoke(R"({"before":"throw"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->headers.Get("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(nlohmann::json::parse(response->body).value("errorType", ""), "std::runtime_error");
}

// A buffered Invoke of a streaming function gets the whole body, with the function's type.
TEST_F(StreamingTest, BufferedInvokeOfAStreamingFunctionGetsTheWholeBody) {
  StartFunction("streamer");
  testing::InvokeClient client = Buffered();
  auto response = client.Invoke(R"({"chunks":3,"text":"ab","content_type":"text/plain"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ababab");
  EXPECT_EQ(response->headers.Get("Content-Type"), "text/plain");
  EXPECT_FALSE(response->headers.Has("X-Amz-Function-Error"));

  auto failed = client.Invoke(R"({"chunks":1,"text":"ab","after":"fail"})");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->headers.Get("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(nlohmann::json::parse(failed->body).value("errorType", ""), "StreamerError");
}

// A streaming invoke of a buffered function: its result as one chunk.
TEST_F(StreamingTest, StreamingInvokeOfABufferedFunctionGetsOneChunk) {
  StartFunction("echo");
  StreamClient client = Client();
  ASSERT_TRUE(client.Send(StreamRequest(R"({"hello":"stream"})")).ok());
  ASSERT_TRUE(client.ReadHead().has_value());
  std::optional<eventstream::Message> chunk = client.NextEvent();
  ASSERT_TRUE(chunk.has_value());
  EXPECT_EQ(EventType(*chunk), "PayloadChunk");
  EXPECT_EQ(chunk->payload, R"({"hello":"stream"})");
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(EventType(*end), "InvokeComplete");
}

TEST_F(StreamingTest, LogTailOnBothInvokePaths) {
  StartFunction("streamer");
  StreamClient client = Client();
  ASSERT_TRUE(client.Send(StreamRequest(R"({"chunks":1,"text":"x","stdout":"hello from the function"})", "Tail")).ok());
  ASSERT_TRUE(client.ReadHead().has_value());
  ASSERT_TRUE(client.NextEvent().has_value());
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value());
  nlohmann::json complete = nlohmann::json::parse(end->payload);
  Result<std::string> tail = Base64Decode(complete.value("LogResult", ""));
  ASSERT_TRUE(tail.ok());
  EXPECT_NE(tail->find("START RequestId:"), std::string::npos) << *tail;
  EXPECT_NE(tail->find("hello from the function"), std::string::npos) << *tail;
  EXPECT_NE(tail->find("REPORT RequestId:"), std::string::npos) << *tail;

  testing::InvokeClient buffered = Buffered();
  auto response = buffered.Invoke(R"({"chunks":1,"text":"y","stdout":"buffered line"})", {{"X-Amz-Log-Type", "Tail"}});
  ASSERT_TRUE(response.ok());
  Result<std::string> header_tail = Base64Decode(response->headers.Get("X-Amz-Log-Result").value_or(""));
  ASSERT_TRUE(header_tail.ok());
  EXPECT_NE(header_tail->find("buffered line"), std::string::npos) << *header_tail;
  EXPECT_NE(header_tail->find("END RequestId:"), std::string::npos) << *header_tail;
  EXPECT_EQ(header_tail->find("hello from the function"), std::string::npos) << "another invoke's line";

  auto plain = buffered.Invoke(R"({"chunks":1,"text":"z"})");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->headers.Has("X-Amz-Log-Result"));
  auto bad = buffered.Invoke("{}", {{"X-Amz-Log-Type", "Everything"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
}

TEST_F(StreamingTest, ATimeoutMidStreamEndsItWithTheTimeoutError) {
  StartFunction("streamer", [](EmulatorOptions& options) { options.function.timeout_seconds = 1; });
  StreamClient client = Client();
  ASSERT_TRUE(client.Send(StreamRequest(R"({"chunks":1,"text":"before the timeout","after":"sleep_ms:60000"})")).ok());
  std::optional<http::Response> head = client.ReadHead();
  ASSERT_TRUE(head.has_value());
  std::optional<eventstream::Message> chunk = client.NextEvent();
  ASSERT_TRUE(chunk.has_value());
  EXPECT_EQ(chunk->payload, "before the timeout");
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(nlohmann::json::parse(end->payload).value("ErrorCode", ""), "Sandbox.Timedout");
  std::map<std::string, std::string> report = WaitReport(std::string(head->headers.Get("X-Amzn-RequestId").value_or("")));
  EXPECT_EQ(report["Status"], "timeout");
}

// A caller that reads the head of its answer and then nothing more, while the function writes
// far more than the sockets between them hold: the relay ends up blocked writing to that caller.
// The invoke still times out, the next caller gets a fresh environment, and Stop() returns with
// the function's process and cgroups gone: tearing the environment down cuts the stuck caller
// off instead of waiting for it.
TEST_F(StreamingTest, ACallerThatStopsReadingDoesNotWedgeTheShutdown) {
  StartFunction("streamer", [](EmulatorOptions& options) {
    options.function.timeout_seconds = 1;
    options.stream_limits.bytes_per_second = 0;  // the writes block on the caller, not on the cap
    options.enforce_limits = true;               // where cgroups are usable: each must go too
  });
  StreamClient stuck = Client();
  // 64 MiB in 64-KiB chunks: more than the caller's receive buffer (up to 32 MiB with Linux's
  // usual net.ipv4.tcp_rmem) and the emulator's send buffer (4 MiB) take, so the function is
  // still writing when its timeout comes.
  nlohmann::json event = {{"chunks", 1024}, {"chunk_bytes", 65536}, {"after", WaitGate()}};
  ASSERT_TRUE(stuck.Send(StreamRequest(event.dump())).ok());
  std::optional<http::Response> head = stuck.ReadHead();
  ASSERT_TRUE(head.has_value()) << stuck.error().ToString();
  const std::string id(head->headers.Get("X-Amzn-RequestId").value_or(""));
  ASSERT_FALSE(id.empty());
  // Its process and cgroups, read while the invoke holds them (START: the process asked for it).
  ASSERT_TRUE(WaitUntil([&] {
    std::vector<std::string> started = testing::StartedRequestIds(Log());
    return std::find(started.begin(), started.end(), id) != started.end();
  })) << Log();
  const std::vector<pid_t> pids = testing::ChildrenOf(::getpid());
  ASSERT_EQ(pids.size(), 1u);
  const std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
  ASSERT_EQ(environments.size(), 1u);
  const std::vector<std::string> groups = environments[0].group_dirs;
  if (sink_.stderr_text().find("not enforcing") == std::string::npos) {
    EXPECT_FALSE(groups.empty()) << "limits are enforced, yet the environment has no cgroup";
  }

  EXPECT_EQ(WaitReport(id)["Status"], "timeout") << Log();
  testing::InvokeClient next = Buffered();
  auto fresh = next.Invoke(R"({"chunks":1,"text":"fresh"})");
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->body, "fresh");
  EXPECT_TRUE(WaitReport(testing::Header(*fresh, "X-Amzn-RequestId")).count("Init Duration")) << Log();
  EXPECT_EQ(emulator_->pool().stats().started, 2u);

  // Stop() waits for every environment to be torn down. Had the stuck caller not been cut off,
  // the relay would stay blocked in its write and Stop() would never return; 20 s is far beyond
  // what the teardown takes (SIGTERM with a 500-ms grace, then at most 1 s for relays to drain).
  std::promise<void> stopped;
  std::future<void> done = stopped.get_future();
  std::thread stopper([&] {
    emulator_->Stop();
    stopped.set_value();
  });
  const bool returned = done.wait_for(seconds(20)) == std::future_status::ready;
  if (!returned) stuck.Close();  // unblocks the relay, so the test fails rather than hangs
  stopper.join();
  ASSERT_TRUE(returned) << "Stop() did not return while a streaming caller was not reading";
  EXPECT_FALSE(testing::ProcessAlive(pids[0]));
  EXPECT_FALSE(ProcessGroupExists(pids[0]));
  EXPECT_TRUE(testing::ChildrenOf(::getpid()).empty());
  for (const std::string& group : groups) EXPECT_FALSE(std::filesystem::exists(group)) << group;
  const std::vector<std::string> left = testing::CgroupGroupsOf(::getpid());
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST_F(StreamingTest, ACrashMidStreamEndsItWithTheExitError) {
  StartFunction("streamer");
  StreamClient client = Client();
  // It crashes once the caller has its chunk (whether bytes written just before a crash reach
  // the caller is a race on Lambda too).
  nlohmann::json event = {{"chunks", 1}, {"text", "last words"}, {"after", "crash_after_file:" + gate_.string()}};
  ASSERT_TRUE(client.Send(StreamRequest(event.dump())).ok());
  ASSERT_TRUE(client.ReadHead().has_value());
  std::optional<eventstream::Message> chunk = client.NextEvent();
  ASSERT_TRUE(chunk.has_value()) << client.error().ToString();
  EXPECT_EQ(chunk->payload, "last words");
  OpenGate();
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value()) << client.error().ToString() << " ended=" << client.ended() << "\n" << Log();
  EXPECT_EQ(nlohmann::json::parse(end->payload).value("ErrorCode", ""), "Runtime.ExitError");
}

// The caller hangs up mid-stream: the function's further bytes are dropped, its invoke still
// ends (REPORT), and serve goes on serving.
TEST_F(StreamingTest, ACallerThatHangsUpMidStreamLosesNothingElse) {
  StartFunction("streamer");
  StreamClient client = Client();
  nlohmann::json event = {{"chunks", 1}, {"text", "first"}, {"after", WaitGate()}};
  ASSERT_TRUE(client.Send(StreamRequest(event.dump())).ok());
  std::optional<http::Response> head = client.ReadHead();
  ASSERT_TRUE(head.has_value());
  ASSERT_TRUE(client.NextEvent().has_value());
  client.Close();
  OpenGate();
  WaitReport(std::string(head->headers.Get("X-Amzn-RequestId").value_or("")));
  testing::InvokeClient buffered = Buffered();
  auto response = buffered.Invoke(R"({"chunks":2,"text":"ok"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body, "okok");
}

TEST_F(StreamingTest, AStreamPastItsLimitEndsWithResponseSizeTooLarge) {
  StartFunction("streamer", [](EmulatorOptions& options) {
    options.stream_limits.max_bytes = 256 * 1024;
    options.stream_limits.bytes_per_second = 0;
  });
  StreamClient client = Client();
  ASSERT_TRUE(client.Send(StreamRequest(R"({"chunks":8,"chunk_bytes":65536})")).ok());
  ASSERT_TRUE(client.ReadHead().has_value());
  std::optional<eventstream::Message> event;
  size_t streamed = 0;
  while ((event = client.NextEvent()) && EventType(*event) == "PayloadChunk") streamed += event->payload.size();
  ASSERT_TRUE(event.has_value());
  EXPECT_LE(streamed, 256u * 1024);
  EXPECT_EQ(nlohmann::json::parse(event->payload).value("ErrorCode", ""), "Function.ResponseSizeTooLarge");
  testing::InvokeClient buffered = Buffered();
  auto response = buffered.Invoke(R"({"chunks":1,"text":"still serving"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body, "still serving");
}

// The bandwidth cap can only slow a stream down, so a lower bound on its time is safe on a
// loaded machine: 64 KiB free, then 512 KiB at 2 MiB/s take at least 0.25 s.
TEST_F(StreamingTest, TheBandwidthCapHoldsAStreamBack) {
  StartFunction("streamer", [](EmulatorOptions& options) {
    options.stream_limits.unthrottled_bytes = 64 * 1024;
    options.stream_limits.bytes_per_second = 2 * 1024 * 1024;
  });
  testing::InvokeClient buffered = Buffered();
  auto start = std::chrono::steady_clock::now();
  auto response = buffered.Invoke(R"({"chunks":9,"chunk_bytes":65536})");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body.size(), 9u * 65536);
  EXPECT_GE(elapsed, std::chrono::milliseconds(240));
}

TEST_F(StreamingTest, DryRunAndEventOnTheStreamingRoute) {
  StartFunction("echo");
  StreamClient dry = Client();
  http::Request request = StreamRequest("{}");
  request.headers.Add("X-Amz-Invocation-Type", "DryRun");
  ASSERT_TRUE(dry.Send(request).ok());
  std::optional<http::Response> head = dry.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 204);
  StreamClient event = Client();
  request.headers.Set("X-Amz-Invocation-Type", "Event");
  ASSERT_TRUE(event.Send(request).ok());
  head = event.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 400);
  EXPECT_EQ(head->headers.Get("X-Amzn-ErrorType"), "InvalidParameterValueException");
}

// `zerostart invoke --stream` prints each chunk as it arrives, and the log tail on stderr.
TEST_F(StreamingTest, TheCliPrintsAStreamAsItArrives) {
  StartFunction("streamer");
  if (!testing::HaveBinary("zerostart")) GTEST_SKIP() << "zerostart is not built";
  nlohmann::json event = {{"chunks", 1}, {"text", "first piece\n"}, {"after", WaitGate()}, {"stdout", "cli log line"}};
  auto cli = testing::ChildProcess::Start({BinPath("zerostart"), "invoke", "--port",
                                           std::to_string(emulator_->invoke_port()), "--stream",
                                           "--log-type", "Tail", "--payload", event.dump()});
  ASSERT_TRUE(cli.ok()) << cli.status().ToString();
  EXPECT_TRUE((*cli)->WaitForStdout("first piece\n", std::chrono::seconds(10))) << (*cli)->stdout_text();
  EXPECT_FALSE(std::filesystem::exists(gate_));
  OpenGate();
  EXPECT_EQ((*cli)->Wait(std::chrono::seconds(10)), 0) << (*cli)->stderr_text();
  EXPECT_NE((*cli)->stderr_text().find("cli log line"), std::string::npos) << (*cli)->stderr_text();
  EXPECT_NE((*cli)->stderr_text().find("REPORT RequestId:"), std::string::npos) << (*cli)->stderr_text();

  auto failing = testing::ChildProcess::Start({BinPath("zerostart"), "invoke", "--port",
                                               std::to_string(emulator_->invoke_port()), "--stream",
                                               "--payload", R"({"chunks":1,"text":"x","after":"fail"})"});
  ASSERT_TRUE(failing.ok());
  std::optional<int> status = (*failing)->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << *status;
  EXPECT_NE((*failing)->stderr_text().find("StreamerError"), std::string::npos) << (*failing)->stderr_text();
}

// --- Function URLs ---

http::Request UrlRequest(const std::string& method, const std::string& target, const std::string& body) {
  http::Request request;
  request.method = method;
  request.target = target;
  request.body = body;
  request.headers.Add("Cookie", "a=1; b=2");
  request.headers.Add("Content-Type", "application/json");
  return request;
}

TEST_F(StreamingTest, AFunctionUrlGetsThePayloadFormatEventAndTheBufferedAnswer) {
  StartFunction("echo");
  StreamClient client = Client();
  ASSERT_TRUE(client.Send(UrlRequest("POST", "/lambda-url/function/some/path?x=1&y=a%20b", R"({"k":"v"})")).ok());
  std::optional<http::Response> head = client.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  std::optional<std::string> body = client.ReadRest();
  ASSERT_TRUE(body.has_value());
  // echo returns the event: a JSON object without statusCode, so it is the body as it is.
  nlohmann::json event = nlohmann::json::parse(*body);
  EXPECT_EQ(event["version"], "2.0");
  EXPECT_EQ(event["rawPath"], "/some/path");
  EXPECT_EQ(event["rawQueryString"], "x=1&y=a%20b");
  EXPECT_EQ(event["queryStringParameters"]["y"], "a b");
  EXPECT_EQ(event["requestContext"]["http"]["method"], "POST");
  EXPECT_EQ(event["cookies"], nlohmann::json::array({"a=1", "b=2"}));
  EXPECT_EQ(event["body"], R"({"k":"v"})");
  EXPECT_EQ(event["isBase64Encoded"], false);

  StreamClient bad = Client();
  ASSERT_TRUE(bad.Send(UrlRequest("GET", "/lambda-url/func%zztion/", "")).ok());
  head = bad.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 400);

  // Headers past the limit: refused before anything runs; serve goes on.
  StreamClient huge = Client();
  http::Request big = UrlRequest("GET", "/lambda-url/function/", "");
  big.headers.Add("X-Huge", std::string(70 * 1024, 'h'));
  ASSERT_TRUE(huge.Send(big).ok());
  head = huge.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_GE(head->status, 400);
  StreamClient after = Client();
  ASSERT_TRUE(after.Send(UrlRequest("GET", "/lambda-url/function/ok", "")).ok());
  head = after.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
}

TEST_F(StreamingTest, AStreamedFunctionUrlResponseArrivesPieceByPiece) {
  StartFunction("streamer");
  StreamClient client = Client();
  nlohmann::json event = {{"prelude", {{"statusCode", 201},
                                       {"headers", {{"Content-Type", "text/event-stream"}}},
                                       {"cookies", {"session=1"}}}},
                          {"chunks", 1},
                          {"text", "data: first\n\n"},
                          {"after", WaitGate()}};
  // The streamer reads its event from the URL request's body.
  http::Request request = UrlRequest("POST", "/lambda-url/function/events", event.dump());
  ASSERT_TRUE(client.Send(request).ok());
  std::optional<http::Response> head = client.ReadHead();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 201);
  EXPECT_EQ(head->headers.Get("Content-Type"), "text/event-stream");
  EXPECT_EQ(head->headers.Get("Set-Cookie"), "session=1");
  EXPECT_EQ(head->headers.Get("Transfer-Encoding"), "chunked");
  std::optional<std::string> first = client.ReadBody();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, "data: first\n\n");
  EXPECT_FALSE(std::filesystem::exists(gate_));
  OpenGate();
  std::optional<std::string> rest = client.ReadRest();
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(*rest, "");
  EXPECT_TRUE(client.ended());
}

// --- A runtime that misbehaves ---

class MisbehavingRuntimeTest : public StreamingTest {
 protected:
  void SetUp() override {
    StreamingTest::SetUp();
    Start(testing::SourcePath("tests/streaming/raw_stream_bootstrap.sh"));
  }
  http::Response Invoke(const std::string& payload) {
    testing::InvokeClient client = Buffered();
    auto response = client.Invoke(payload);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  }
};

TEST_F(MisbehavingRuntimeTest, EachMisbehaviourGetsADefinedAnswer) {
  http::Response bogus = Invoke(R"({"raw":"bogus-mode"})");
  EXPECT_EQ(bogus.headers.Get("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(nlohmann::json::parse(bogus.body).value("errorType", ""), "Runtime.InvalidResponseModeHeader");

  http::Response whole = Invoke(R"({"raw":"content-length"})");
  EXPECT_EQ(whole.body, "whole");  // a streamed body sent with Content-Length is one piece

  http::Response trailer = Invoke(R"({"raw":"bad-trailer"})");
  EXPECT_EQ(trailer.headers.Get("X-Amz-Function-Error"), "Unhandled");
  nlohmann::json error = nlohmann::json::parse(trailer.body);
  EXPECT_EQ(error.value("errorType", ""), "Bad.Trailer");
  EXPECT_NE(error.value("errorMessage", "").find("not base64"), std::string::npos);

  // /error once the stream has begun (the caller has its first chunk) is refused.
  StreamClient client = Client();
  nlohmann::json late = {{"raw", "error-after-start"}, {"gate", gate_.string()}};
  ASSERT_TRUE(client.Send(StreamRequest(late.dump())).ok());
  ASSERT_TRUE(client.ReadHead().has_value());
  std::optional<eventstream::Message> first = client.NextEvent();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->payload, "first");
  OpenGate();
  std::optional<eventstream::Message> refusal = client.NextEvent();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->payload, "HTTP/1.1 403 Forbidden");
  std::optional<eventstream::Message> end = client.NextEvent();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->payload, "{}");

  http::Response garbage = Invoke(R"({"raw":"after-terminal"})");
  EXPECT_EQ(garbage.body, "ok");  // answered at the terminal chunk; the garbage only closes

  http::Response fine = Invoke(R"({"raw":"none"})");
  EXPECT_EQ(fine.body, "ok");
}

}  // namespace
}  // namespace zerostart::emulator
