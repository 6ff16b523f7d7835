#include "src/gob/framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/gob/test_util.h"
#include "src/gob/wire.h"

namespace zerostart::gob {
namespace {

using testing::B;

std::string Frame(const std::string& body) {
  std::string out;
  AppendUint(body.size(), &out);
  return out + body;
}

std::vector<std::string> Drain(MessageFramer& framer) {
  std::vector<std::string> out;
  while (true) {
    Result<std::optional<std::string>> next = framer.Next();
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) return out;
    out.push_back(**next);
  }
}

TEST(GobFramerTest, SeveralMessagesInOneAppend) {
  MessageFramer framer;
  framer.Append(Frame("abc") + Frame("") + Frame(std::string(200, 'z')));
  std::vector<std::string> got = Drain(framer);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "abc");
  EXPECT_EQ(got[1], "");
  EXPECT_EQ(got[2], std::string(200, 'z'));
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(GobFramerTest, OneByteAtATime) {
  std::string stream = Frame("hello") + Frame(std::string(300, 'q')) + Frame("x");
  MessageFramer framer;
  std::vector<std::string> got;
  for (char c : stream) {
    framer.Append(std::string_view(&c, 1));
    for (std::string& m : Drain(framer)) got.push_back(std::move(m));
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "hello");
  EXPECT_EQ(got[1], std::string(300, 'q'));
  EXPECT_EQ(got[2], "x");
}

TEST(GobFramerTest, WaitsForIncompleteMessage) {
  MessageFramer framer;
  framer.Append(B({0xfe, 0x01}));  // half a length prefix
  EXPECT_FALSE(framer.Next()->has_value());
  framer.Append(B({0x00}) + std::string(255, 'a'));
  EXPECT_FALSE(framer.Next()->has_value());
  framer.Append("b");
  Result<std::optional<std::string>> got = framer.Next();
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->size(), 256u);
}

TEST(GobFramerTest, EnforcesLimitStickily) {
  MessageFramer framer(100);
  framer.Append(Frame(std::string(100, 'a')));
  EXPECT_TRUE(framer.Next()->has_value());
  framer.Append(B({0xff, 101}));
  Result<std::optional<std::string>> got = framer.Next();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kResourceExhausted);
  framer.Append("more");
  EXPECT_EQ(framer.Next().status().code(), StatusCode::kResourceExhausted);
}

TEST(GobFramerTest, DefaultLimitRejectsHugeLengthWithoutBuffering) {
  MessageFramer framer;
  framer.Append(B({0xf8, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(framer.Next().status().code(), StatusCode::kResourceExhausted);
}

TEST(GobFramerTest, RejectsBadLengthPrefix) {
  MessageFramer framer;
  framer.Append(B({0xf0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  EXPECT_EQ(framer.Next().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zerostart::gob
