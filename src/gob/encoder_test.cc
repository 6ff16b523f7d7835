#include "src/gob/encoder.h"

#include <gtest/gtest.h>

#include <string>

#include "src/gob/decoder.h"
#include "src/gob/test_util.h"

namespace zerostart::gob {
namespace {

using testing::B;
using testing::Hex;

Result<Value> DecodeOne(const std::string& stream) {
  Decoder decoder;
  decoder.Append(stream);
  ZS_ASSIGN_OR_RETURN(std::optional<Value> v, decoder.Next());
  if (!v) return InvalidArgumentError("no value");
  return std::move(*v);
}

TEST(GobEncoderTest, TopLevelBasicValuesAreSingletons) {
  Encoder encoder;
  std::string out;
  ASSERT_TRUE(encoder.Encode(Value::Int(42), &out).ok());
  ASSERT_TRUE(encoder.Encode(Value::String("top"), &out).ok());
  ASSERT_TRUE(encoder.Encode(Value::Int(0), &out).ok());  // top-level zero is still sent
  EXPECT_EQ(Hex(out), Hex(B({0x03, 0x04, 0x00, 0x54, 0x06, 0x0c, 0x00, 0x03, 't', 'o', 'p', 0x03, 0x04, 0x00, 0x00})));
}

TEST(GobEncoderTest, DefinitionsSentOncePerStream) {
  TypePtr point = StructType("Point", {{"X", IntType()}, {"Y", IntType()}});
  Encoder encoder;
  std::string first, second;
  Value v = Value::Struct(point);
  ASSERT_TRUE(v.SetField("Y", Value::Int(42)).ok());
  ASSERT_TRUE(encoder.Encode(v, &first).ok());
  ASSERT_TRUE(encoder.Encode(v, &second).ok());
  EXPECT_GT(first.size(), second.size());
  // Point{X: 0, Y: 42} as Go's encoding/gob writes it: X is zero, so omitted; Y's delta is 2.
  EXPECT_EQ(Hex(second), Hex(B({0x05, 0xff, 0x82, 0x02, 0x54, 0x00})));
  EXPECT_EQ(Hex(first.substr(first.size() - second.size())), Hex(second));
}

TEST(GobEncoderTest, RoundTripsEveryKind) {
  TypePtr inner = StructType("Inner", {{"A", StringType()}, {"B", IntType()}});
  TypePtr ints = SliceType("[]int", IntType());
  TypePtr arr = ArrayType("[2]float64", FloatType(), 2);
  TypePtr map = MapType("map[string]uint", StringType(), UintType());
  TypePtr inners = SliceType("[]Inner", inner);
  TypePtr all = StructType("All", {{"B", BoolType()},
                                   {"I", IntType()},
                                   {"U", UintType()},
                                   {"F", FloatType()},
                                   {"C", ComplexType()},
                                   {"S", StringType()},
                                   {"Raw", BytesType()},
                                   {"Ints", ints},
                                   {"Arr", arr},
                                   {"M", map},
                                   {"In", inner},
                                   {"Ins", inners},
                                   {"Iface", InterfaceType()}});
  Value in = Value::Struct(inner);
  ASSERT_TRUE(in.SetField("A", Value::String("a")).ok());
  Value v = Value::Struct(all);
  ASSERT_TRUE(v.SetField("B", Value::Bool(true)).ok());
  ASSERT_TRUE(v.SetField("I", Value::Int(INT64_MIN)).ok());
  ASSERT_TRUE(v.SetField("U", Value::Uint(UINT64_MAX)).ok());
  ASSERT_TRUE(v.SetField("F", Value::Float(-2.5)).ok());
  ASSERT_TRUE(v.SetField("C", Value::Complex({0, 1})).ok());
  ASSERT_TRUE(v.SetField("S", Value::String(std::string(1000, 's'))).ok());
  ASSERT_TRUE(v.SetField("Raw", Value::Bytes(B({0, 0, 0}))).ok());
  ASSERT_TRUE(v.SetField("Ints", Value::List(ints, {Value::Int(0), Value::Int(-7)})).ok());
  ASSERT_TRUE(v.SetField("Arr", Value::List(arr, {Value::Float(0), Value::Float(1e-300)})).ok());
  ASSERT_TRUE(
      v.SetField("M", Value::Map(map, {Value::String(""), Value::Uint(0), Value::String("k"), Value::Uint(9)})).ok());
  ASSERT_TRUE(v.SetField("In", in).ok());
  ASSERT_TRUE(v.SetField("Ins", Value::List(inners, {Value::Struct(inner), in})).ok());

  Encoder encoder;
  std::string out;
  ASSERT_TRUE(encoder.Encode(v, &out).ok());
  Result<Value> got = DecodeOne(out);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got->GetBool("B"), true);
  EXPECT_EQ(*got->GetInt("I"), INT64_MIN);
  EXPECT_EQ(*got->GetUint("U"), UINT64_MAX);
  EXPECT_EQ(got->Field("F")->AsFloat(), -2.5);
  EXPECT_EQ(got->Field("C")->AsComplex(), std::complex<double>(0, 1));
  EXPECT_EQ(*got->GetString("S"), std::string(1000, 's'));
  EXPECT_EQ(*got->GetString("Raw"), B({0, 0, 0}));
  ASSERT_EQ(got->Field("Ints")->elements().size(), 2u);
  EXPECT_EQ(got->Field("Ints")->elements()[1].AsInt(), -7);
  EXPECT_EQ(got->Field("Arr")->elements()[1].AsFloat(), 1e-300);
  ASSERT_EQ(got->Field("M")->elements().size(), 4u);
  EXPECT_EQ(got->Field("M")->elements()[3].AsUint(), 9u);
  EXPECT_EQ(*got->Field("In")->GetString("A"), "a");
  ASSERT_EQ(got->Field("Ins")->elements().size(), 2u);
  EXPECT_EQ(got->Field("Iface"), nullptr);
  EXPECT_EQ(got->type()->name, "All");
  EXPECT_EQ(got->type()->fields[8].type->length, 2u);
}

TEST(GobEncoderTest, ZeroFieldsOmittedButStructsAndArraysSent) {
  TypePtr inner = StructType("Inner", {{"A", StringType()}});
  TypePtr arr = ArrayType("[1]int", IntType(), 1);
  TypePtr outer = StructType("Outer", {{"Z", IntType()}, {"S", StringType()}, {"In", inner}, {"Arr", arr}});
  Value v = Value::Struct(outer);
  ASSERT_TRUE(v.SetField("Z", Value::Int(0)).ok());
  ASSERT_TRUE(v.SetField("S", Value::String("")).ok());
  ASSERT_TRUE(v.SetField("In", Value::Struct(inner)).ok());
  ASSERT_TRUE(v.SetField("Arr", Value::List(arr, {Value::Int(0)})).ok());
  Encoder encoder;
  std::string defs;
  ASSERT_TRUE(encoder.Encode(v, &defs).ok());
  std::string out;
  ASSERT_TRUE(encoder.Encode(v, &out).ok());
  // id 65 = Outer; In at delta 3 (empty struct 00), Arr at delta 1 (count 1, element 0), end.
  EXPECT_EQ(Hex(out), Hex(B({0x08, 0xff, 0x82, 0x03, 0x00, 0x01, 0x01, 0x00, 0x00})));
}

TEST(GobEncoderTest, RejectsValuesThatDoNotFitTheirType) {
  TypePtr ints = SliceType("[]int", IntType());
  TypePtr arr = ArrayType("[2]int", IntType(), 2);
  TypePtr map = MapType("map[int]int", IntType(), IntType());
  TypePtr point = StructType("Point", {{"X", IntType()}});
  Encoder encoder;
  std::string out;
  EXPECT_EQ(encoder.Encode(Value(), &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encoder.Encode(Value::List(ints, {Value::String("x")}), &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encoder.Encode(Value::List(ints, {Value()}), &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encoder.Encode(Value::List(arr, {Value::Int(1)}), &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(encoder.Encode(Value::Map(map, {Value::Int(1)}), &out).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());  // nothing appended on error
  Value p = Value::Struct(point);
  EXPECT_EQ(p.SetField("X", Value::String("no")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.SetField("Nope", Value::Int(1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Value::Int(1).SetField("X", Value::Int(1)).code(), StatusCode::kInvalidArgument);
  // After a failed Encode, the next good one still carries the definitions it needs.
  ASSERT_TRUE(encoder.Encode(Value::List(ints, {Value::Int(3)}), &out).ok());
  Result<Value> got = DecodeOne(out);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->elements()[0].AsInt(), 3);
}

}  // namespace
}  // namespace zerostart::gob
