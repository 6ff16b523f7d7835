// File: src/gob/struct_walker.h
//
// WalkStruct: iterate the fields of one gob struct encoding: (uint delta, value)* then 0. The
// field number starts at -1; the walk ends at a 0 delta or, as in Go's decodeStruct, at the end
// of the input. `on_field(size_t field_number)` must consume the field's value from `reader`
// and return a Status. A delta that lands past `num_fields` is InvalidArgument ("bad delta").
#ifndef ZEROSTART_SRC_GOB_STRUCT_WALKER_H_
#define ZEROSTART_SRC_GOB_STRUCT_WALKER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "src/gob/wire.h"
#include "zerostart/status.h"

namespace zerostart::gob {

template <typename OnField>
Status WalkStruct(Reader& reader, size_t num_fields, OnField&& on_field) {
  // next_field is field number + 1, so that the initial -1 is representable unsigned.
  uint64_t next_field = 0;
  while (!reader.empty()) {
    ZS_ASSIGN_OR_RETURN(uint64_t delta, reader.ReadUint());
    if (delta == 0) return OkStatus();
    if (delta > num_fields || next_field + delta > num_fields) {
      return InvalidArgumentError("gob: field delta " + std::to_string(delta) + " past the " +
                                  std::to_string(num_fields) + " fields of the struct");
    }
    next_field += delta;
    ZS_RETURN_IF_ERROR(on_field(static_cast<size_t>(next_field - 1)));
  }
  return OkStatus();
}

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_STRUCT_WALKER_H_
