// Bad input at the decoder level, one test per kind (truncated bodies, lengths beyond the stream,
// negative or huge counts, undefined type ids, redefinitions, recursive types, a wrong type for a
// known field, garbage after a valid message), each checking the error code and that the message
// names the cause (decoder_test.cc holds the older, broader cases).
// The same kinds against the go1.x server are in src/runtime/go1x_server_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "src/gob/decoder.h"
#include "src/gob/encoder.h"
#include "src/gob/test_util.h"
#include "src/gob/wire.h"

namespace zerostart::gob {
namespace {

using testing::B;
using testing::Frame;
using testing::ReadVector;


// The first error a stream produces (OK if it decodes or waits for more bytes).
Status FirstDecodeError(const std::string& stream) {
  Decoder decoder;
  decoder.Append(stream);
  for (;;) {
    Result<std::optional<Value>> next = decoder.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return OkStatus();
  }
}

bool Mentions(const Status& status, std::string_view text) {
  return status.message().find(text) != std::string::npos;
}

// Point{X, Y int} from Go's doc: the definition (id 65) and the value {22, 33}.
const std::string kPoint = ReadVector("point.gob");
const std::string kPointDefinition = kPoint.substr(0, 0x20);
const std::string kPointValue = kPoint.substr(0x20);
// type 65 = []string.
const std::string kStringSliceDefinition =
    Frame(B({0xff, 0x81, 0x02, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x00, 0x00}));

TEST(GobBadInputTest, TruncatedMessageBodies) {
  // Point{X: 22, Y: <cut>}: the second int is missing its bytes.
  Status cut = FirstDecodeError(kPointDefinition + Frame(B({0xff, 0x82, 0x01, 0x2c, 0x01, 0xfe, 0x01})));
  EXPECT_EQ(cut.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(cut, "truncated")) << cut.ToString();
  // A type definition cut in the middle of a field name.
  std::string def = kPointDefinition.substr(1, 12);
  Status cut_def = FirstDecodeError(Frame(def));
  EXPECT_EQ(cut_def.code(), StatusCode::kInvalidArgument) << cut_def.ToString();
  // Every cut of the value message: an error or (trailing terminator missing, as Go allows) a
  // value, but never a crash or a silent success that invents the missing field.
  for (size_t n = 1; n < kPointValue.size() - 1; ++n) {  // body bytes kept
    Decoder decoder;
    decoder.Append(kPointDefinition + Frame(kPointValue.substr(1, n)));
    Result<std::optional<Value>> got = decoder.Next();
    // Only cuts on a field boundary decode (Go ends a struct at the end of its message too):
    // right after the type id (n 2), after X (n 4), before the terminator (n 6).
    if (got.ok() && got->has_value()) {
      EXPECT_TRUE(n == 2 || n == 4 || n == 6) << n;
    } else {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << n;
    }
  }
}

TEST(GobBadInputTest, LengthBeyondTheStreamWaitsThenCompletes) {
  // A length prefix announcing more than has arrived is "need more bytes", not an error, and
  // costs only what arrived; the rest completes it.
  std::string stream = kPoint;
  Decoder decoder;
  decoder.Append(stream.substr(0, stream.size() - 3));
  Result<std::optional<Value>> waiting = decoder.Next();
  ASSERT_TRUE(waiting.ok()) << waiting.status().ToString();
  EXPECT_FALSE(waiting->has_value());
  EXPECT_EQ(decoder.buffered(), kPointValue.size() - 3);
  decoder.Append(stream.substr(stream.size() - 3));
  Result<std::optional<Value>> point = decoder.Next();
  ASSERT_TRUE(point.ok() && point->has_value());
  EXPECT_EQ((*point)->Field("Y")->AsInt(), 33);
  // A length beyond the limit is refused at once, before any body arrives.
  DecoderOptions small;
  small.max_message_bytes = 1000;
  Decoder limited(small);
  limited.Append(B({0xfe, 0x03, 0xe9}));  // 1001
  Result<std::optional<Value>> over = limited.Next();
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
}

TEST(GobBadInputTest, NegativeOrHugeCounts) {
  // []string with 2^64-1 elements (-1 read as signed) and with 2^63.
  Status all_ones = FirstDecodeError(kStringSliceDefinition + Frame(B({0xff, 0x82, 0x00, 0xf8, 0xff, 0xff, 0xff, 0xff,
                                                                 0xff, 0xff, 0xff, 0xff})));
  EXPECT_EQ(all_ones.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(all_ones, "count")) << all_ones.ToString();
  EXPECT_EQ(FirstDecodeError(kStringSliceDefinition + Frame(B({0xff, 0x82, 0x00, 0xf8, 0x80, 0, 0, 0, 0, 0, 0, 0}))).code(),
            StatusCode::kInvalidArgument);
  // A string of 2^63 bytes.
  EXPECT_EQ(FirstDecodeError(Frame(B({0x0c, 0x00, 0xf8, 0x80, 0, 0, 0, 0, 0, 0, 0}))).code(), StatusCode::kInvalidArgument);
  // [N]int with a negative length (-1) in its definition.
  Status negative_len = FirstDecodeError(Frame(B({0xff, 0x81, 0x01, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x04, 0x01, 0x01,
                                            0x00, 0x00})));
  EXPECT_EQ(negative_len.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(negative_len, "negative array length")) << negative_len.ToString();
  // A struct field whose type id is negative (-1).
  Status negative_id = FirstDecodeError(Frame(B({0xff, 0x81, 0x03, 0x01, 0x01, 0x01, 'T', 0x01, 0xff, 0x82, 0x00, 0x01,
                                           0x01, 0x01, 0x01, 'F', 0x01, 0x01, 0x00, 0x00, 0x00})));
  EXPECT_EQ(negative_id.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(negative_id, "invalid type id")) << negative_id.ToString();
  // A message length with a 9-byte count.
  EXPECT_EQ(FirstDecodeError(B({0xf7, 1, 2, 3, 4, 5, 6, 7, 8, 9})).code(), StatusCode::kInvalidArgument);
}

TEST(GobBadInputTest, UndefinedTypeIds) {
  // A value of id 66 when only 65 is defined, and a definition referring to an id never sent.
  Status value = FirstDecodeError(kPointDefinition + Frame(B({0xff, 0x84, 0x00})));
  EXPECT_EQ(value.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(value, "undefined type id 66")) << value.ToString();
  std::string slice_of_66 = Frame(B({0xff, 0x81, 0x02, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0xff, 0x84, 0x00, 0x00}));
  EXPECT_TRUE(FirstDecodeError(slice_of_66).ok());  // fine until a value needs it
  Status inner = FirstDecodeError(slice_of_66 + Frame(B({0xff, 0x82, 0x00, 0x00})));
  EXPECT_EQ(inner.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(inner, "undefined type id 66")) << inner.ToString();
}

TEST(GobBadInputTest, TypeRedefinitions) {
  // 65 defined as Point, then again as []string: the stream is refused, not re-typed.
  Status twice = FirstDecodeError(kPointDefinition + kStringSliceDefinition);
  EXPECT_EQ(twice.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(twice, "duplicate type id 65")) << twice.ToString();
  // Redefining a predeclared id (6, string).
  Status predeclared = FirstDecodeError(Frame(B({0x0b, 0x02, 0x01, 0x02, 0x0c, 0x00, 0x01, 0x04, 0x00, 0x00})));
  EXPECT_EQ(predeclared.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(predeclared, "reserved")) << predeclared.ToString();
  // After the refusal a valid value does not get through.
  Decoder decoder;
  decoder.Append(kPointDefinition + kStringSliceDefinition + kPointValue);
  EXPECT_FALSE(decoder.Next().ok());
  EXPECT_FALSE(decoder.Next().ok());
}

TEST(GobBadInputTest, RecursiveTypes) {
  // T struct{ Next *T } (the field refers to T itself), and M map[string]M.
  std::string self = Frame(B({0xff, 0x81, 0x03, 0x01, 0x01, 0x01, 'T', 0x01, 0xff, 0x82, 0x00, 0x01, 0x01,
                              0x01, 0x04, 'N', 'e', 'x', 't', 0x01, 0xff, 0x82, 0x00, 0x00, 0x00}));
  std::string map = Frame(B({0xff, 0x81, 0x04, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x01, 0xff, 0x82, 0x00,
                             0x00}));
  for (const std::string& stream : {self + Frame(B({0xff, 0x82, 0x00})), map + Frame(B({0xff, 0x82, 0x00, 0x00}))}) {
    Status status = FirstDecodeError(stream);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Mentions(status, "recursive")) << status.ToString();
  }
}

TEST(GobBadInputTest, WrongTypeForAKnownField) {
  // InvokeRequest-like struct whose RequestId arrives as an int: the decoder accepts the
  // stream (gob carries its own schema) and binding reports the field and both kinds.
  TypePtr wrong = StructType("InvokeRequest", {{"Payload", BytesType()}, {"RequestId", IntType()}});
  Value value = Value::Struct(wrong);
  ASSERT_TRUE(value.SetField("RequestId", Value::Int(42)).ok());
  std::string stream;
  Encoder encoder;
  ASSERT_TRUE(encoder.Encode(value, &stream).ok());
  Decoder decoder;
  decoder.Append(stream);
  Result<std::optional<Value>> got = decoder.Next();
  ASSERT_TRUE(got.ok() && got->has_value());
  Result<std::string> request_id = (*got)->GetString("RequestId");
  EXPECT_EQ(request_id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(request_id.status(), "RequestId is int")) << request_id.status().ToString();
  // A scalar sent where the field's type says struct-of-Point: the value is misread as
  // fields and refused.
  EXPECT_EQ(FirstDecodeError(kPointDefinition + Frame(B({0xff, 0x82, 0x05, 0x2c, 0x00}))).code(),
            StatusCode::kInvalidArgument);
}

TEST(GobBadInputTest, GarbageAfterAValidMessage) {
  // The valid value comes out; the junk after it is an error, and stays one.
  for (const std::string& junk : {Frame("not gob at all"), std::string("\xf0\x01\x02", 3), Frame(B({0x00}))}) {
    Decoder decoder;
    decoder.Append(kPoint + junk);
    Result<std::optional<Value>> point = decoder.Next();
    ASSERT_TRUE(point.ok() && point->has_value()) << point.status().ToString();
    EXPECT_EQ((*point)->Field("X")->AsInt(), 22);
    Result<std::optional<Value>> after = decoder.Next();
    EXPECT_EQ(after.status().code(), StatusCode::kInvalidArgument);
    decoder.Append(kPointValue);
    EXPECT_FALSE(decoder.Next().ok());
  }
  // Junk inside the value's own message, after the value.
  Status inside = FirstDecodeError(kPointDefinition + Frame(kPointValue.substr(1) + "zz"));
  EXPECT_EQ(inside.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(inside, "extra data")) << inside.ToString();
}

}  // namespace
}  // namespace zerostart::gob
