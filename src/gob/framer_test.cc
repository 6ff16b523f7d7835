#include "src/gob/framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "src/gob/test_util.h"
#include "src/gob/wire.h"

namespace zerostart::gob {
namespace {

using testing::B;
using testing::Frame;

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

// Large messages fed in many uneven pieces, through both the copying and the in-place
// append, interleaved with small messages: every body comes out intact, in order (the buffer
// is compacted and grown between pieces).
TEST(GobFramerTest, LargeMessagesInManySplits) {
  std::vector<std::string> bodies;
  for (size_t size : {size_t{1} << 20, size_t{3}, size_t{200000}, size_t{0}, size_t{(1 << 20) + 17}}) {
    std::string body(size, '\0');
    for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>(i * 7 + size);
    bodies.push_back(std::move(body));
  }
  std::string stream;
  for (const std::string& body : bodies) stream += Frame(body);
  for (size_t piece : {size_t{1000}, size_t{65536}, size_t{99991}}) {
    MessageFramer framer;
    std::vector<std::string> got;
    size_t pos = 0;
    bool in_place = false;
    while (pos < stream.size()) {
      size_t n = std::min(piece, stream.size() - pos);
      if (in_place) {
        std::memcpy(framer.PrepareAppend(n), stream.data() + pos, n);
        framer.CommitAppend(n);
      } else {
        framer.Append(std::string_view(stream).substr(pos, n));
      }
      in_place = !in_place;
      pos += n;
      for (std::string& message : Drain(framer)) got.push_back(std::move(message));
    }
    EXPECT_EQ(framer.buffered(), 0u);
    ASSERT_EQ(got.size(), bodies.size()) << "piece " << piece;
    for (size_t i = 0; i < bodies.size(); ++i) EXPECT_TRUE(got[i] == bodies[i]) << "message " << i;
  }
}

// A framer per connection, many connections alive: one large message must not leave its
// buffer behind for the life of the connection.
TEST(GobFramerTest, ReleasesBufferPastKeepLimitAfterASmallMessage) {
  MessageFramer framer(kDefaultMaxMessageBytes, /*keep_buffer_bytes=*/64 * 1024);
  const std::string large = Frame(std::string(1 << 20, 'x'));
  framer.Append(large);
  EXPECT_GE(framer.capacity(), large.size());
  ASSERT_EQ(Drain(framer).size(), 1u);

  framer.Append(Frame("small"));  // the buffer is still there: a large message was the last
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"small"});
  framer.Append(Frame("next"));
  EXPECT_LE(framer.capacity(), 64u * 1024);
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"next"});
}

// Large messages one after another reuse the buffer past the keep limit.
TEST(GobFramerTest, KeepsBufferPastKeepLimitWhileLargeMessagesFollow) {
  MessageFramer framer(kDefaultMaxMessageBytes, /*keep_buffer_bytes=*/64 * 1024);
  const std::string large = Frame(std::string(1 << 20, 'x'));
  framer.Append(large);
  ASSERT_EQ(Drain(framer).size(), 1u);
  const size_t grown = framer.capacity();
  framer.Append(large);
  EXPECT_EQ(framer.capacity(), grown);
  EXPECT_EQ(Drain(framer).size(), 1u);
}

// Large and small messages alternating, in pieces that split prefixes and bodies, with a small
// keep limit: the buffer is dropped and grown again between them and every message arrives whole.
TEST(GobFramerTest, AlternatingSizesInPiecesPastKeepLimit) {
  std::vector<std::string> bodies;
  for (size_t size : {size_t{200000}, size_t{1}, size_t{300001}, size_t{0}, size_t{100}, size_t{70000}, size_t{5}}) {
    std::string body(size, '\0');
    for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>(i * 13 + size);
    bodies.push_back(std::move(body));
  }
  std::string stream;
  for (const std::string& body : bodies) stream += Frame(body);
  for (size_t piece : {size_t{1}, size_t{997}, size_t{65536}}) {
    MessageFramer framer(kDefaultMaxMessageBytes, /*keep_buffer_bytes=*/64 * 1024);
    std::vector<std::string> got;
    for (size_t pos = 0; pos < stream.size(); pos += piece) {
      framer.Append(std::string_view(stream).substr(pos, piece));
      if (piece == 1 && pos % 4096 != 0 && pos + 1 != stream.size()) continue;  // drain now and then
      for (std::string& message : Drain(framer)) got.push_back(std::move(message));
    }
    ASSERT_EQ(got.size(), bodies.size()) << "piece " << piece;
    for (size_t i = 0; i < bodies.size(); ++i) EXPECT_TRUE(got[i] == bodies[i]) << "piece " << piece << " message " << i;
  }
}

// Within the keep limit the buffer stays: a kept connection reuses it.
TEST(GobFramerTest, KeepsBufferWithinKeepLimit) {
  MessageFramer framer;
  framer.Append(Frame(std::string(1 << 20, 'x')));
  ASSERT_EQ(Drain(framer).size(), 1u);
  const size_t grown = framer.capacity();
  framer.Append(Frame("small"));
  EXPECT_EQ(framer.capacity(), grown);
}

TEST(GobFramerTest, NextViewAndMissing) {
  MessageFramer framer;
  EXPECT_EQ(framer.missing(), 0u);
  std::string stream = Frame(std::string(300, 'x')) + Frame("ab");
  framer.Append(std::string_view(stream).substr(0, 1));  // half the length prefix FE 01 2C
  EXPECT_EQ(framer.missing(), 0u);
  framer.Append(std::string_view(stream).substr(1, 102));  // prefix + 100 bytes
  EXPECT_EQ(framer.missing(), 200u);
  EXPECT_FALSE(framer.NextView()->has_value());
  framer.Append(std::string_view(stream).substr(103));
  EXPECT_EQ(framer.missing(), 0u);
  Result<std::optional<std::string_view>> first = framer.NextView();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(**first, std::string(300, 'x'));
  Result<std::optional<std::string_view>> second = framer.NextView();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ(**second, "ab");
  EXPECT_FALSE(framer.NextView()->has_value());
  EXPECT_EQ(framer.buffered(), 0u);
}

}  // namespace
}  // namespace zerostart::gob
