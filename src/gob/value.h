// File: src/gob/value.h
//
// Value: a decoded (or to-be-encoded) gob value, tagged with its Type.
//
// Why a generic value tree rather than decoding straight into C++ structs: gob carries its own
// schema (field names and types) on the wire, and the two users of this codec — the go1.x
// server in the runtime and the go1.x client in the emulator — each bind a handful of small
// structs (Request, Response, InvokeRequest, InvokeResponse). A tree keyed by field name keeps
// the codec free of those structs, makes "match by name, ignore unknown fields" a plain
// lookup, and lets tests inspect any Go-produced stream. The cost (one allocation per
// composite) is negligible next to a Lambda invoke.
//
// An "absent" Value (default-constructed) stands for an omitted struct field, a nil pointer
// or a nil interface. Struct values hold one slot per field of their type, absent until set.
// Maps hold their entries flattened: key0, value0, key1, value1, ...
//
// Thread safety: a Value is a plain value; const methods are safe concurrently.
#ifndef ZEROSTART_SRC_GOB_VALUE_H_
#define ZEROSTART_SRC_GOB_VALUE_H_

#include <complex>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "src/gob/type.h"
#include "zerostart/status.h"

namespace zerostart::gob {

class Value {
 public:
  Value() = default;  // absent

  static Value Bool(bool v) { return Value(BoolType(), v); }
  static Value Int(int64_t v) { return Value(IntType(), v); }
  static Value Uint(uint64_t v) { return Value(UintType(), v); }
  static Value Float(double v) { return Value(FloatType(), v); }
  static Value Complex(std::complex<double> v) { return Value(ComplexType(), v); }
  static Value Bytes(std::string v) { return Value(BytesType(), std::move(v)); }
  static Value String(std::string v) { return Value(StringType(), std::move(v)); }
  // A struct of `type` (REQUIRES kind kStruct) with every field absent.
  static Value Struct(TypePtr type);
  // A slice or array of `type` (REQUIRES kind kSlice or kArray) holding `elements`.
  static Value List(TypePtr type, std::vector<Value> elements);
  // A map of `type` (REQUIRES kind kMap); `flat` is key0, value0, key1, value1, ...
  static Value Map(TypePtr type, std::vector<Value> flat);

  bool absent() const { return type_ == nullptr; }
  // Null when absent.
  const TypePtr& type() const { return type_; }
  // REQUIRES: !absent().
  Kind kind() const { return type_->kind; }

  // Scalar accessors. Each returns the Go zero value when the Value is absent or of another
  // kind, so binding code can be written as "field or zero" (gob omits zero fields anyway).
  bool AsBool() const;
  int64_t AsInt() const;
  uint64_t AsUint() const;
  double AsFloat() const;
  std::complex<double> AsComplex() const;
  // Bytes or string contents; empty otherwise.
  const std::string& AsBytes() const;
  // Moves the bytes or string contents out, leaving them empty (the kind is kept): lets a
  // large []byte leave the tree without a copy. Empty for other kinds.
  std::string TakeBytes();

  // Struct fields (one per type field), slice/array elements, or flattened map entries.
  // Empty for scalars.
  const std::vector<Value>& elements() const;
  std::vector<Value>& mutable_elements();

  // Struct helpers. Field returns nullptr when this is not a struct, has no field `name`, or
  // the field is absent.
  const Value* Field(std::string_view name) const;
  Value* MutableField(std::string_view name);
  // Sets field `name`. InvalidArgument if this is not a struct, the field does not exist, or
  // `value` is not absent and its kind differs from the field's.
  Status SetField(std::string_view name, Value value);

  // Typed field reads for binding: the Go zero value when the field is absent or unknown to
  // the sender; InvalidArgument when present with another kind.
  Result<std::string> GetString(std::string_view name) const;  // string or []byte field
  Result<int64_t> GetInt(std::string_view name) const;
  Result<uint64_t> GetUint(std::string_view name) const;
  Result<bool> GetBool(std::string_view name) const;

  // True for what Go omits from a struct: absent (nil pointer, nil map), false, 0, empty
  // string/bytes/slice. Empty maps, structs and arrays are never "zero" here (Go sends them).
  bool IsOmittable() const;

 private:
  using Storage = std::variant<std::monostate, bool, int64_t, uint64_t, double, std::complex<double>, std::string,
                               std::vector<Value>>;
  template <typename T>
  Value(TypePtr type, T v) : type_(std::move(type)), data_(std::move(v)) {}

  TypePtr type_;
  Storage data_;
};

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_VALUE_H_
