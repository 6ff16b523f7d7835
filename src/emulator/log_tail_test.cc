#include "src/emulator/log_tail.h"

#include <gtest/gtest.h>

#include <string>

#include "src/common/base64.h"

namespace zerostart::emulator {
namespace {

TEST(LogTailTest, KeepsTheLastBytesOnly) {
  LogTail tail(8);
  EXPECT_EQ(tail.Base64(), "");
  tail.Append("abc\n");
  EXPECT_EQ(tail.Text(), "abc\n");
  tail.Append("defgh\n");
  EXPECT_EQ(tail.Text(), "c\ndefgh\n");
  tail.Append(std::string(100, 'x') + "END\n");
  EXPECT_EQ(tail.Text(), "xxxxEND\n");
  for (int i = 0; i < 50; ++i) tail.Append("1\n");
  EXPECT_EQ(tail.Text(), "1\n1\n1\n1\n");
  EXPECT_EQ(Base64Decode(tail.Base64()).value(), "1\n1\n1\n1\n");
}

TEST(LogTailTest, TheSinkTeesLinesToTheCurrentTailOnly) {
  CapturingLogSink inner;
  TailingLogSink sink(&inner);
  auto tail = std::make_shared<LogTail>(4096);
  sink.WriteStdout("before\n");
  sink.SetTail(tail);
  sink.WriteStdout("mine\n");
  sink.WriteStderr("mine too\n");
  sink.SetTail(nullptr);
  sink.WriteStdout("after\n");
  EXPECT_EQ(tail->Text(), "mine\nmine too\n");
  EXPECT_EQ(inner.stdout_text(), "before\nmine\nafter\n");
  EXPECT_EQ(inner.stderr_text(), "mine too\n");
}

}  // namespace
}  // namespace zerostart::emulator
