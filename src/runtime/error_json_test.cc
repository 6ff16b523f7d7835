#include "src/runtime/error_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace zerostart::runtime {
namespace {

std::string Quote(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

TEST(ErrorJsonTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Quote("plain"), "\"plain\"");
  EXPECT_EQ(Quote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quote("l1\nl2\r\t\b\f"), R"("l1\nl2\r\t\b\f")");
  EXPECT_EQ(Quote(std::string_view("\x00\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
}

TEST(ErrorJsonTest, KeepsValidUtf8Unchanged) {
  // aws-lambda-cpp turns each of these bytes into \uffff on x86-64 (signed char); we must not.
  const std::string text = "ünïcödé — 日本語 🚀";
  EXPECT_EQ(Quote(text), "\"" + text + "\"");
  EXPECT_EQ(nlohmann::json::parse(Quote(text)).get<std::string>(), text);
}

TEST(ErrorJsonTest, ReplacesInvalidUtf8SoTheJsonStaysValid) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(Quote("a\xFF" "b"), "\"a" + replacement + "b\"");
  EXPECT_EQ(Quote("\xC3"), "\"" + replacement + "\"");                  // truncated
  EXPECT_EQ(Quote("\xC0\xAF"), "\"" + replacement + replacement + "\"");  // overlong
  EXPECT_EQ(Quote("\xED\xA0\x80"),                                        // surrogate
            "\"" + replacement + replacement + replacement + "\"");
  EXPECT_EQ(Quote("\xF4\x90\x80\x80").size(), 2 + 4 * replacement.size());  // > U+10FFFF
  for (std::string bad : {"\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x9A", "x\x80y"}) {
    EXPECT_TRUE(nlohmann::json::accept(Quote(bad))) << Quote(bad);
  }
}

TEST(ErrorJsonTest, ErrorBodyHasTheThreeFields) {
  std::string body = "stale content is replaced";
  SerializeErrorBody(FunctionError{"MyError", "bad \"input\" ü", {"frame 1", "frame 2"}}, &body);
  EXPECT_EQ(body,
            R"({"errorMessage":"bad \"input\" ü","errorType":"MyError",)"
            R"("stackTrace":["frame 1","frame 2"]})");
  nlohmann::json parsed = nlohmann::json::parse(body);
  EXPECT_EQ(parsed["errorMessage"], "bad \"input\" ü");
  EXPECT_EQ(parsed["stackTrace"].size(), 2u);
}

TEST(ErrorJsonTest, EmptyTypeIsUnhandled) {
  std::string body;
  SerializeErrorBody(FunctionError{"", "", {}}, &body);
  EXPECT_EQ(body, R"({"errorMessage":"","errorType":"Unhandled","stackTrace":[]})");
  EXPECT_EQ(EffectiveErrorType(FunctionError{"X", "", {}}), "X");
}

}  // namespace
}  // namespace zerostart::runtime
