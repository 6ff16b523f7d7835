#include "src/gob/type_registry.h"

#include <algorithm>

#include "src/gob/struct_walker.h"

namespace zerostart::gob {
namespace {

// Field numbers of wireType (type.go), in declaration order.
enum WireTypeField : size_t {
  kArrayT = 0,
  kSliceT,
  kStructT,
  kMapT,
  kGobEncoderT,
  kBinaryMarshalerT,
  kTextMarshalerT,
  kWireTypeFields,
};

Result<int64_t> ReadTypeId(Reader& reader) {
  ZS_ASSIGN_OR_RETURN(int64_t id, reader.ReadInt());
  if (id <= 0) return InvalidArgumentError("gob: invalid type id " + std::to_string(id));
  return id;
}

// CommonType{Name string; Id int}: we keep the name; the id repeats the definition's own.
Status ReadCommonType(Reader& reader, std::string* name) {
  return WalkStruct(reader, 2, [&](size_t field) -> Status {
    if (field == 0) {
      ZS_ASSIGN_OR_RETURN(std::string_view n, reader.ReadBytes());
      name->assign(n);
      return OkStatus();
    }
    return reader.ReadInt().status();
  });
}

// fieldType{Name string; Id int}.
Status ReadFieldType(Reader& reader, std::pair<std::string, int64_t>* out) {
  return WalkStruct(reader, 2, [&](size_t field) -> Status {
    if (field == 0) {
      ZS_ASSIGN_OR_RETURN(std::string_view n, reader.ReadBytes());
      out->first.assign(n);
      return OkStatus();
    }
    ZS_ASSIGN_OR_RETURN(out->second, ReadTypeId(reader));
    return OkStatus();
  });
}

}  // namespace

Status TypeRegistry::Define(int64_t id, Reader& reader) {
  if (id < kFirstUserTypeId) return InvalidArgumentError("gob: definition of reserved type id " + std::to_string(id));
  if (definitions_.count(id) != 0) return InvalidArgumentError("gob: duplicate type id " + std::to_string(id));
  if (definitions_.size() >= max_types_) {
    return ResourceExhaustedError("gob: more than " + std::to_string(max_types_) + " type definitions");
  }
  Definition def;
  int variants = 0;
  Status status = WalkStruct(reader, kWireTypeFields, [&](size_t variant) -> Status {
    ++variants;
    switch (variant) {
      case kArrayT:
        def.kind = Kind::kArray;
        return WalkStruct(reader, 3, [&](size_t f) -> Status {
          if (f == 0) return ReadCommonType(reader, &def.name);
          if (f == 1) {
            ZS_ASSIGN_OR_RETURN(def.elem, ReadTypeId(reader));
            return OkStatus();
          }
          ZS_ASSIGN_OR_RETURN(int64_t len, reader.ReadInt());
          if (len < 0) return InvalidArgumentError("gob: negative array length");
          def.length = static_cast<uint64_t>(len);
          return OkStatus();
        });
      case kSliceT:
        def.kind = Kind::kSlice;
        return WalkStruct(reader, 2, [&](size_t f) -> Status {
          if (f == 0) return ReadCommonType(reader, &def.name);
          ZS_ASSIGN_OR_RETURN(def.elem, ReadTypeId(reader));
          return OkStatus();
        });
      case kStructT:
        def.kind = Kind::kStruct;
        return WalkStruct(reader, 2, [&](size_t f) -> Status {
          if (f == 0) return ReadCommonType(reader, &def.name);
          ZS_ASSIGN_OR_RETURN(size_t count, reader.ReadCount());
          def.fields.resize(count);
          for (auto& field : def.fields) ZS_RETURN_IF_ERROR(ReadFieldType(reader, &field));
          return OkStatus();
        });
      case kMapT:
        def.kind = Kind::kMap;
        return WalkStruct(reader, 3, [&](size_t f) -> Status {
          if (f == 0) return ReadCommonType(reader, &def.name);
          ZS_ASSIGN_OR_RETURN(int64_t t, ReadTypeId(reader));
          (f == 1 ? def.key : def.elem) = t;
          return OkStatus();
        });
      default: {
        // gobEncoderType{CommonType}: read it only to name the type in the error.
        std::string name;
        ZS_RETURN_IF_ERROR(WalkStruct(reader, 1, [&](size_t) { return ReadCommonType(reader, &name); }));
        const char* what = variant == kGobEncoderT        ? "GobEncoder"
                           : variant == kBinaryMarshalerT ? "BinaryMarshaler"
                                                          : "TextMarshaler";
        return InvalidArgumentError("gob: type " + name + " is a " + what + "; self-marshalling types are unsupported");
      }
    }
  });
  ZS_RETURN_IF_ERROR(status);
  if (variants != 1) return InvalidArgumentError("gob: wireType with " + std::to_string(variants) + " variants set");
  if (!reader.empty()) return InvalidArgumentError("gob: extra data after type definition");
  for (const auto& field : def.fields) {
    if (field.second == 0) return InvalidArgumentError("gob: field " + field.first + " without a type id");
  }
  if ((def.kind == Kind::kArray || def.kind == Kind::kSlice || def.kind == Kind::kMap) && def.elem == 0) {
    return InvalidArgumentError("gob: container type without an element type id");
  }
  if (def.kind == Kind::kMap && def.key == 0) return InvalidArgumentError("gob: map type without a key type id");
  definitions_.emplace(id, std::move(def));
  return OkStatus();
}

Result<TypePtr> TypeRegistry::Resolve(int64_t id) { return ResolveAt(id, 0); }

Result<TypePtr> TypeRegistry::ResolveAt(int64_t id, int depth) {
  switch (id) {
    case kBoolId:
      return BoolType();
    case kIntId:
      return IntType();
    case kUintId:
      return UintType();
    case kFloatId:
      return FloatType();
    case kBytesId:
      return BytesType();
    case kStringId:
      return StringType();
    case kComplexId:
      return ComplexType();
    case kInterfaceId:
      return InterfaceType();
    default:
      break;
  }
  auto it = definitions_.find(id);
  if (it == definitions_.end()) return InvalidArgumentError("gob: undefined type id " + std::to_string(id));
  Definition& def = it->second;
  if (def.resolved) return def.resolved;
  if (def.resolving) return InvalidArgumentError("gob: recursive type " + def.name + " is unsupported");
  if (depth >= kMaxTypeDepth)
    return InvalidArgumentError("gob: types nested deeper than " + std::to_string(kMaxTypeDepth));
  def.resolving = true;
  // `def` stays valid across the recursive calls: std::map never moves its nodes, and
  // ResolveAt never inserts.
  auto build = [&]() -> Result<TypePtr> {
    switch (def.kind) {
      case Kind::kStruct: {
        std::vector<Field> fields;
        fields.reserve(def.fields.size());
        for (const auto& [name, field_id] : def.fields) {
          ZS_ASSIGN_OR_RETURN(TypePtr type, ResolveAt(field_id, depth + 1));
          fields.push_back(Field{name, std::move(type)});
        }
        return StructType(def.name, std::move(fields));
      }
      case Kind::kSlice: {
        ZS_ASSIGN_OR_RETURN(TypePtr elem, ResolveAt(def.elem, depth + 1));
        return SliceType(def.name, std::move(elem));
      }
      case Kind::kArray: {
        ZS_ASSIGN_OR_RETURN(TypePtr elem, ResolveAt(def.elem, depth + 1));
        return ArrayType(def.name, std::move(elem), def.length);
      }
      default: {
        ZS_ASSIGN_OR_RETURN(TypePtr key, ResolveAt(def.key, depth + 1));
        ZS_ASSIGN_OR_RETURN(TypePtr elem, ResolveAt(def.elem, depth + 1));
        return MapType(def.name, std::move(key), std::move(elem));
      }
    }
  };
  Result<TypePtr> result = build();
  def.resolving = false;
  if (!result.ok()) return result;
  // Memoized children can be deep already, so the height is checked on its own: the depth
  // argument alone would let a stream grow a chain one definition at a time.
  int height = 0;
  for (const auto& field : def.fields) height = std::max(height, HeightOf(field.second));
  if (def.elem != 0) height = std::max(height, HeightOf(def.elem));
  if (def.key != 0) height = std::max(height, HeightOf(def.key));
  if (height + 1 > kMaxTypeDepth) {
    return InvalidArgumentError("gob: types nested deeper than " + std::to_string(kMaxTypeDepth));
  }
  def.height = height + 1;
  def.resolved = *result;
  return result;
}

int TypeRegistry::HeightOf(int64_t id) const {
  auto it = definitions_.find(id);
  return it == definitions_.end() ? 0 : it->second.height;
}

}  // namespace zerostart::gob
