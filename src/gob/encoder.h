// File: src/gob/encoder.h
//
// Encoder: writes one direction of a gob stream that Go's gob.Decoder (and so net/rpc)
// reads. Each Encode appends, as separate length-prefixed messages, the definitions of any
// types the value needs that this Encoder has not sent yet, then the value itself.
//
// Type ids are this Encoder's own, counting up from `first_type_id` in the order Go uses
// (a struct before its fields' types, a slice's element before the slice), and definitions go
// out in Go's order (outer type first), so a fresh Go process and a fresh Encoder produce
// identical bytes. Types are identified by TypePtr identity: reuse one TypePtr per Go type.
// Following Go's encoder, struct fields that are absent, false, zero, or empty strings,
// []byte and slices are omitted; empty (non-absent) maps, nested structs and arrays are sent.
//
// Thread safety: none; one Encoder per stream direction, used by one thread.
#ifndef ZEROSTART_SRC_GOB_ENCODER_H_
#define ZEROSTART_SRC_GOB_ENCODER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "src/gob/type.h"
#include "src/gob/value.h"
#include "zerostart/status.h"

namespace zerostart::gob {

class Encoder {
 public:
  explicit Encoder(int64_t first_type_id = kFirstUserTypeId) : next_id_(first_type_id) {}

  // Appends the messages for `value` to *out. InvalidArgument (and nothing appended) if the
  // value is absent, does not fit its type (kind mismatch, wrong struct slot count, array
  // length, absent slice element), or holds a non-nil interface.
  Status Encode(const Value& value, std::string* out);

  // The id this Encoder gave `type` (assigning one now if needed); predeclared ids for
  // basic types.
  int64_t TypeId(const TypePtr& type);

 private:
  void SendType(const TypePtr& type, std::string* out);

  int64_t next_id_;
  std::map<const Type*, int64_t> ids_;
  std::map<const Type*, TypePtr> keep_alive_;  // ids_ keys must not be reused by new Types
  std::set<const Type*> sent_;
};

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_ENCODER_H_
