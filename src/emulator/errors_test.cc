#include "src/emulator/errors.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

namespace zerostart::emulator {
namespace {

int Exited(int code) { return code << 8; }
int Signaled(int signal) { return signal; }

TEST(ErrorsTest, TimeoutBodyIsLambdas) {
  EXPECT_EQ(TimeoutErrorJson("abc", 1),
            R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: abc Error: Task timed out after 1.00 seconds"})");
}

TEST(ErrorsTest, ExitErrorDescribesStatusOrSignal) {
  EXPECT_EQ(ExitErrorJson("id", Signaled(SIGSEGV)),
            R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: id Error: Runtime exited with error: signal: segmentation fault"})");
  EXPECT_EQ(ExitErrorJson("id", Exited(3)),
            R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: id Error: Runtime exited with error: exit status 3"})");
  EXPECT_NE(ExitErrorJson("id", Exited(0)).find("Runtime exited without providing a reason"), std::string::npos);
  EXPECT_EQ(ExitDescription(Signaled(SIGKILL)), "signal: killed");
  EXPECT_EQ(ExitDescription(Signaled(SIGABRT) | 0x80), "signal: aborted (core dumped)");
}

TEST(ErrorsTest, ResponseTooLargeNamesTheLimit) {
  EXPECT_EQ(ResponseTooLargeJson(),
            R"({"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."})");
}

TEST(ErrorsTest, ErrorBodiesPassThroughOrAreWrapped) {
  std::string posted = R"({"errorMessage":"boom","errorType":"MyError","stackTrace":[]})";
  EXPECT_EQ(NormalizeErrorBody(posted, "Unhandled"), posted);
  auto wrapped = nlohmann::json::parse(NormalizeErrorBody("not json", "Runtime.Custom"));
  EXPECT_EQ(wrapped["errorType"], "Runtime.Custom");
  EXPECT_EQ(wrapped["errorMessage"], "not json");
  EXPECT_EQ(nlohmann::json::parse(NormalizeErrorBody("", ""))["errorType"], "Runtime.Unknown");
  // Invalid UTF-8 still gives valid JSON.
  EXPECT_TRUE(nlohmann::json::accept(NormalizeErrorBody("\xff\xfe oops", "")));
}

TEST(ErrorsTest, ErrorTypeOf) {
  EXPECT_EQ(ErrorTypeOf(R"({"errorType":"X.Y","errorMessage":"m"})"), "X.Y");
  EXPECT_EQ(ErrorTypeOf(R"({"errorMessage":"m"})"), "");
  EXPECT_EQ(ErrorTypeOf("garbage"), "");
  EXPECT_EQ(ErrorTypeOf(R"({"errorType":3})"), "");
}

TEST(ErrorsTest, StreamErrorFromTrailers) {
  EXPECT_EQ(StreamErrorJson("", ""), "");  // no trailers: the stream succeeded
  // The body trailer is base64 of the error JSON: passed on as it is.
  EXPECT_EQ(StreamErrorJson("E", "eyJlcnJvclR5cGUiOiJFIiwiZXJyb3JNZXNzYWdlIjoibSJ9"),
            R"({"errorType":"E","errorMessage":"m"})");
  nlohmann::json not_base64 = nlohmann::json::parse(StreamErrorJson("Bad.Type", "%%%"));
  EXPECT_EQ(not_base64["errorType"], "Bad.Type");
  EXPECT_NE(not_base64["errorMessage"].get<std::string>().find("not base64"), std::string::npos);
  nlohmann::json not_json = nlohmann::json::parse(StreamErrorJson("", "bm90IGpzb24="));  // "not json"
  EXPECT_EQ(not_json["errorType"], "Runtime.Unknown");
  EXPECT_NE(not_json["errorMessage"].get<std::string>().find("not JSON: not json"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(StreamErrorJson("OnlyType", ""))["errorType"], "OnlyType");
  EXPECT_EQ(ErrorMessageOf(R"({"errorType":"X","errorMessage":"why"})"), "why");
  EXPECT_EQ(nlohmann::json::parse(InvalidResponseModeJson("sideways"))["errorType"],
            "Runtime.InvalidResponseModeHeader");
}

TEST(ErrorsTest, ServiceAndRuntimeApiShapes) {
  EXPECT_EQ(ServiceErrorJson("bad"), R"({"Type":"User","message":"bad"})");
  EXPECT_EQ(RuntimeApiErrorJson("InvalidRequestID", "Invalid request ID"),
            R"({"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"})");
}

}  // namespace
}  // namespace zerostart::emulator
