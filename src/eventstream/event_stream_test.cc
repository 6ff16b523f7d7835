#include "src/eventstream/event_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "src/eventstream/wire.h"

namespace zerostart::eventstream {
namespace {

using ::testing::HasSubstr;
using namespace std::string_literals;

// Hex digits to bytes; spaces are ignored.
std::string FromHex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ') continue;
    int digit = c <= '9' ? c - '0' : c - 'a' + 10;
    if (high < 0) {
      high = digit;
    } else {
      out.push_back(static_cast<char>(high * 16 + digit));
      high = -1;
    }
  }
  return out;
}

// Known-good messages: Lambda's PayloadChunk "hello" and InvokeComplete "{}".
const std::string kHello = FromHex(
    "0000006f0000005af5fe871f0b3a6576656e742d747970650700 0c5061796c6f61644368756e6b0d3a636f6e74656e742d7479"
    "70650700186170706c69636174696f6e2f6f637465742d73747265616d0d3a6d6573736167652d747970650700056576656e74"
    "68656c6c6f29e71260");
const std::string kComplete = FromHex(
    "00000066000000541f56c8690b3a6576656e742d7479706507000e496e766f6b65436f6d706c6574650d3a636f6e74656e742d"
    "747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b7d7006d467");

// A whole message around a raw header block.
std::string Frame(std::string_view header_block, std::string_view payload) {
  std::string head;
  std::array<char, kMessageCrcBytes> tail;
  FrameEncodedHeaders(header_block, payload, &head, &tail);
  return head + std::string(payload) + std::string(tail.data(), tail.size());
}

std::string Frame(const std::vector<Header>& headers, std::string_view payload) {
  std::string block;
  AppendHeaders(headers, &block);
  return Frame(block, payload);
}

// A prelude with any lengths and a correct CRC.
std::string Prelude(uint32_t total_length, uint32_t headers_length) {
  std::string out;
  wire::AppendBigEndian(total_length, &out);
  wire::AppendBigEndian(headers_length, &out);
  wire::AppendBigEndian(Crc32(0, out), &out);
  return out;
}

// One header of every type, with values at their edges.
std::vector<Header> EveryType() {
  Uuid uuid{};
  for (size_t i = 0; i < uuid.size(); ++i) uuid[i] = static_cast<uint8_t>(0xf0 + i);
  return {
      {"t", true},
      {"f", false},
      {"byte", int8_t{-128}},
      {"short", int16_t{-2}},
      {"int", std::numeric_limits<int32_t>::min()},
      {"long", std::numeric_limits<int64_t>::min() + 1},
      {"bytes", ByteArray{std::string("\0\xff\x01", 3)}},
      {"string", std::string("h\xc3\xa9llo")},
      {"empty", std::string()},
      {"time", Timestamp{-1700000000123}},
      {"uuid", uuid},
  };
}

// EveryType() and the longest name and string value there are.
std::vector<Header> EveryTypeAndLongest() {
  std::vector<Header> headers = EveryType();
  headers.push_back({std::string(kMaxHeaderNameBytes, 'n'), std::string(kMaxHeaderValueBytes, 'v')});
  return headers;
}

// Feeds `pieces` in turn; the messages, or the first error.
Result<std::vector<Message>> DecodePieces(const std::vector<std::string_view>& pieces, DecoderLimits limits = {}) {
  Decoder decoder(limits);
  std::vector<Message> out;
  for (std::string_view piece : pieces) ZS_RETURN_IF_ERROR(decoder.Feed(piece, &out));
  ZS_RETURN_IF_ERROR(decoder.Finish());
  return out;
}

Result<std::vector<Message>> DecodeAll(std::string_view stream, DecoderLimits limits = {}) {
  return DecodePieces({stream}, limits);
}

TEST(EventStreamEncodeTest, PayloadChunkMatchesKnownBytes) {
  std::string head;
  std::array<char, kMessageCrcBytes> tail;
  FramePayloadChunk("hello", &head, &tail);
  EXPECT_EQ(head + "hello" + std::string(tail.data(), tail.size()), kHello);

  const StringHeader headers[] = {{kEventTypeHeader, kPayloadChunkEvent},
                                  {kContentTypeHeader, kPayloadChunkContentType},
                                  {kMessageTypeHeader, kEventMessageType}};
  std::string whole = "prefix";  // AppendMessage appends
  AppendMessage(headers, "hello", &whole);
  EXPECT_EQ(whole, "prefix" + kHello);
  head = "stale";  // FrameMessage clears *head
  FrameMessage(headers, "hello", &head, &tail);
  EXPECT_EQ(head + "hello" + std::string(tail.data(), tail.size()), kHello);
}

TEST(EventStreamEncodeTest, InvokeCompleteMatchesKnownBytes) {
  EXPECT_EQ(InvokeCompleteMessage("", "", ""), kComplete);
}

