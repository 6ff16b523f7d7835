// TransportResponseStream's rules against a transport that records the calls it gets, the
// streaming handler boundary, and the Function URL prelude (StartHttpResponse).
#include "src/runtime/response_stream.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "src/runtime/handler_boundary.h"
#include "src/runtime/http_prelude.h"

namespace zerostart::runtime {
namespace {

using namespace std::string_literals;

// Records each streaming call as one line; each call's status can be scripted.
class StreamCallRecorder final : public Transport {
 public:
  Status Next(Invocation*) override { return UnavailableError("not used"); }
  Status Respond(const Invocation&, Response* response) override {
    calls.push_back("respond:" + response->payload());
    return OkStatus();
  }
  Status ReportError(const Invocation& invocation, const FunctionError& error) override {
    calls.push_back("error:" + invocation.request_id + ":" + error.type + ":" + error.message);
    return report_error_status;
  }
  Status ReportInitError(const FunctionError&) override { return OkStatus(); }
  Status BeginStream(const Invocation& invocation, std::string_view content_type) override {
    calls.push_back("begin:" + invocation.request_id + ":" + std::string(content_type));
    return begin_status;
  }
  Status WriteChunk(std::string_view bytes) override {
    calls.push_back("chunk:" + std::string(bytes));
    return ++chunks == failing_chunk ? UnavailableError("connection reset by peer") : OkStatus();
  }
  Status EndStream(const FunctionError* error) override {
    calls.push_back(error == nullptr ? "end" : "end:" + error->type + ":" + error->message);
    return end_status;
  }

  std::vector<std::string> calls;
  Status begin_status;
  Status end_status;
  Status report_error_status;
  int failing_chunk = 0;  // 1-based number of the WriteChunk that fails (0: none)
  int chunks = 0;
};

Invocation StreamedInvocation(std::string id) {
  Invocation invocation;
  invocation.request_id = std::move(id);
  return invocation;
}

TEST(ResponseStreamTest, FirstByteStartsTheStreamWithTheContentType) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("r1");
  stream.Reset(invocation);
  EXPECT_FALSE(stream.started());
  EXPECT_TRUE(stream.SetContentType("text/plain").ok());
  EXPECT_TRUE(stream.SetContentType("text/event-stream").ok());  // the last one before a byte wins
  EXPECT_TRUE(stream.Write("").ok());  // nothing sent, not started
  EXPECT_FALSE(stream.started());
  EXPECT_TRUE(transport.calls.empty());
  EXPECT_TRUE(stream.Write("ab").ok());
  EXPECT_TRUE(stream.started());
  EXPECT_TRUE(stream.Write("").ok());
  EXPECT_TRUE(stream.Write("c").ok());
  EXPECT_EQ(stream.bytes_written(), 3u);
  Status late = stream.SetContentType("application/json");
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.message().find("before the first byte"), std::string::npos) << late.message();
  EXPECT_TRUE(stream.Finish().ok());
  EXPECT_EQ(transport.calls,
            (std::vector<std::string>{"begin:r1:text/event-stream", "chunk:ab", "chunk:c", "end"}));
}

TEST(ResponseStreamTest, DefaultContentTypeIsOctetStreamAndResetRestoresIt) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation first = StreamedInvocation("a");
  stream.Reset(first);
  ASSERT_TRUE(stream.SetContentType("text/plain").ok());
  ASSERT_TRUE(stream.Write("x").ok());
  stream.Complete(nullptr);
  Invocation second = StreamedInvocation("b");
  stream.Reset(second);
  EXPECT_EQ(stream.bytes_written(), 0u);
  EXPECT_FALSE(stream.started());
  ASSERT_TRUE(stream.Write("y").ok());
  stream.Complete(nullptr);
  EXPECT_EQ(transport.calls, (std::vector<std::string>{"begin:a:text/plain", "chunk:x", "end",
                                                       "begin:b:application/octet-stream",
                                                       "chunk:y", "end"}));
}

