#include "src/gob/wire.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "src/gob/test_util.h"

namespace zerostart::gob {
namespace {

using testing::B;

std::string EncUint(uint64_t v) {
  std::string out;
  AppendUint(v, &out);
  return out;
}
std::string EncInt(int64_t v) {
  std::string out;
  AppendInt(v, &out);
  return out;
}

TEST(GobWireTest, UintKnownBytes) {
  EXPECT_EQ(EncUint(0), B({0x00}));
  EXPECT_EQ(EncUint(127), B({0x7f}));
  EXPECT_EQ(EncUint(128), B({0xff, 0x80}));
  EXPECT_EQ(EncUint(255), B({0xff, 0xff}));
  EXPECT_EQ(EncUint(256), B({0xfe, 0x01, 0x00}));
  EXPECT_EQ(EncUint(UINT64_MAX), B({0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
}

TEST(GobWireTest, IntKnownBytes) {
  EXPECT_EQ(EncInt(0), B({0x00}));
  EXPECT_EQ(EncInt(-1), B({0x01}));
  EXPECT_EQ(EncInt(1), B({0x02}));
  EXPECT_EQ(EncInt(42), B({0x54}));
  EXPECT_EQ(EncInt(-129), B({0xfe, 0x01, 0x01}));
  EXPECT_EQ(EncInt(-65), B({0xff, 0x81}));  // a type definition's id
  EXPECT_EQ(EncInt(1700000000), B({0xfc, 0xca, 0xa7, 0xe2, 0x00}));
}

TEST(GobWireTest, FloatKnownBytes) {
  std::string out;
  AppendFloat(17.0, &out);
  EXPECT_EQ(out, B({0xfe, 0x31, 0x40}));
  out.clear();
  AppendFloat(0.0, &out);
  EXPECT_EQ(out, B({0x00}));
}

TEST(GobWireTest, RoundTripsExtremes) {
  const uint64_t uints[] = {0, 1, 127, 128, 255, 256, 65535, 65536, uint64_t{1} << 32, UINT64_MAX - 1, UINT64_MAX};
  for (uint64_t v : uints) {
    std::string bytes = EncUint(v);
    Reader reader(bytes);
    Result<uint64_t> got = reader.ReadUint();
    ASSERT_TRUE(got.ok()) << v;
    EXPECT_EQ(*got, v);
    EXPECT_TRUE(reader.empty());
  }
  const int64_t ints[] = {0, 1, -1, 63, -64, 64, -65, INT64_MAX, INT64_MIN, INT64_MIN + 1};
  for (int64_t v : ints) {
    std::string bytes = EncInt(v);
    Reader reader(bytes);
    Result<int64_t> got = reader.ReadInt();
    ASSERT_TRUE(got.ok()) << v;
    EXPECT_EQ(*got, v);
  }
  const double floats[] = {
      0.0, -0.0, 1.5, -2.25, 1e300, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min()};
  for (double v : floats) {
    std::string bytes;
    AppendFloat(v, &bytes);
    Reader reader(bytes);
    Result<double> got = reader.ReadFloat();
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(std::signbit(*got), std::signbit(v));
    EXPECT_EQ(*got, v);
  }
  std::string nan;
  AppendFloat(std::numeric_limits<double>::quiet_NaN(), &nan);
  Reader nan_reader(nan);
  EXPECT_TRUE(std::isnan(*nan_reader.ReadFloat()));
}

TEST(GobWireTest, BytesRoundTrip) {
  std::string out;
  AppendBytes("", &out);
  AppendBytes(std::string(300, 'x'), &out);
  Reader reader(out);
  EXPECT_EQ(*reader.ReadBytes(), "");
  EXPECT_EQ(*reader.ReadBytes(), std::string(300, 'x'));
  EXPECT_TRUE(reader.empty());
}

TEST(GobWireTest, AcceptsNonMinimalUintLikeGo) {
  std::string bytes = B({0xfe, 0x00, 0x05});
  Reader reader(bytes);
  EXPECT_EQ(*reader.ReadUint(), 5u);
}

TEST(GobWireTest, RejectsMalformed) {
  struct Case {
    std::string bytes;
    const char* what;
  };
  const Case cases[] = {
      {"", "empty"},
      {B({0xff}), "count without byte"},
      {B({0xfe, 0x01}), "short by one"},
      {B({0xf7, 1, 2, 3, 4, 5, 6, 7, 8, 9}), "9-byte uint"},
      {B({0x80}), "count byte 0x80 (128 bytes)"},
  };
  for (const Case& c : cases) {
    Reader reader(c.bytes);
    Result<uint64_t> got = reader.ReadUint();
    ASSERT_FALSE(got.ok()) << c.what;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << c.what;
  }
  std::string bad_bool = B({0x02});
  Reader bool_reader(bad_bool);
  EXPECT_FALSE(bool_reader.ReadBool().ok());
  std::string long_bytes = B({0x05, 'a', 'b'});
  Reader bytes_reader(long_bytes);
  EXPECT_EQ(bytes_reader.ReadBytes().status().code(), StatusCode::kInvalidArgument);
  std::string huge = B({0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  Reader huge_reader(huge);
  EXPECT_EQ(huge_reader.ReadCount().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zerostart::gob