TEST(EventStreamEncodeTest, InvokeCompleteCarriesOnlyTheFieldsGiven) {
  Result<std::vector<Message>> decoded = DecodeAll(InvokeCompleteMessage("Unhandled", "", "bG9n"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 1u);
  const Message& m = decoded->front();
  EXPECT_EQ(m.StringHeader(kEventTypeHeader), kInvokeCompleteEvent);
  EXPECT_EQ(nlohmann::json::parse(m.payload), nlohmann::json({{"ErrorCode", "Unhandled"}, {"LogResult", "bG9n"}}));

  // Details quoting bytes that are not UTF-8 still make valid JSON.
  decoded = DecodeAll(InvokeCompleteMessage("E", "bad \xff byte", ""));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  nlohmann::json body = nlohmann::json::parse(decoded->front().payload);
  EXPECT_EQ(body["ErrorDetails"], "bad \xef\xbf\xbd byte");
}

TEST(EventStreamEncodeTest, LargeChunkRoundTrips) {
  std::string payload(kMaxChunkPayload, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  std::string head;
  std::array<char, kMessageCrcBytes> tail;
  FramePayloadChunk(payload, &head, &tail);
  Result<std::vector<Message>> decoded = DecodeAll(head + payload + std::string(tail.data(), tail.size()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ(decoded->front().payload, payload);
}

TEST(EventStreamDecodeTest, DecodesTheKnownMessages) {
  Result<std::vector<Message>> decoded = DecodeAll(kHello + kComplete);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 2u);
  const Message& chunk = (*decoded)[0];
  EXPECT_EQ(chunk.headers, (std::vector<Header>{{":event-type", std::string("PayloadChunk")},
                                                {":content-type", std::string("application/octet-stream")},
                                                {":message-type", std::string("event")}}));
  EXPECT_EQ(chunk.payload, "hello");
  const Message& complete = (*decoded)[1];
  EXPECT_EQ(complete.StringHeader(":event-type"), "InvokeComplete");
  EXPECT_EQ(complete.StringHeader(":content-type"), "application/json");
  EXPECT_EQ(complete.payload, "{}");
}

TEST(EventStreamDecodeTest, EveryHeaderTypeRoundTrips) {
  std::vector<Header> headers = EveryTypeAndLongest();
  Result<std::vector<Message>> decoded = DecodeAll(Frame(headers, "payload"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ(decoded->front().headers, headers);
  EXPECT_EQ(decoded->front().payload, "payload");
  EXPECT_EQ(TypeOf(decoded->front().headers[0].value), HeaderType::kBoolTrue);
  EXPECT_EQ(TypeOf(decoded->front().headers[1].value), HeaderType::kBoolFalse);
}

TEST(EventStreamDecodeTest, StringHeaderFindsTheFirstStringOfThatName) {
  Message m{{{"n", int32_t{1}}, {"s", std::string("one")}, {"s", std::string("two")}, {"b", ByteArray{"x"}}}, ""};
  EXPECT_EQ(m.StringHeader("s"), "one");
  EXPECT_EQ(m.StringHeader("n"), std::nullopt);  // not a string
  EXPECT_EQ(m.StringHeader("b"), std::nullopt);  // a byte array is not a string
  EXPECT_EQ(m.StringHeader("missing"), std::nullopt);
}

TEST(EventStreamDecodeTest, EmptyMessageAndEmptyStream) {
  Result<std::vector<Message>> decoded = DecodeAll(Frame("", ""));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ(decoded->front(), Message{});
  decoded = DecodeAll("");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

TEST(EventStreamDecodeTest, AnySplitDecodesTheSame) {
  const std::string stream = kHello + Frame(EveryType(), "x") + Frame("", "") + kComplete;
  Result<std::vector<Message>> whole = DecodeAll(stream);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ(whole->size(), 4u);

  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));
  Result<std::vector<Message>> one_by_one = DecodePieces(bytes);
  ASSERT_TRUE(one_by_one.ok()) << one_by_one.status().ToString();
  EXPECT_EQ(*one_by_one, *whole);

  std::string_view view(stream);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Result<std::vector<Message>> split = DecodePieces({view.substr(0, cut), view.substr(cut)});
    ASSERT_TRUE(split.ok()) << "cut at " << cut << ": " << split.status().ToString();
    ASSERT_EQ(*split, *whole) << "cut at " << cut;
  }
}

TEST(EventStreamDecodeTest, EveryCorruptByteIsRejected) {
  for (size_t i = 0; i < kHello.size(); ++i) {
    for (int mask : {0x01, 0x80, 0xff}) {
      std::string corrupt = kHello;
      corrupt[i] = static_cast<char>(corrupt[i] ^ mask);
      Decoder decoder;
      std::vector<Message> out;
      Status status = decoder.Feed(corrupt, &out);
      ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << "byte " << i << ": " << status.ToString();
      EXPECT_THAT(status.message(), HasSubstr(i < kPreludeBytes ? "prelude CRC mismatch" : "message CRC mismatch"))
          << "byte " << i;
      EXPECT_TRUE(out.empty());
      EXPECT_EQ(decoder.Finish(), status);
    }
  }
}

TEST(EventStreamDecodeTest, ErrorsAreStickyAndEarlierMessagesKept) {
  std::string corrupt = kComplete;
  corrupt.back() = static_cast<char>(corrupt.back() ^ 1);
  Decoder decoder;
  std::vector<Message> out;
  Status status = decoder.Feed(kHello + corrupt + kHello, &out);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("message CRC mismatch"));
  ASSERT_EQ(out.size(), 1u);  // the message before the bad one
  EXPECT_EQ(out[0].payload, "hello");
  out.clear();
  EXPECT_EQ(decoder.Feed(kHello, &out), status);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(decoder.Finish(), status);
}

TEST(EventStreamDecodeTest, TruncatedStreamFailsAtFinish) {
  for (size_t n = 1; n < kHello.size(); ++n) {
    Decoder decoder;
    std::vector<Message> out;
    ASSERT_TRUE(decoder.Feed(std::string_view(kHello).substr(0, n), &out).ok());
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(decoder.buffered(), n);
    Status status = decoder.Finish();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << n;
    EXPECT_THAT(status.message(), HasSubstr(n < kPreludeBytes ? "ends inside a prelude" : "ends inside a message"));
  }
}

TEST(EventStreamDecodeTest, PreludeLengthsAreChecked) {
  auto decode_error = [](std::string_view stream, DecoderLimits limits = {}) {
    return DecodeAll(stream, limits).status();
  };
  Status status = decode_error(Prelude(15, 0));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("total length 15 is below the minimum of 16"));

  status = decode_error(Prelude(100, 85));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("headers length 85 does not fit in a message of 100 bytes"));

  status = decode_error(Prelude((16u << 20) + 1, 0));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("exceeds the limit of 16777216"));
  status = decode_error(Prelude(std::numeric_limits<uint32_t>::max(), 0));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);

  status = decode_error(Prelude(1000000, (128u << 10) + 1));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("header block of 131073 bytes exceeds the limit of 131072"));
}