TEST(ResponseStreamTest, FinishTwiceAndWritesAfterFinishAreRefused) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("r");
  stream.Reset(invocation);
  ASSERT_TRUE(stream.Write("data").ok());
  ASSERT_TRUE(stream.Finish().ok());
  EXPECT_TRUE(stream.ended());
  EXPECT_EQ(stream.Finish().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stream.Write("more").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stream.Write("").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stream.SetContentType("text/plain").code(), StatusCode::kFailedPrecondition);
  stream.Fail(FunctionError{"Late", "after the end", {}});  // no effect
  stream.Complete(nullptr);                                  // nothing left to end
  EXPECT_EQ(transport.calls, (std::vector<std::string>{"begin:r:application/octet-stream",
                                                       "chunk:data", "end"}));
}

TEST(ResponseStreamTest, FinishWithNothingWrittenSendsAnEmptyStreamedResponse) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("e");
  stream.Reset(invocation);
  ASSERT_TRUE(stream.SetContentType("text/csv").ok());
  stream.Complete(nullptr);  // the handler returned without writing
  EXPECT_FALSE(stream.started());
  EXPECT_EQ(transport.calls, (std::vector<std::string>{"begin:e:text/csv", "end"}));
}

TEST(ResponseStreamTest, FailBeforeTheFirstByteIsTheInvokesError) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("f");
  stream.Reset(invocation);
  stream.Fail(FunctionError{"BadInput", "no", {}});
  EXPECT_TRUE(stream.ended());
  EXPECT_EQ(stream.Write("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(stream.Finish().code(), StatusCode::kFailedPrecondition);
  stream.Fail(FunctionError{"Again", "ignored", {}});
  EXPECT_EQ(transport.calls, (std::vector<std::string>{"error:f:BadInput:no"}));
}

TEST(ResponseStreamTest, FailAfterBytesEndsTheStreamWithTheError) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("g");
  stream.Reset(invocation);
  ASSERT_TRUE(stream.Write("partial").ok());
  stream.Fail(FunctionError{"Broke", "midway", {}});
  EXPECT_EQ(stream.Write("x").code(), StatusCode::kFailedPrecondition);
  stream.Complete(nullptr);
  EXPECT_EQ(transport.calls, (std::vector<std::string>{"begin:g:application/octet-stream",
                                                       "chunk:partial", "end:Broke:midway"}));
}

TEST(ResponseStreamTest, CompleteWithAnErrorFailsByWhetherBytesWereWritten) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation a = StreamedInvocation("a");
  stream.Reset(a);
  FunctionError thrown{"std::runtime_error", "boom", {}};
  stream.Complete(&thrown);
  Invocation b = StreamedInvocation("b");
  stream.Reset(b);
  ASSERT_TRUE(stream.Write("1").ok());
  stream.Complete(&thrown);
  EXPECT_EQ(transport.calls,
            (std::vector<std::string>{"error:a:std::runtime_error:boom",
                                      "begin:b:application/octet-stream", "chunk:1",
                                      "end:std::runtime_error:boom"}));
}

TEST(ResponseStreamTest, ABrokenStreamAnswersUnavailableAndIsNotEndedAgain) {
  StreamCallRecorder transport;
  transport.failing_chunk = 2;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("lost");
  stream.Reset(invocation);
  ASSERT_TRUE(stream.Write("one").ok());
  Status broken = stream.Write("two");
  EXPECT_EQ(broken.code(), StatusCode::kUnavailable);
  EXPECT_NE(broken.message().find("reset"), std::string::npos) << broken.message();
  EXPECT_EQ(stream.Write("three").code(), StatusCode::kUnavailable);
  EXPECT_EQ(stream.Finish().code(), StatusCode::kUnavailable);
  EXPECT_EQ(stream.bytes_written(), 3u);
  EXPECT_TRUE(stream.started());
  stream.Fail(FunctionError{"E", "m", {}});
  stream.Complete(nullptr);
  // No EndStream after the failure: the transport has dropped the stream.
  EXPECT_EQ(transport.calls, (std::vector<std::string>{"begin:lost:application/octet-stream",
                                                       "chunk:one", "chunk:two"}));
}

