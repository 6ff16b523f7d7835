#include "src/gob/value.h"

#include <utility>

namespace zerostart::gob {

Value Value::Struct(TypePtr type) {
  size_t n = type->fields.size();
  return Value(std::move(type), std::vector<Value>(n));
}

Value Value::List(TypePtr type, std::vector<Value> elements) { return Value(std::move(type), std::move(elements)); }

Value Value::Map(TypePtr type, std::vector<Value> flat) { return Value(std::move(type), std::move(flat)); }

bool Value::AsBool() const {
  const bool* v = std::get_if<bool>(&data_);
  return v != nullptr && *v;
}
int64_t Value::AsInt() const {
  const int64_t* v = std::get_if<int64_t>(&data_);
  return v != nullptr ? *v : 0;
}
uint64_t Value::AsUint() const {
  const uint64_t* v = std::get_if<uint64_t>(&data_);
  return v != nullptr ? *v : 0;
}
double Value::AsFloat() const {
  const double* v = std::get_if<double>(&data_);
  return v != nullptr ? *v : 0.0;
}
std::complex<double> Value::AsComplex() const {
  const auto* v = std::get_if<std::complex<double>>(&data_);
  return v != nullptr ? *v : std::complex<double>();
}
const std::string& Value::AsBytes() const {
  static const std::string kEmpty;
  const std::string* v = std::get_if<std::string>(&data_);
  return v != nullptr ? *v : kEmpty;
}

std::string Value::TakeBytes() {
  std::string* v = std::get_if<std::string>(&data_);
  return v != nullptr ? std::exchange(*v, std::string()) : std::string();
}

const std::vector<Value>& Value::elements() const {
  static const std::vector<Value> kEmpty;
  const auto* v = std::get_if<std::vector<Value>>(&data_);
  return v != nullptr ? *v : kEmpty;
}

std::vector<Value>& Value::mutable_elements() {
  if (!std::holds_alternative<std::vector<Value>>(data_)) data_ = std::vector<Value>();
  return std::get<std::vector<Value>>(data_);
}

const Value* Value::Field(std::string_view name) const {
  if (absent() || kind() != Kind::kStruct) return nullptr;
  int index = type_->FieldIndex(name);
  if (index < 0) return nullptr;
  const Value& field = elements()[static_cast<size_t>(index)];
  return field.absent() ? nullptr : &field;
}

Value* Value::MutableField(std::string_view name) {
  return const_cast<Value*>(static_cast<const Value&>(*this).Field(name));
}

Status Value::SetField(std::string_view name, Value value) {
  if (absent() || kind() != Kind::kStruct) return InvalidArgumentError("gob: SetField on a non-struct");
  int index = type_->FieldIndex(name);
  if (index < 0) return InvalidArgumentError("gob: no field " + std::string(name) + " in " + type_->name);
  const gob::Field& field = type_->fields[static_cast<size_t>(index)];
  if (!value.absent() && value.kind() != field.type->kind) {
    return InvalidArgumentError("gob: field " + field.name + " is " + std::string(KindName(field.type->kind)) +
                                ", not " + std::string(KindName(value.kind())));
  }
  mutable_elements()[static_cast<size_t>(index)] = std::move(value);
  return OkStatus();
}

namespace {
Status KindError(std::string_view name, Kind want, Kind got) {
  return InvalidArgumentError("gob: field " + std::string(name) + " is " + std::string(KindName(got)) + ", want " +
                              std::string(KindName(want)));
}
}  // namespace

Result<std::string> Value::GetString(std::string_view name) const {
  const Value* v = Field(name);
  if (v == nullptr) return std::string();
  if (v->kind() != Kind::kString && v->kind() != Kind::kBytes) return KindError(name, Kind::kString, v->kind());
  return v->AsBytes();
}

Result<int64_t> Value::GetInt(std::string_view name) const {
  const Value* v = Field(name);
  if (v == nullptr) return int64_t{0};
  if (v->kind() != Kind::kInt) return KindError(name, Kind::kInt, v->kind());
  return v->AsInt();
}

Result<uint64_t> Value::GetUint(std::string_view name) const {
  const Value* v = Field(name);
  if (v == nullptr) return uint64_t{0};
  if (v->kind() != Kind::kUint) return KindError(name, Kind::kUint, v->kind());
  return v->AsUint();
}

Result<bool> Value::GetBool(std::string_view name) const {
  const Value* v = Field(name);
  if (v == nullptr) return false;
  if (v->kind() != Kind::kBool) return KindError(name, Kind::kBool, v->kind());
  return v->AsBool();
}

bool Value::IsOmittable() const {
  if (absent()) return true;
  switch (kind()) {
    case Kind::kBool:
      return !AsBool();
    case Kind::kInt:
      return AsInt() == 0;
    case Kind::kUint:
      return AsUint() == 0;
    case Kind::kFloat:
      return AsFloat() == 0.0;
    case Kind::kComplex:
      return AsComplex() == std::complex<double>();
    case Kind::kBytes:
    case Kind::kString:
      return AsBytes().empty();
    case Kind::kSlice:
      return elements().empty();
    case Kind::kMap:  // Go omits only nil maps (absent): an empty map is sent (encode.go)
    case Kind::kInterface:
    case Kind::kArray:
    case Kind::kStruct:
      return false;
  }
  return false;
}

}  // namespace zerostart::gob
