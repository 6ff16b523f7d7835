#include "src/gob/encoder.h"

#include "src/gob/wire.h"

namespace zerostart::gob {
namespace {

// wireType field numbers (type.go) for the composite kinds we send.
uint64_t WireTypeDelta(Kind kind) {
  switch (kind) {
    case Kind::kArray:
      return 1;
    case Kind::kSlice:
      return 2;
    case Kind::kStruct:
      return 3;
    default:
      return 4;  // kMap
  }
}

void AppendMessage(const std::string& body, std::string* out) {
  AppendUint(body.size(), out);
  out->append(body);
}

}  // namespace

int64_t Encoder::TypeId(const TypePtr& type) {
  if (type->IsBasic()) return BasicTypeId(type->kind);
  auto it = ids_.find(type.get());
  if (it != ids_.end()) return it->second;
  // Go's order: a struct takes its id before its fields' types; slices, arrays and maps
  // after their element (and key) types.
  if (type->kind == Kind::kStruct) {
    int64_t id = next_id_++;
    ids_[type.get()] = id;
    keep_alive_[type.get()] = type;
    for (const Field& field : type->fields) TypeId(field.type);
    return id;
  }
  if (type->key) TypeId(type->key);
  TypeId(type->elem);
  int64_t id = next_id_++;
  ids_[type.get()] = id;
  keep_alive_[type.get()] = type;
  return id;
}

void Encoder::SendType(const TypePtr& type, std::string* out) {
  if (type->IsBasic() || sent_.count(type.get()) != 0) return;
  sent_.insert(type.get());
  int64_t id = TypeId(type);
  std::string body;
  AppendInt(-id, &body);
  AppendUint(WireTypeDelta(type->kind), &body);  // which wireType variant
  // The variant struct: field 0 is CommonType{Name, Id}.
  AppendUint(1, &body);
  if (!type->name.empty()) {
    AppendUint(1, &body);
    AppendBytes(type->name, &body);
    AppendUint(1, &body);
  } else {
    AppendUint(2, &body);
  }
  AppendInt(id, &body);
  AppendUint(0, &body);  // end CommonType
  switch (type->kind) {
    case Kind::kStruct:
      // Field []fieldType is a slice, so Go omits it when empty.
      if (!type->fields.empty()) {
        AppendUint(1, &body);
        AppendUint(type->fields.size(), &body);
        for (const Field& field : type->fields) {
          if (!field.name.empty()) {
            AppendUint(1, &body);
            AppendBytes(field.name, &body);
            AppendUint(1, &body);
          } else {
            AppendUint(2, &body);
          }
          AppendInt(TypeId(field.type), &body);
          AppendUint(0, &body);
        }
      }
      break;
    case Kind::kSlice:
      AppendUint(1, &body);
      AppendInt(TypeId(type->elem), &body);
      break;
    case Kind::kArray:
      AppendUint(1, &body);
      AppendInt(TypeId(type->elem), &body);
      if (type->length != 0) {
        AppendUint(1, &body);
        AppendInt(static_cast<int64_t>(type->length), &body);
      }
      break;
    default:  // kMap
      AppendUint(1, &body);
      AppendInt(TypeId(type->key), &body);
      AppendUint(1, &body);
      AppendInt(TypeId(type->elem), &body);
      break;
  }
  AppendUint(0, &body);  // end of the variant struct
  AppendUint(0, &body);  // end of wireType
  AppendMessage(body, out);
  // Then the inner types, as Go's sendType does.
  if (type->kind == Kind::kStruct) {
    for (const Field& field : type->fields) SendType(field.type, out);
  } else {
    if (type->key) SendType(type->key, out);
    SendType(type->elem, out);
  }
}

namespace {

// Where EncodeValue writes: SizeSink only counts (the validation and sizing pass), StringSink
// appends. Encoding twice lets Encode write the length prefix first and then the body straight
// into the caller's buffer, instead of building the body apart and copying it (for a 1 MiB
// payload that copy, and the allocation behind it, cost more than the counting pass).
struct SizeSink {
  size_t size = 0;
  static size_t UintSize(uint64_t v) {
    if (v < 0x80) return 1;
    size_t n = 1;
    for (; v != 0; v >>= 8) ++n;
    return n;
  }
  void Uint(uint64_t v) { size += UintSize(v); }
  void Int(int64_t v) {
    uint64_t u = v < 0 ? ((~static_cast<uint64_t>(v)) << 1) | 1u : static_cast<uint64_t>(v) << 1;
    size += UintSize(u);
  }
  void Float(double v) { size += UintSize(FloatToWire(v)); }
  void Bytes(std::string_view b) { size += UintSize(b.size()) + b.size(); }
};

struct StringSink {
  std::string* out;
  void Uint(uint64_t v) { AppendUint(v, out); }
  void Int(int64_t v) { AppendInt(v, out); }
  void Float(double v) { AppendFloat(v, out); }
  void Bytes(std::string_view b) { AppendBytes(b, out); }
};

template <typename Sink>
Status EncodeValueTo(const Value& value, const TypePtr& type, Sink& out) {
  if (value.absent()) {
    if (type->kind == Kind::kInterface) {
      out.Bytes("");  // nil interface: empty type name
      return OkStatus();
    }
    return InvalidArgumentError("gob: absent value of type " + std::string(KindName(type->kind)));
  }
  if (value.kind() != type->kind) {
    return InvalidArgumentError("gob: " + std::string(KindName(value.kind())) + " value where " +
                                std::string(KindName(type->kind)) + " is expected");
  }
  switch (type->kind) {
    case Kind::kBool:
      out.Uint(value.AsBool() ? 1 : 0);
      return OkStatus();
    case Kind::kInt:
      out.Int(value.AsInt());
      return OkStatus();
    case Kind::kUint:
      out.Uint(value.AsUint());
      return OkStatus();
    case Kind::kFloat:
      out.Float(value.AsFloat());
      return OkStatus();
    case Kind::kComplex:
      out.Float(value.AsComplex().real());
      out.Float(value.AsComplex().imag());
      return OkStatus();
    case Kind::kBytes:
    case Kind::kString:
      out.Bytes(value.AsBytes());
      return OkStatus();
    case Kind::kInterface:
      return InvalidArgumentError("gob: non-nil interface values are unsupported");
    case Kind::kStruct: {
      const std::vector<Value>& slots = value.elements();
      if (slots.size() != type->fields.size()) return InvalidArgumentError("gob: struct value does not match its type");
      size_t last = 0;  // field number + 1 of the last field sent
      for (size_t i = 0; i < slots.size(); ++i) {
        if (slots[i].IsOmittable()) continue;
        out.Uint(i + 1 - last);
        ZS_RETURN_IF_ERROR(EncodeValueTo(slots[i], type->fields[i].type, out));
        last = i + 1;
      }
      out.Uint(0);
      return OkStatus();
    }
    case Kind::kArray:
    case Kind::kSlice:
    case Kind::kMap: {
      const std::vector<Value>& elements = value.elements();
      bool is_map = type->kind == Kind::kMap;
      if (is_map && elements.size() % 2 != 0) return InvalidArgumentError("gob: map value with an odd entry count");
      size_t count = is_map ? elements.size() / 2 : elements.size();
      if (type->kind == Kind::kArray && count != type->length) {
        return InvalidArgumentError("gob: array value of the wrong length");
      }
      out.Uint(count);
      for (size_t i = 0; i < elements.size(); ++i) {
        const TypePtr& element_type = is_map && i % 2 == 0 ? type->key : type->elem;
        ZS_RETURN_IF_ERROR(EncodeValueTo(elements[i], element_type, out));
      }
      return OkStatus();
    }
  }
  return InternalError("gob: unknown kind");
}

}  // namespace

Status Encoder::Encode(const Value& value, std::string* out) {
  if (value.absent()) return InvalidArgumentError("gob: cannot encode an absent value");
  const TypePtr& type = value.type();
  // The first pass validates and sizes the value, so that a bad value leaves neither
  // definitions nor bytes behind; the second writes it, after its definitions.
  int64_t id = TypeId(type);
  SizeSink size;
  size.Int(id);
  if (type->kind != Kind::kStruct) size.Uint(0);
  ZS_RETURN_IF_ERROR(EncodeValueTo(value, type, size));
  SendType(type, out);
  out->reserve(out->size() + SizeSink::UintSize(size.size) + size.size);
  AppendUint(size.size, out);
  StringSink sink{out};
  sink.Int(id);
  if (type->kind != Kind::kStruct) sink.Uint(0);  // singleton delta
  return EncodeValueTo(value, type, sink);        // cannot fail: the first pass succeeded
}

}  // namespace zerostart::gob