TEST(EventStreamDecodeTest, LimitsAreConfigurableAndInclusive) {
  EXPECT_TRUE(DecodeAll(kHello, {.max_message_bytes = kHello.size()}).ok());
  EXPECT_EQ(DecodeAll(kHello, {.max_message_bytes = kHello.size() - 1}).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(DecodeAll(kHello, {.max_headers_bytes = 90}).ok());  // kHello's header block: 90 bytes
  EXPECT_EQ(DecodeAll(kHello, {.max_headers_bytes = 89}).status().code(), StatusCode::kResourceExhausted);

  // The default limit admits a message of exactly 16 MiB.
  std::string payload((16u << 20) - kMinMessageBytes, 'p');
  Result<std::vector<Message>> decoded = DecodeAll(Frame("", payload));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->front().payload.size(), payload.size());
  payload.push_back('p');
  EXPECT_EQ(DecodeAll(Frame("", payload)).status().code(), StatusCode::kResourceExhausted);
}

TEST(EventStreamDecodeTest, MalformedHeaderRecordsAreRejected) {
  struct Case {
    std::string block;
    std::string error;
  };
  const Case cases[] = {
      {"\0"s, "header record at byte 0 of the header block has an empty name"},
      {"\x01" "a\x00\x00"s, "header record at byte 3 of the header block has an empty name"},
      {"\x05" "ab"s, "its name of 5 bytes runs past the end of the block"},
      {"\x02" "ab"s, "header 'ab' has no value type"},
      {"\x01" "a\x00\x01\n"s, "header '\\x0a' has no value type"},
      {"\x01" "a\x0a"s, "header 'a': unknown value type 10"},
      {"\x01" "a\xff"s, "header 'a': unknown value type 255"},
      {"\x01" "a\x02"s, "its value of type 2 runs past the end"},
      {"\x01" "a\x03\x00"s, "its value of type 3 runs past the end"},
      {"\x01" "a\x04\x00\x00\x00"s, "its value of type 4 runs past the end"},
      {"\x01" "a\x05\x00\x00\x00\x00\x00\x00\x00"s, "its value of type 5 runs past the end"},
      {"\x01" "a\x06\x00"s, "its value of type 6 runs past the end"},
      {"\x01" "a\x07\x00\x03xy"s, "its value of type 7 runs past the end"},
      {"\x01" "a\x08\x00"s, "its value of type 8 runs past the end"},
      {"\x01" "a\x09"s + std::string(15, 'u'), "its value of type 9 runs past the end"},
  };
  for (const Case& c : cases) {
    Status status = DecodeAll(Frame(c.block, "payload")).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.error;
    EXPECT_THAT(status.message(), HasSubstr(c.error));
  }
}

}  // namespace
}  // namespace zerostart::eventstream
