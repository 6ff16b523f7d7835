#include "src/emulator/go1x_client.h"

#include <gtest/gtest.h>

namespace zerostart::emulator {
namespace {

TEST(Go1xErrorJsonTest, HandlerErrorHasNoStackTrace) {
  go1x::InvokeError error;
  error.message = "it broke";
  error.type = "errorString";
  error.should_exit = true;  // never shown (json:"-")
  EXPECT_EQ(Go1xErrorJson(error), R"({"errorMessage":"it broke","errorType":"errorString"})");
}

TEST(Go1xErrorJsonTest, PanicFramesInAwsLambdaGosShape) {
  go1x::InvokeError error;
  error.message = "oh \"no\"";
  error.type = "string";
  error.stack_trace.push_back({"/src/main.go", 42, "handle"});
  error.stack_trace.push_back({"", -1, ""});
  EXPECT_EQ(Go1xErrorJson(error),
            R"({"errorMessage":"oh \"no\"","errorType":"string","stackTrace":[)"
            R"({"path":"/src/main.go","line":42,"label":"handle"},{"path":"","line":-1,"label":""}]})");
}

TEST(Go1xErrorJsonTest, InvalidUtf8IsReplaced) {
  go1x::InvokeError error;
  error.message = std::string("bad \xff byte");
  error.type = "T";
  EXPECT_EQ(Go1xErrorJson(error), "{\"errorMessage\":\"bad \xEF\xBF\xBD byte\",\"errorType\":\"T\"}");
}

}  // namespace
}  // namespace zerostart::emulator
