// End-to-end tests of a streaming Java function behind the JNI bridge:
// tests/jni/java/JniStreamingFunction (Lambda.serveStreaming) under `zerostart serve`, called
// with InvokeWithResponseStream and read event by event (StreamClient), and with a buffered
// Invoke. Every test skips, with the reason, when the build has no JDK (no bridge). Each TEST
// starts its own JVM (ctest runs one TEST per process).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/test_support.h"
#include "tests/jni/jni_test_support.h"
#include "tests/streaming/stream_client.h"

namespace zerostart {
namespace {

using testing::Header;
using testing::Json;
using testing::StreamClient;
using testing::jni::Served;

constexpr std::string_view kStreamPath = "/2021-11-15/functions/function/response-streaming-invocations";
// JniStreamingFunction's exceptions, as the bridge reports them (the class's name, its message).
constexpr std::string_view kAfterBytesType = "java.lang.UnsupportedOperationException";
constexpr std::string_view kAfterBytesMessage = "jni streaming test: ünïcödé failure after bytes";
constexpr std::string_view kBeforeBytesType = "java.lang.IllegalArgumentException";
constexpr std::string_view kBeforeBytesMessage = "jni streaming test: failure before any byte";

http::Request StreamRequest(const std::string& payload) {
  http::Request request;
  request.method = "POST";
  request.target = std::string(kStreamPath);
  request.body = payload;
  return request;
}

std::string EventType(const eventstream::Message& message) {
  return std::string(message.StringHeader(":event-type").value_or(""));
}

// The payloads of the next PayloadChunk events, read until they hold `size` bytes (a chunk may
// arrive split in several events); fewer when another event or the end came first (a failure).
std::string ReadChunks(StreamClient& client, size_t size) {
  std::string received;
  while (received.size() < size) {
    std::optional<eventstream::Message> event = client.NextEvent();
    if (!event.has_value()) {
      ADD_FAILURE() << "after " << received.size() << " bytes: " << client.error().ToString();
      break;
    }
    if (EventType(*event) != "PayloadChunk") {
      ADD_FAILURE() << "after " << received.size() << " bytes: a " << EventType(*event) << " event, "
                    << event->payload;
      break;
    }
    received += event->payload;
  }
  return received;
}

// The InvokeComplete event's JSON payload, which must be the next event and the last one.
nlohmann::json ReadInvokeComplete(StreamClient& client) {
  std::optional<eventstream::Message> end = client.NextEvent();
  if (!end.has_value()) {
    ADD_FAILURE() << "no InvokeComplete: " << client.error().ToString();
    return nlohmann::json();
  }
  EXPECT_EQ(EventType(*end), "InvokeComplete") << end->payload;
  EXPECT_FALSE(client.NextEvent().has_value());
  EXPECT_TRUE(client.ended());
  return Json(end->payload);
}

class JniStreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ZS_SKIP_WITHOUT_JDK((std::vector<std::string>{testing::jni::TestClass("JniStreamingFunction")}));
    gate_prefix_ = (std::filesystem::temp_directory_path() /
                    ("zs-jni-gate-" + std::to_string(::getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-"))
                       .string();
  }
  void TearDown() override {
    for (int i = 0; i < kGates; ++i) std::filesystem::remove(Gate(i));
  }

  // Serves JniStreamingFunction with `flags`; false (and a failure) when it cannot.
  bool Serve(std::vector<std::string> flags = {}) {
    flags.insert(flags.end(), {"--timeout", "30"});
    served_.emplace(flags, testing::jni::TestFunction("stream"));
    return served_->ok();
  }
  Served& served() { return *served_; }

  // A new connection to the Invoke API, with `payload` sent as an InvokeWithResponseStream
  // request and the answer's head read (a 200 event stream, checked).
  StreamClient StartStream(const std::string& payload) {
    auto client = StreamClient::Connect(served_->port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    StreamClient stream = std::move(client).value();
    EXPECT_TRUE(stream.Send(StreamRequest(payload)).ok());
    std::optional<http::Response> head = stream.ReadHead();
    EXPECT_TRUE(head.has_value()) << stream.error().ToString();
    if (head.has_value()) {
      EXPECT_EQ(head->status, 200);
      EXPECT_EQ(Header(*head, "Content-Type"), "application/vnd.amazon.eventstream");
      request_id_ = Header(*head, "X-Amzn-RequestId");
    }
    return stream;
  }

  // The file JniStreamingFunction waits for after chunk `i` ("gate" in its event).
  std::string Gate(int i) const { return gate_prefix_ + std::to_string(i); }
  void OpenGate(int i) const { std::ofstream(Gate(i)).put('1'); }

  static constexpr int kGates = 3;
  std::string gate_prefix_;
  std::string request_id_;  // of the last StartStream
  std::optional<Served> served_;
};

// Each chunk reaches the caller as its own PayloadChunk event while the handler still runs: the
// handler waits after chunk i until the test creates Gate(i), which the test does only once it
// has chunk i. Then InvokeComplete, without an error, and the invoke's REPORT.
TEST_F(JniStreamingTest, ChunksReachTheCallerOneByOneWhileTheHandlerRuns) {
  ASSERT_TRUE(Serve());
  StreamClient stream = StartStream(R"({"chunks":)" + std::to_string(kGates) + R"(,"text":"tick ","gate":")" +
                                    gate_prefix_ + "\"}");
  ASSERT_FALSE(request_id_.empty());
  for (int i = 0; i < kGates; ++i) {
    SCOPED_TRACE(i);
    const std::string expected = "tick " + std::to_string(i);
    ASSERT_EQ(ReadChunks(stream, expected.size()), expected);
    EXPECT_FALSE(std::filesystem::exists(Gate(i)));  // the handler is still waiting for it
    OpenGate(i);
  }
  EXPECT_EQ(ReadInvokeComplete(stream), nlohmann::json::object());
  std::optional<std::map<std::string, std::string>> report;
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return (report = testing::ReportFor(served().process().stdout_text(), request_id_)).has_value(); }))
      << served().process().stdout_text();
}

