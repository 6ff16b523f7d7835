// File: src/gob/type_registry.h
//
// TypeRegistry: the type definitions received on one gob stream, keyed by the sender's ids.
//
// A definition message carries -id and then a wireType value (golang/go
// src/encoding/gob/type.go): a struct with one set pointer field out of ArrayT (field 0),
// SliceT, StructT, MapT, GobEncoderT, BinaryMarshalerT, TextMarshalerT (field 6), each
// starting with an embedded CommonType{Name string; Id int}. Definitions may refer to ids that
// are defined later in the same burst, so Define only records them; Resolve builds the Type
// when a value needs it. Types that marshal themselves (GobEncoder, BinaryMarshaler,
// TextMarshaler) carry opaque bytes this codec cannot interpret and are rejected at Define.
//
// Thread safety: none; one registry per stream direction, used by one thread.
#ifndef ZEROSTART_SRC_GOB_TYPE_REGISTRY_H_
#define ZEROSTART_SRC_GOB_TYPE_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/gob/type.h"
#include "src/gob/wire.h"
#include "zerostart/status.h"

namespace zerostart::gob {

class TypeRegistry {
 public:
  // Limits keep a hostile stream from making us hold or walk unbounded type graphs.
  static constexpr size_t kDefaultMaxTypes = 4096;
  static constexpr int kMaxTypeDepth = 64;

  explicit TypeRegistry(size_t max_types = kDefaultMaxTypes) : max_types_(max_types) {}

  // Reads a wireType from `reader` and records it as `id`. InvalidArgument if the id is
  // reserved (< kFirstUserTypeId) or already defined, the wireType is malformed, or it is a
  // self-marshalling type; ResourceExhausted past the type-count limit.
  Status Define(int64_t id, Reader& reader);

  // The Type for `id`: predeclared basic ids map to the shared basic types; user ids are
  // built from their definitions (memoized). InvalidArgument for undefined ids, ids of the
  // wire-type family (16..23), recursive types, or types nested deeper than kMaxTypeDepth
  // (which bounds the recursion of every walk over a Value of the type).
  Result<TypePtr> Resolve(int64_t id);

  size_t size() const { return definitions_.size(); }

 private:
  struct Definition {
    Kind kind = Kind::kStruct;
    std::string name;
    std::vector<std::pair<std::string, int64_t>> fields;  // struct: (name, type id)
    int64_t elem = 0;
    int64_t key = 0;
    uint64_t length = 0;
    TypePtr resolved;  // memo
    int height = 0;    // nesting height of `resolved` (basic types are 0)
    bool resolving = false;
  };
  Result<TypePtr> ResolveAt(int64_t id, int depth);
  // Height of an already resolved id (0 for basic ids).
  int HeightOf(int64_t id) const;

  size_t max_types_;
  std::map<int64_t, Definition> definitions_;
};

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_TYPE_REGISTRY_H_
