#include "src/gob/decoder.h"

#include <string>
#include <utility>

#include "src/gob/struct_walker.h"

namespace zerostart::gob {
namespace {

// Decodes values of known Types from one message body. `budget` bounds the Value slots one
// message may allocate: a struct type with many fields costs nothing on the wire when its
// fields are omitted, so without it a small message could demand a huge tree.
class ValueReader {
 public:
  ValueReader(Reader& reader, size_t budget) : reader_(reader), budget_(budget) {}

  Result<Value> Read(const TypePtr& type) {
    switch (type->kind) {
      case Kind::kBool: {
        ZS_ASSIGN_OR_RETURN(bool v, reader_.ReadBool());
        return Value::Bool(v);
      }
      case Kind::kInt: {
        ZS_ASSIGN_OR_RETURN(int64_t v, reader_.ReadInt());
        return Value::Int(v);
      }
      case Kind::kUint: {
        ZS_ASSIGN_OR_RETURN(uint64_t v, reader_.ReadUint());
        return Value::Uint(v);
      }
      case Kind::kFloat: {
        ZS_ASSIGN_OR_RETURN(double v, reader_.ReadFloat());
        return Value::Float(v);
      }
      case Kind::kComplex: {
        ZS_ASSIGN_OR_RETURN(double re, reader_.ReadFloat());
        ZS_ASSIGN_OR_RETURN(double im, reader_.ReadFloat());
        return Value::Complex({re, im});
      }
      case Kind::kBytes: {
        ZS_ASSIGN_OR_RETURN(std::string_view v, reader_.ReadBytes());
        return Value::Bytes(std::string(v));
      }
      case Kind::kString: {
        ZS_ASSIGN_OR_RETURN(std::string_view v, reader_.ReadBytes());
        return Value::String(std::string(v));
      }
      case Kind::kInterface: {
        // An interface value starts with the concrete type's registered name; empty is nil.
        ZS_ASSIGN_OR_RETURN(std::string_view name, reader_.ReadBytes());
        if (!name.empty()) {
          return InvalidArgumentError("gob: interface value of type " + std::string(name) + " is unsupported");
        }
        return Value();
      }
      case Kind::kArray:
      case Kind::kSlice:
      case Kind::kMap:
        return ReadContainer(type);
      case Kind::kStruct:
        return ReadStruct(type);
    }
    return InternalError("gob: unknown kind");
  }

  Result<Value> ReadStruct(const TypePtr& type) {
    ZS_RETURN_IF_ERROR(Charge(type->fields.size()));
    Value value = Value::Struct(type);
    std::vector<Value>& slots = value.mutable_elements();
    ZS_RETURN_IF_ERROR(WalkStruct(reader_, slots.size(), [&](size_t field) -> Status {
      ZS_ASSIGN_OR_RETURN(slots[field], Read(type->fields[field].type));
      return OkStatus();
    }));
    return value;
  }

 private:
  Result<Value> ReadContainer(const TypePtr& type) {
    ZS_ASSIGN_OR_RETURN(size_t count, reader_.ReadCount());
    if (type->kind == Kind::kArray && count != type->length) {
      return InvalidArgumentError("gob: array of length " + std::to_string(type->length) + " received with " +
                                  std::to_string(count) + " elements");
    }
    size_t slots = type->kind == Kind::kMap ? 2 * count : count;
    ZS_RETURN_IF_ERROR(Charge(slots));
    std::vector<Value> elements;
    elements.reserve(slots);
    for (size_t i = 0; i < count; ++i) {
      if (type->kind == Kind::kMap) {
        ZS_ASSIGN_OR_RETURN(Value key, Read(type->key));
        elements.push_back(std::move(key));
      }
      ZS_ASSIGN_OR_RETURN(Value element, Read(type->elem));
      elements.push_back(std::move(element));
    }
    return type->kind == Kind::kMap ? Value::Map(type, std::move(elements)) : Value::List(type, std::move(elements));
  }

  Status Charge(size_t slots) {
    if (slots > budget_) return ResourceExhaustedError("gob: value too large for its message");
    budget_ -= slots;
    return OkStatus();
  }

  Reader& reader_;
  size_t budget_;
};

}  // namespace

Decoder::Decoder(DecoderOptions options)
    : framer_(options.max_message_bytes, options.keep_buffer_bytes), registry_(options.max_types) {}

Result<std::optional<Value>> Decoder::Next() {
  while (error_.ok()) {
    // A view into the framer's buffer: the decoded Value copies what it keeps, so the body
    // itself is never copied.
    Result<std::optional<std::string_view>> message = framer_.NextView();
    if (!message.ok()) {
      error_ = message.status();
      break;
    }
    if (!message->has_value()) return std::optional<Value>();
    // Go's decoder skips empty messages (decodeTypeSequence reads the next one).
    if ((*message)->empty()) continue;
    ZS_ASSIGN_OR_RETURN(std::optional<Value> value, DecodeMessage(**message));
    if (value.has_value()) return value;
  }
  return error_;
}

Result<std::optional<Value>> Decoder::DecodeMessage(std::string_view body) {
  if (!error_.ok()) return error_;
  auto fail = [this](Status status) -> Result<std::optional<Value>> {
    error_ = std::move(status);
    return error_;
  };
  Reader reader(body);
  Result<int64_t> id = reader.ReadInt();
  if (!id.ok()) return fail(id.status());
  if (*id < 0) {
    // -INT64_MIN overflows; no valid id is near it anyway.
    if (*id == INT64_MIN) return fail(InvalidArgumentError("gob: invalid type id"));
    Status status = registry_.Define(-*id, reader);
    if (!status.ok()) return fail(std::move(status));
    return std::optional<Value>();
  }
  if (*id == 0) return fail(InvalidArgumentError("gob: value with type id 0"));
  Result<TypePtr> type = registry_.Resolve(*id);
  if (!type.ok()) return fail(type.status());
  // Each byte of the body can open at most a few slots honestly; 8 per byte plus slack covers
  // structs whose fields were all omitted while bounding the tree a message can demand.
  ValueReader values(reader, 8 * body.size() + 4096);
  Result<Value> value = InvalidArgumentError("unset");
  if ((*type)->kind == Kind::kStruct) {
    value = values.ReadStruct(*type);
  } else {
    // A top-level non-struct is sent as a singleton field: delta 0, then the value.
    Result<uint64_t> delta = reader.ReadUint();
    if (!delta.ok()) return fail(delta.status());
    if (*delta != 0) return fail(InvalidArgumentError("gob: non-zero delta for a singleton value"));
    value = values.Read(*type);
  }
  if (!value.ok()) return fail(value.status());
  // Go's encoder puts exactly one value in a message; anything after it is corruption.
  if (!reader.empty()) return fail(InvalidArgumentError("gob: extra data after value"));
  return std::optional<Value>(std::move(value).value());
}

}  // namespace zerostart::gob