// A buffered Invoke of the streaming handler gets the chunks concatenated, with the content
// type set by setResponseContentType (application/octet-stream when it was not called).
TEST_F(JniStreamingTest, BufferedInvokeGetsTheConcatenationWithTheContentType) {
  ASSERT_TRUE(Serve());
  const http::Response typed =
      served().Invoke(R"({"chunks":3,"text":"part-","content_type":"text/plain; charset=utf-8"})");
  EXPECT_EQ(typed.status, 200);
  EXPECT_EQ(typed.body, "part-0part-1part-2");
  EXPECT_EQ(Header(typed, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Header(typed, "X-Amz-Function-Error"), "");

  const http::Response untyped = served().Invoke(R"({"chunks":2,"text":"ünï "})");
  EXPECT_EQ(untyped.status, 200);
  EXPECT_EQ(untyped.body, "ünï 0ünï 1");
  EXPECT_EQ(Header(untyped, "Content-Type"), "application/octet-stream");

  const http::Response empty = served().Invoke(R"({"chunks":0})");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "");
  EXPECT_EQ(Header(empty, "X-Amz-Function-Error"), "");

  // The same handler, streamed: the bytes as written, whatever the content type.
  StreamClient stream = StartStream(R"({"chunks":2,"text":"part-","content_type":"text/csv"})");
  EXPECT_EQ(ReadChunks(stream, 12), "part-0part-1");
  EXPECT_EQ(ReadInvokeComplete(stream), nlohmann::json::object());
}

// An exception thrown after the first byte ends the stream: the caller has the bytes, then
// InvokeComplete with ErrorCode = the exception's class and ErrorDetails = its message. A
// buffered Invoke gets it as the function's error. The JVM goes on serving.
TEST_F(JniStreamingTest, AnExceptionAfterBytesEndsTheStreamWithItsType) {
  ASSERT_TRUE(Serve());
  const std::string event = R"({"chunks":2,"text":"partial ","after":"throw"})";
  StreamClient stream = StartStream(event);
  EXPECT_EQ(ReadChunks(stream, 18), "partial 0partial 1");
  const nlohmann::json complete = ReadInvokeComplete(stream);
  EXPECT_EQ(complete.value("ErrorCode", ""), kAfterBytesType) << complete.dump();
  EXPECT_EQ(complete.value("ErrorDetails", ""), kAfterBytesMessage) << complete.dump();

  const http::Response buffered = served().Invoke(event);
  EXPECT_EQ(Header(buffered, "X-Amz-Function-Error"), "Unhandled");
  const nlohmann::json error = Json(buffered.body);
  EXPECT_EQ(error.value("errorType", ""), kAfterBytesType) << buffered.body;
  EXPECT_EQ(error.value("errorMessage", ""), kAfterBytesMessage) << buffered.body;

  StreamClient next = StartStream(R"({"chunks":1,"text":"next "})");
  EXPECT_EQ(ReadChunks(next, 6), "next 0");
  EXPECT_EQ(ReadInvokeComplete(next), nlohmann::json::object());
}

// An exception thrown before any byte is the invocation's ordinary error: a stream with no
// PayloadChunk, only InvokeComplete with the error; for a buffered Invoke the usual error
// document, with the handler's frames.
TEST_F(JniStreamingTest, AnExceptionBeforeAnyByteIsAnOrdinaryFunctionError) {
  ASSERT_TRUE(Serve());
  const std::string event = R"({"before":"throw","chunks":2,"content_type":"text/plain"})";
  StreamClient stream = StartStream(event);
  const nlohmann::json complete = ReadInvokeComplete(stream);
  EXPECT_EQ(complete.value("ErrorCode", ""), kBeforeBytesType) << complete.dump();
  EXPECT_EQ(complete.value("ErrorDetails", ""), kBeforeBytesMessage) << complete.dump();

  const http::Response buffered = served().Invoke(event);
  EXPECT_EQ(Header(buffered, "X-Amz-Function-Error"), "Unhandled");
  const nlohmann::json error = Json(buffered.body);
  EXPECT_EQ(error.value("errorType", ""), kBeforeBytesType) << buffered.body;
  EXPECT_EQ(error.value("errorMessage", ""), kBeforeBytesMessage) << buffered.body;
  ASSERT_TRUE(error.contains("stackTrace")) << buffered.body;
  EXPECT_NE(error["stackTrace"].dump().find("JniStreamingFunction.handle"), std::string::npos)
      << buffered.body;

  EXPECT_EQ(served().Invoke(R"({"chunks":1,"text":"after "})").body, "after 0");
}

// go1.x cannot stream: the bridge collects the chunks and sends them whole; an exception after
// bytes is then the invocation's error.
TEST_F(JniStreamingTest, OverGo1xTheChunksAreSentWhole) {
  ASSERT_TRUE(Serve({"--protocol", "go1x"}));
  EXPECT_EQ(served().Invoke(R"({"chunks":3,"text":"go-"})").body, "go-0go-1go-2");
  const http::Response failed = served().Invoke(R"({"chunks":2,"text":"lost ","after":"throw"})");
  EXPECT_EQ(Header(failed, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(Json(failed.body).value("errorType", ""), kAfterBytesType) << failed.body;
  EXPECT_EQ(served().Invoke(R"({"chunks":1,"text":"after "})").body, "after 0");
}

}  // namespace
}  // namespace zerostart
