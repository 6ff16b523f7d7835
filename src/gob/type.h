// File: src/gob/type.h
//
// Gob types as this codec models them, and Go's predeclared type ids
// (golang/go src/encoding/gob/type.go: bootstrapType calls and the wireType family).
//
// A Type is immutable once built and shared through TypePtr. Struct fields are named: gob
// matches struct fields BY NAME, so names are part of the type. Recursive types (a struct
// that contains itself through a slice or pointer) cannot be expressed: Lambda's messages
// have none, and refusing them keeps Value a plain tree.
//
// Thread safety: Types are immutable; share them freely.
#ifndef ZEROSTART_SRC_GOB_TYPE_H_
#define ZEROSTART_SRC_GOB_TYPE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace zerostart::gob {

// Predeclared ids. Ids 1..8 are the basic types; 16..23 describe types on the wire; user
// types are numbered from kFirstUserTypeId on, by the encoder, in first-use order per PROCESS
// (not per stream), so a decoder must map them per stream and never assume a value.
enum PredeclaredTypeId : int64_t {
  kBoolId = 1,
  kIntId = 2,
  kUintId = 3,
  kFloatId = 4,
  kBytesId = 5,
  kStringId = 6,
  kComplexId = 7,
  kInterfaceId = 8,
  kWireTypeId = 16,
  kArrayTypeId = 17,
  kCommonTypeId = 18,
  kSliceTypeId = 19,
  kStructTypeId = 20,
  kFieldTypeId = 21,
  kFieldTypeSliceId = 22,
  kMapTypeId = 23,
};
// Go's firstUserId is 64; ids up to and including it are reserved.
inline constexpr int64_t kFirstUserTypeId = 65;

// The basic kinds (predeclared ids) come first: Type::IsBasic relies on the order.
enum class Kind {
  kBool,
  kInt,
  kUint,
  kFloat,
  kComplex,
  kBytes,
  kString,
  kInterface,
  kArray,
  kSlice,
  kStruct,
  kMap,
};

std::string_view KindName(Kind kind);

struct Type;
using TypePtr = std::shared_ptr<const Type>;

struct Field {
  std::string name;
  TypePtr type;
};

struct Type {
  Kind kind = Kind::kBool;
  // The Go type name sent in type definitions (informational: Go checks it only for
  // interface values). Empty for anonymous types such as struct{}.
  std::string name;
  std::vector<Field> fields;  // kStruct
  TypePtr elem;               // kArray, kSlice, kMap (value)
  TypePtr key;                // kMap
  uint64_t length = 0;        // kArray

  // True for the kinds with a predeclared id (they never need a type definition).
  bool IsBasic() const { return kind <= Kind::kInterface; }
  // Index of the field named `name`, or -1.
  int FieldIndex(std::string_view field_name) const;
};

// Shared instances of the basic types (one per kind; Go's ids 1..8).
TypePtr BoolType();
TypePtr IntType();
TypePtr UintType();
TypePtr FloatType();
TypePtr ComplexType();
TypePtr BytesType();
TypePtr StringType();
TypePtr InterfaceType();
// The predeclared id of a basic type (kBoolId...), or 0 for composite kinds.
int64_t BasicTypeId(Kind kind);

// Builders for composite types.
TypePtr StructType(std::string name, std::vector<Field> fields);
TypePtr SliceType(std::string name, TypePtr elem);
TypePtr ArrayType(std::string name, TypePtr elem, uint64_t length);
TypePtr MapType(std::string name, TypePtr key, TypePtr elem);

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_TYPE_H_
