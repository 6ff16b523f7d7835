#include "src/gob/type.h"

#include <utility>

namespace zerostart::gob {

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kFloat:
      return "float";
    case Kind::kComplex:
      return "complex";
    case Kind::kBytes:
      return "bytes";
    case Kind::kString:
      return "string";
    case Kind::kInterface:
      return "interface";
    case Kind::kArray:
      return "array";
    case Kind::kSlice:
      return "slice";
    case Kind::kStruct:
      return "struct";
    case Kind::kMap:
      return "map";
  }
  return "unknown";
}

int Type::FieldIndex(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

namespace {
TypePtr MakeBasic(Kind kind, std::string name) {
  auto type = std::make_shared<Type>();
  type->kind = kind;
  type->name = std::move(name);
  return type;
}
}  // namespace

// Function-local statics: built once, thread-safe, never destroyed before use.
TypePtr BoolType() {
  static const TypePtr t = MakeBasic(Kind::kBool, "bool");
  return t;
}
TypePtr IntType() {
  static const TypePtr t = MakeBasic(Kind::kInt, "int");
  return t;
}
TypePtr UintType() {
  static const TypePtr t = MakeBasic(Kind::kUint, "uint");
  return t;
}
TypePtr FloatType() {
  static const TypePtr t = MakeBasic(Kind::kFloat, "float");
  return t;
}
TypePtr ComplexType() {
  static const TypePtr t = MakeBasic(Kind::kComplex, "complex");
  return t;
}
TypePtr BytesType() {
  static const TypePtr t = MakeBasic(Kind::kBytes, "bytes");
  return t;
}
TypePtr StringType() {
  static const TypePtr t = MakeBasic(Kind::kString, "string");
  return t;
}
TypePtr InterfaceType() {
  static const TypePtr t = MakeBasic(Kind::kInterface, "interface");
  return t;
}

int64_t BasicTypeId(Kind kind) {
  switch (kind) {
    case Kind::kBool:
      return kBoolId;
    case Kind::kInt:
      return kIntId;
    case Kind::kUint:
      return kUintId;
    case Kind::kFloat:
      return kFloatId;
    case Kind::kComplex:
      return kComplexId;
    case Kind::kBytes:
      return kBytesId;
    case Kind::kString:
      return kStringId;
    case Kind::kInterface:
      return kInterfaceId;
    default:
      return 0;
  }
}

TypePtr StructType(std::string name, std::vector<Field> fields) {
  auto type = std::make_shared<Type>();
  type->kind = Kind::kStruct;
  type->name = std::move(name);
  type->fields = std::move(fields);
  return type;
}

TypePtr SliceType(std::string name, TypePtr elem) {
  auto type = std::make_shared<Type>();
  type->kind = Kind::kSlice;
  type->name = std::move(name);
  type->elem = std::move(elem);
  return type;
}

TypePtr ArrayType(std::string name, TypePtr elem, uint64_t length) {
  auto type = std::make_shared<Type>();
  type->kind = Kind::kArray;
  type->name = std::move(name);
  type->elem = std::move(elem);
  type->length = length;
  return type;
}

TypePtr MapType(std::string name, TypePtr key, TypePtr elem) {
  auto type = std::make_shared<Type>();
  type->kind = Kind::kMap;
  type->name = std::move(name);
  type->key = std::move(key);
  type->elem = std::move(elem);
  return type;
}

}  // namespace zerostart::gob