TEST(ResponseStreamTest, AFailedStartIsABrokenStream) {
  StreamCallRecorder transport;
  transport.begin_status = UnavailableError("connection refused");
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("s");
  stream.Reset(invocation);
  EXPECT_EQ(stream.Write("x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(stream.Write("y").code(), StatusCode::kUnavailable);
  stream.Complete(nullptr);
  EXPECT_EQ(transport.calls, (std::vector<std::string>{"begin:s:application/octet-stream"}));
}

TEST(ResponseStreamTest, FinishReturnsTheLambdaSidesVerdict) {
  StreamCallRecorder transport;
  transport.end_status = ResourceExhaustedError("POST response (streamed): HTTP 413");
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("big");
  stream.Reset(invocation);
  ASSERT_TRUE(stream.Write("x").ok());
  EXPECT_EQ(stream.Finish().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(stream.Finish().code(), StatusCode::kFailedPrecondition);
}

TEST(ResponseStreamTest, HandlerBoundaryCatchesAStreamingHandlersExceptions) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("h");
  stream.Reset(invocation);
  FunctionError error;
  EXPECT_TRUE(CallStreamingHandler([](const Invocation&, ResponseStream& out) { (void)out.Write("ok"); },
                                   invocation, stream, &error));
  EXPECT_FALSE(CallStreamingHandler(
      [](const Invocation&, ResponseStream&) { throw std::out_of_range("index 7"); }, invocation,
      stream, &error));
  EXPECT_EQ(error.type, "std::out_of_range");
  EXPECT_EQ(error.message, "index 7");
  EXPECT_FALSE(CallStreamingHandler([](const Invocation&, ResponseStream&) { throw 3.5; },
                                    invocation, stream, &error));
  EXPECT_EQ(error.type, "UnknownException");
  EXPECT_EQ(error.message, "double thrown");
}

TEST(HttpPreludeTest, JsonThenEightNulBytes) {
  HttpResponseHead head;
  head.status_code = 201;
  head.headers = {{"content-type", "text/event-stream"}, {"x-quote", "a\"b\\c\n"}};
  head.cookies = {"a=1; Path=/", "b=2"};
  std::string prelude;
  AppendHttpPrelude(head, &prelude);
  EXPECT_EQ(prelude,
            R"({"statusCode":201,"headers":{"content-type":"text/event-stream","x-quote":"a\"b\\c\n"},)"
            R"("cookies":["a=1; Path=/","b=2"]})"s +
                std::string(8, '\0'));
  prelude.clear();
  AppendHttpPrelude(HttpResponseHead{}, &prelude);
  EXPECT_EQ(prelude, R"({"statusCode":200,"headers":{},"cookies":[]})"s + std::string(8, '\0'));
}

TEST(HttpPreludeTest, StartHttpResponseSetsTheContentTypeAndWritesThePreludeFirst) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("u");
  stream.Reset(invocation);
  HttpResponseHead head;
  head.status_code = 200;
  head.headers = {{"cache-control", "no-cache"}};
  ASSERT_TRUE(StartHttpResponse(stream, head).ok());
  ASSERT_TRUE(stream.Write("body").ok());
  stream.Complete(nullptr);
  ASSERT_EQ(transport.calls.size(), 4u);
  EXPECT_EQ(transport.calls[0], "begin:u:application/vnd.awslambda.http-integration-response");
  EXPECT_EQ(transport.calls[1], "chunk:" R"({"statusCode":200,"headers":{"cache-control":"no-cache"},"cookies":[]})"s +
                                    std::string(8, '\0'));
  EXPECT_EQ(transport.calls[2], "chunk:body");
}

TEST(HttpPreludeTest, StartHttpResponseOnlyAsTheFirstBytesAndWithAValidStatus) {
  StreamCallRecorder transport;
  TransportResponseStream stream(transport);
  Invocation invocation = StreamedInvocation("v");
  stream.Reset(invocation);
  HttpResponseHead bad;
  bad.status_code = 99;
  EXPECT_EQ(StartHttpResponse(stream, bad).code(), StatusCode::kInvalidArgument);
  bad.status_code = 600;
  EXPECT_EQ(StartHttpResponse(stream, bad).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport.calls.empty());
  ASSERT_TRUE(stream.Write("already").ok());
  Status late = StartHttpResponse(stream, HttpResponseHead{});
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.message().find("first bytes"), std::string::npos) << late.message();
  ASSERT_TRUE(stream.Finish().ok());
  Invocation next = StreamedInvocation("w");
  stream.Reset(next);
  ASSERT_TRUE(stream.Finish().ok());
  EXPECT_EQ(StartHttpResponse(stream, HttpResponseHead{}).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace zerostart::runtime
