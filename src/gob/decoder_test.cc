// Malformed and hostile input: every case must produce an error (or "need more bytes"),
// never a crash, a hang or a huge allocation. Also runs under ASan/UBSan.
#include "src/gob/decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "src/gob/encoder.h"
#include "src/gob/test_util.h"
#include "src/gob/wire.h"

namespace zerostart::gob {
namespace {

using testing::B;
using testing::Frame;
using testing::ReadVector;


// The Point type definition (id 65) from Go's doc example.
std::string PointDefinition() { return ReadVector("point.gob").substr(0, 0x20); }

// Feeds `stream` and returns the first error (OK if none; values are discarded).
Status FirstError(const std::string& stream, DecoderOptions options = {}) {
  Decoder decoder(options);
  decoder.Append(stream);
  while (true) {
    Result<std::optional<Value>> next = decoder.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return OkStatus();
  }
}

StatusCode Code(const std::string& stream) { return FirstError(stream).code(); }

TEST(GobDecoderTest, PointDefinitionThenValueIsFine) {
  EXPECT_TRUE(FirstError(PointDefinition() + B({0x07, 0xff, 0x82, 0x01, 0x2c, 0x01, 0x42, 0x00})).ok());
}

TEST(GobDecoderTest, EmptyMessagesAreSkippedLikeGo) {
  Decoder decoder;
  decoder.Append(B({0x00, 0x00}) + ReadVector("point.gob"));
  Result<std::optional<Value>> v = decoder.Next();
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
}

TEST(GobDecoderTest, UndefinedTypeId) {
  EXPECT_EQ(Code(Frame(B({0xff, 0x82, 0x00}))), StatusCode::kInvalidArgument);  // 65, never defined
  EXPECT_EQ(Code(Frame(B({0x12, 0x00}))), StatusCode::kInvalidArgument);        // 9: reserved, undefined
  EXPECT_EQ(Code(Frame(B({0x20, 0x00}))), StatusCode::kInvalidArgument);        // 16: wireType as a value
  EXPECT_EQ(Code(Frame(B({0x00}))), StatusCode::kInvalidArgument);              // id 0
  // A definition whose field refers to an id that never arrives fails when a value needs it.
  std::string def = Frame(B({0xff, 0x81, 0x03, 0x01, 0x01, 0x01, 'T',  0x01, 0xff, 0x82, 0x00, 0x01,
                             0x01, 0x01, 0x01, 'F',  0x01, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00}));
  EXPECT_TRUE(FirstError(def).ok());
  EXPECT_EQ(Code(def + Frame(B({0xff, 0x82, 0x00}))), StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, BadDeltas) {
  // Point has 2 fields: delta 3 lands past them; a huge delta must not wrap around.
  EXPECT_EQ(Code(PointDefinition() + Frame(B({0xff, 0x82, 0x03, 0x02, 0x00}))), StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(PointDefinition() +
                 Frame(B({0xff, 0x82, 0x01, 0x02, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00}))),
            StatusCode::kInvalidArgument);
  // Singleton (non-struct) values need delta 0.
  EXPECT_EQ(Code(Frame(B({0x04, 0x01, 0x54}))), StatusCode::kInvalidArgument);
  // A bad delta inside a type definition (wireType has 7 fields).
  EXPECT_EQ(Code(Frame(B({0xff, 0x81, 0x08, 0x00}))), StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, LengthsBeyondTheMessage) {
  // string of length 100 with 3 bytes present.
  EXPECT_EQ(Code(Frame(B({0x0c, 0x00, 0x64, 'a', 'b', 'c'}))), StatusCode::kInvalidArgument);
  // Point's X with a truncated int.
  EXPECT_EQ(Code(PointDefinition() + Frame(B({0xff, 0x82, 0x01, 0xfe, 0x01}))), StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, HugeCounts) {
  // []string ([]string as id 65) announcing 2^60 elements in a 12-byte message.
  std::string def = Frame(B({0xff, 0x81, 0x02, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x00, 0x00}));
  EXPECT_TRUE(FirstError(def).ok());
  EXPECT_EQ(Code(def + Frame(B({0xff, 0x82, 0x00, 0xf8, 0x10, 0, 0, 0, 0, 0, 0, 0}))), StatusCode::kInvalidArgument);
  // A struct definition announcing 2^40 fields.
  EXPECT_EQ(Code(Frame(B({0xff, 0x81, 0x03, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0xfb, 0x01, 0, 0, 0, 0}))),
            StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, ArrayLengthMismatch) {
  // [2]int as id 65, value with 3 elements.
  std::string def = Frame(B({0xff, 0x81, 0x01, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x04, 0x01, 0x04, 0x00, 0x00}));
  EXPECT_TRUE(FirstError(def + Frame(B({0xff, 0x82, 0x00, 0x02, 0x02, 0x04}))).ok());
  EXPECT_EQ(Code(def + Frame(B({0xff, 0x82, 0x00, 0x03, 0x02, 0x04, 0x06}))), StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, TypeDefinitionErrors) {
  // Duplicate id 65.
  EXPECT_EQ(Code(PointDefinition() + PointDefinition()), StatusCode::kInvalidArgument);
  // Reserved id 10 (int 10 = 0x14, negative: 0x13).
  EXPECT_EQ(Code(Frame(B({0x13, 0x03, 0x01, 0x00, 0x00, 0x00}))), StatusCode::kInvalidArgument);
  // Empty wireType (no variant), and two variants at once.
  EXPECT_EQ(Code(Frame(B({0xff, 0x81, 0x00}))), StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(Frame(B({0xff, 0x81, 0x02, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x00,
                          0x01, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x00, 0x00}))),
            StatusCode::kInvalidArgument);
  // Extra data after a definition.
  EXPECT_EQ(Code(Frame(B({0xff, 0x81, 0x02, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x00, 0x00, 0x07}))),
            StatusCode::kInvalidArgument);
  // Slice without an element type.
  EXPECT_EQ(Code(Frame(B({0xff, 0x81, 0x02, 0x01, 0x02, 0xff, 0x82, 0x00, 0x00, 0x00}))), StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, SelfMarshallingTypesRejected) {
  // GobEncoderT (field 4), BinaryMarshalerT (5), TextMarshalerT (6): CommonType{"T", 65}.
  for (int delta : {5, 6, 7}) {
    Status s = FirstError(Frame(B({0xff, 0x81, delta, 0x01, 0x01, 0x01, 'T', 0x01, 0xff, 0x82, 0x00, 0x00, 0x00})));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << delta;
    EXPECT_NE(s.message().find("self-marshalling"), std::string::npos) << s.ToString();
  }
}

TEST(GobDecoderTest, GoSelfMarshallingVectorsRejected) {
  // struct{ T time.Time } (a GobEncoder) and struct{ B Bin } (a BinaryMarshaler), from Go.
  for (const char* name : {"gob_encoder.gob", "binary_marshaler.gob"}) {
    Status s = FirstError(ReadVector(name));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(s.message().find("self-marshalling"), std::string::npos) << s.ToString();
  }
}

TEST(GobDecoderTest, RecursiveTypeRejected) {
  // type T struct{ Next []T }: T = 65, []T = 66.
  std::string defs = Frame(B({0xff, 0x81, 0x03, 0x01, 0x01, 0x01, 'T',  0x01, 0xff, 0x82, 0x00, 0x01, 0x01,
                              0x01, 0x04, 'N',  'e',  'x',  't',  0x01, 0xff, 0x84, 0x00, 0x00, 0x00})) +
                     Frame(B({0xff, 0x83, 0x02, 0x01, 0x02, 0xff, 0x84, 0x00, 0x01, 0xff, 0x82, 0x00, 0x00}));
  EXPECT_EQ(Code(defs + Frame(B({0xff, 0x82, 0x00}))), StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, NestingDepthIsBounded) {
  // S1 = []int (id 65), Sk = []S(k-1), each defined and used in turn, so every resolution but
  // the last is memoized: the height limit must still stop the chain.
  Decoder decoder;
  int64_t deepest_ok = 0;
  for (int64_t k = 1; k <= 80; ++k) {
    int64_t id = kFirstUserTypeId - 1 + k;
    std::string def;
    AppendInt(-id, &def);
    def += B({0x02, 0x01, 0x02});  // SliceT, CommonType{Id:...}
    AppendInt(id, &def);
    def += B({0x00, 0x01});  // end CommonType, Elem:
    AppendInt(k == 1 ? kIntId : id - 1, &def);
    def += B({0x00, 0x00});
    std::string value;
    AppendInt(id, &value);
    value += B({0x00, 0x00});  // singleton delta, empty slice
    decoder.Append(Frame(def) + Frame(value));
    Result<std::optional<Value>> got = decoder.Next();
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
      break;
    }
    ASSERT_TRUE(got->has_value());
    deepest_ok = k;
  }
  EXPECT_EQ(deepest_ok, TypeRegistry::kMaxTypeDepth);
}

TEST(GobDecoderTest, InterfaceValues) {
  // struct{ I interface{} } as 65: a nil interface (empty name) decodes; a named one is refused.
  std::string def = Frame(
      B({0xff, 0x81, 0x03, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x01, 0x01, 0x01, 'I', 0x01, 0x10, 0x00, 0x00, 0x00}));
  EXPECT_TRUE(FirstError(def + Frame(B({0xff, 0x82, 0x01, 0x00, 0x00}))).ok());
  EXPECT_EQ(Code(def + Frame(B({0xff, 0x82, 0x01, 0x03, 'i', 'n', 't', 0x04, 0x03, 0x00, 0x54}))),
            StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, ExtraDataAfterValue) {
  EXPECT_EQ(Code(Frame(B({0x04, 0x00, 0x54, 0x54}))), StatusCode::kInvalidArgument);
}

TEST(GobDecoderTest, InvalidBool) { EXPECT_EQ(Code(Frame(B({0x02, 0x00, 0x02}))), StatusCode::kInvalidArgument); }

TEST(GobDecoderTest, LimitsAreResourceExhausted) {
  DecoderOptions small;
  small.max_message_bytes = 16;
  EXPECT_EQ(FirstError(ReadVector("point.gob"), small).code(), StatusCode::kResourceExhausted);
  DecoderOptions few_types;
  few_types.max_types = 1;
  EXPECT_EQ(FirstError(ReadVector("kitchen.gob"), few_types).code(), StatusCode::kResourceExhausted);
  // A struct type of 6000 int fields, then a 5-byte message holding a slice of 2 of them: the
  // value budget refuses the tree a tiny message would otherwise demand.
  std::string fields;
  for (int i = 0; i < 6000; ++i) fields += B({0x01, 0x01, 'f', 0x01, 0x04, 0x00});  // names repeat: fine for gob
  std::string big_struct =
      B({0xff, 0x81, 0x03, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0xfe, 0x17, 0x70}) + fields + B({0x00, 0x00});
  std::string slice = B({0xff, 0x83, 0x02, 0x01, 0x02, 0xff, 0x84, 0x00, 0x01, 0xff, 0x82, 0x00, 0x00});
  EXPECT_EQ(FirstError(Frame(big_struct) + Frame(slice) + Frame(B({0xff, 0x84, 0x00, 0x02, 0x00, 0x00}))).code(),
            StatusCode::kResourceExhausted);
}

TEST(GobDecoderTest, ErrorsAreSticky) {
  Decoder decoder;
  decoder.Append(Frame(B({0x00})));
  EXPECT_FALSE(decoder.Next().ok());
  decoder.Append(ReadVector("point.gob"));
  EXPECT_FALSE(decoder.Next().ok());
}

TEST(GobDecoderTest, TruncatedStreamsWaitAndTruncatedBodiesNeverCrash) {
  for (const char* name : {"kitchen.gob", "rpc_client_to_server.gob", "rpc_server_to_client.gob"}) {
    std::string stream = ReadVector(name);
    // Every prefix of a valid stream is "need more bytes", never an error.
    for (size_t n = 0; n < stream.size(); ++n) {
      EXPECT_TRUE(FirstError(stream.substr(0, n)).ok()) << name << " prefix " << n;
    }
    // Every message re-framed with a truncated body: an error or (where Go also accepts a
    // missing trailing terminator) a value, never a crash.
    MessageFramer framer;
    framer.Append(stream);
    std::string before;
    while (true) {
      Result<std::optional<std::string>> message = framer.Next();
      ASSERT_TRUE(message.ok());
      if (!message->has_value()) break;
      const std::string& body = **message;
      for (size_t n = 0; n < body.size(); ++n) (void)FirstError(before + Frame(body.substr(0, n)));
      before += Frame(body);
    }
  }
}

TEST(GobDecoderTest, RandomMutationsNeverCrash) {
  std::mt19937 rng(12345);
  for (const char* name : {"kitchen.gob", "rpc_client_to_server.gob", "rpc_server_to_client.gob"}) {
    const std::string stream = ReadVector(name);
    for (int round = 0; round < 2000; ++round) {
      std::string mutated = stream;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        size_t at = rng() % mutated.size();
        switch (rng() % 3) {
          case 0:
            mutated[at] = static_cast<char>(rng());
            break;
          case 1:
            mutated.erase(at, 1 + rng() % 8);
            break;
          default:
            mutated.insert(at, 1, static_cast<char>(rng()));
            break;
        }
        if (mutated.empty()) mutated.push_back('x');
      }
      (void)FirstError(mutated);
    }
  }
}

}  // namespace
}  // namespace zerostart::gob
