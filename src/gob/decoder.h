// File: src/gob/decoder.h
//
// Decoder: reads one direction of a gob stream (what a Go gob.Encoder wrote) into Values.
// Type definitions are consumed internally and remembered for the life of the Decoder, as in
// Go; values come out tagged with Types built from those definitions, so struct fields are
// looked up by name (Value::Field) and fields the caller does not know are simply ignored.
//
// Typical use (net/rpc: a header value, then a body value):
//   Decoder decoder;
//   decoder.Append(bytes_from_socket);
//   ZS_ASSIGN_OR_RETURN(std::optional<Value> header, decoder.Next());
//   if (!header) { /* read more */ }
//
// Errors are sticky: after any error, Next() keeps returning it, because a stream whose
// type definitions may be half-applied cannot be trusted further. Unsupported on the wire:
// non-nil interface values, self-marshalling types (GobEncoder etc.), recursive types.
//
// Thread safety: none; one Decoder per stream direction, used by one thread.
#ifndef ZEROSTART_SRC_GOB_DECODER_H_
#define ZEROSTART_SRC_GOB_DECODER_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "src/gob/framer.h"
#include "src/gob/type_registry.h"
#include "src/gob/value.h"
#include "zerostart/status.h"

namespace zerostart::gob {

struct DecoderOptions {
  // Largest message body accepted (ResourceExhausted beyond).
  size_t max_message_bytes = kDefaultMaxMessageBytes;
  // Most type definitions one stream may send (ResourceExhausted beyond).
  size_t max_types = TypeRegistry::kDefaultMaxTypes;
  // A read buffer grown past this is released once drained after a message within it
  // (MessageFramer's keep limit).
  size_t keep_buffer_bytes = MessageFramer::kKeepBufferBytes;
};

class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {});

  // Buffers stream bytes in any split.
  void Append(std::string_view bytes) { framer_.Append(bytes); }
  // In-place append (e.g. read(2) straight into the decoder): see MessageFramer.
  char* PrepareAppend(size_t min_bytes) { return framer_.PrepareAppend(min_bytes); }
  void CommitAppend(size_t n) { framer_.CommitAppend(n); }
  // Bytes still missing to complete the message being received (0 if unknown); see
  // MessageFramer::missing.
  size_t missing() const { return framer_.missing(); }

  // Returns the next value, std::nullopt if the buffered bytes hold no complete value yet
  // (type definitions before it are applied as they complete), or an error:
  // InvalidArgument for malformed or unsupported data, ResourceExhausted over a limit.
  Result<std::optional<Value>> Next();

  // Decodes one message body (without its length prefix): a type definition (applied;
  // returns std::nullopt) or a value. Errors are sticky as for Next().
  Result<std::optional<Value>> DecodeMessage(std::string_view body);

  const TypeRegistry& registry() const { return registry_; }

  // Stream bytes buffered and not yet consumed (a partial message, or messages not yet read).
  size_t buffered() const { return framer_.buffered(); }

 private:
  MessageFramer framer_;
  TypeRegistry registry_;
  Status error_;
};

}  // namespace zerostart::gob

#endif  // ZEROSTART_SRC_GOB_DECODER_H_
