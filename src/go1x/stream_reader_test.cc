// GobStreamReader over a socketpair: values split across reads, several per read, clean and
// unclean end of stream, bad data.
#include "src/go1x/stream_reader.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>

#include "src/common/net.h"
#include "src/common/testing/thread_probe.h"
#include "src/common/unique_fd.h"
#include "src/gob/encoder.h"

namespace zerostart::go1x {
namespace {

class GobStreamReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    reader_fd_ = UniqueFd(fds[0]);
    writer_fd_ = UniqueFd(fds[1]);
  }

  // The gob stream of strings `values` (one Encoder: the definitions come once).
  std::string Encode(std::initializer_list<std::string> values) {
    std::string out;
    for (const std::string& v : values) EXPECT_TRUE(encoder_.Encode(gob::Value::String(v), &out).ok());
    return out;
  }
  void Write(std::string_view bytes) { ASSERT_TRUE(net::WriteAll(writer_fd_.get(), bytes).ok()); }
  void CloseWriter() { writer_fd_.Reset(); }

  // The next value as a string, "<eof>" at a clean end, or "<error CODE>".
  static std::string NextString(GobStreamReader& reader) {
    Result<std::optional<gob::Value>> next = reader.Next();
    if (!next.ok()) return "<error " + std::string(StatusCodeName(next.status().code())) + ">";
    if (!next->has_value()) return "<eof>";
    return (*next)->AsBytes();
  }

  UniqueFd reader_fd_, writer_fd_;
  gob::Encoder encoder_;
};

TEST_F(GobStreamReaderTest, ValueSplitAcrossReadsIsReassembled) {
  std::string big(300 * 1024, 'x');  // several of the reader's 64 KiB reads
  big[12345] = 'y';
  std::string stream = Encode({"first", big});
  GobStreamReader reader(reader_fd_.get());
  // The first piece ends inside the first value; the rest arrives later, in small pieces: once
  // the reader took the first piece in and blocks in read(2) for more.
  Write(stream.substr(0, 3));
  const pid_t reader_tid = thread_probe::CurrentTid();
  std::thread writer([&] {
    EXPECT_TRUE(thread_probe::PollUntil([&] {
      return thread_probe::BlockedReading(reader_tid, reader_fd_.get()) &&
             thread_probe::UnreadBytes(reader_fd_.get()) == 0;
    }));
    for (size_t pos = 3; pos < stream.size(); pos += 7000) Write(stream.substr(pos, 7000));
    CloseWriter();
  });
  EXPECT_EQ(NextString(reader), "first");
  EXPECT_TRUE(NextString(reader) == big);
  EXPECT_EQ(NextString(reader), "<eof>");
  writer.join();
}

TEST_F(GobStreamReaderTest, SeveralValuesInOneReadComeOutOneByOne) {
  Write(Encode({"a", "", "c"}));
  CloseWriter();
  GobStreamReader reader(reader_fd_.get());
  EXPECT_EQ(NextString(reader), "a");
  EXPECT_EQ(NextString(reader), "");
  EXPECT_EQ(NextString(reader), "c");
  EXPECT_EQ(NextString(reader), "<eof>");
  EXPECT_EQ(NextString(reader), "<eof>");
}

TEST_F(GobStreamReaderTest, CleanEofBeforeAnyValueIsNullopt) {
  CloseWriter();
  GobStreamReader reader(reader_fd_.get());
  EXPECT_EQ(NextString(reader), "<eof>");
}

TEST_F(GobStreamReaderTest, EofInsideAValueIsUnavailable) {
  std::string stream = Encode({"complete", "cut short"});
  Write(stream.substr(0, stream.size() - 2));
  CloseWriter();
  GobStreamReader reader(reader_fd_.get());
  EXPECT_EQ(NextString(reader), "complete");
  Result<std::optional<gob::Value>> cut = reader.Next();
  EXPECT_EQ(cut.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(cut.status().message().find("inside a message"), std::string::npos) << cut.status().ToString();
}

TEST_F(GobStreamReaderTest, EofInsideALengthPrefixIsUnavailable) {
  Write(std::string("\xfe\x01", 2));  // a two-byte length, one byte of it sent
  CloseWriter();
  GobStreamReader reader(reader_fd_.get());
  EXPECT_EQ(NextString(reader), "<error Unavailable>");
}

TEST_F(GobStreamReaderTest, MalformedDataAndLimitsAreTheDecodersErrors) {
  Write(Encode({"ok"}) + std::string("\x02\x00\x07", 3));  // a value of type id 0
  GobStreamReader reader(reader_fd_.get());
  EXPECT_EQ(NextString(reader), "ok");
  EXPECT_EQ(NextString(reader), "<error InvalidArgument>");
  EXPECT_EQ(NextString(reader), "<error InvalidArgument>");  // sticky

  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  UniqueFd in(fds[0]), out(fds[1]);
  gob::DecoderOptions small;
  small.max_message_bytes = 100;
  GobStreamReader limited(in.get(), small);
  ASSERT_TRUE(net::WriteAll(out.get(), Encode({std::string(200, 'z')})).ok());
  EXPECT_EQ(NextString(limited), "<error ResourceExhausted>");
}

}  // namespace
}  // namespace zerostart::go1x
