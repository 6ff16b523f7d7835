// File: src/eventstream/decoder.h
//
// Decoder turns event-stream bytes (the format is in message.h) into Messages. It reads
// untrusted bytes: every length is checked before it is used, nothing is allocated beyond the
// configured limit, and any input ends in messages or an error, never a crash.
//
// Bytes may arrive in any split (one byte at a time works) and several messages per Feed.
// Whole messages inside one Feed are decoded straight from it; only a message cut by a Feed
// boundary is first copied into the decoder's buffer.
//
// Checks (those of aws-sdk-go-v2 aws/protocol/eventstream/decode.go), in this order: each CRC
// before the bytes it covers are read, so that a corrupted length or header is reported as
// corruption rather than as whatever it happens to look like:
//   prelude CRC                                          InvalidArgument
//   total_length >= kMinMessageBytes                     InvalidArgument
//   total_length <= DecoderLimits::max_message_bytes     ResourceExhausted
//   headers_length <= total_length - kMinMessageBytes    InvalidArgument
//   headers_length <= DecoderLimits::max_headers_bytes   ResourceExhausted
//   message CRC                                          InvalidArgument
//   every header record: name_len >= 1, a known type, name and value inside the block
//                                                        InvalidArgument
// Error messages name the check that failed. Errors are sticky: after one, Feed and Finish
// return it again (the stream cannot resync).
//
// Thread safety: none; one thread at a time.
#ifndef ZEROSTART_SRC_EVENTSTREAM_DECODER_H_
#define ZEROSTART_SRC_EVENTSTREAM_DECODER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "src/eventstream/message.h"
#include "zerostart/status.h"

namespace zerostart::eventstream {

struct DecoderLimits {
  // The largest whole message accepted. AWS's own decoders stop at about this size
  // (aws-c-event-stream: 16 MiB per message; aws-sdk-go-v2: 16 MiB payload).
  size_t max_message_bytes = size_t{16} << 20;
  // The largest header block accepted; 128 KiB is what AWS's decoders allow.
  size_t max_headers_bytes = size_t{128} << 10;
};

class Decoder {
 public:
  explicit Decoder(DecoderLimits limits = {}) : limits_(limits) {}

  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Consumes all of `data`, appending each message it completes to *out, in stream order.
  // Returns the first error (see the table above); messages completed before it in the same
  // call are still appended.
  Status Feed(std::string_view data, std::vector<Message>* out);

  // At the end of the stream: OK when no message is partly received, InvalidArgument when
  // one is (the message says how many bytes arrived), or the earlier error.
  Status Finish() const;

  // Bytes of an incomplete message held until more arrive.
  size_t buffered() const { return pending_.size(); }

 private:
  // Checks the prelude at the start of `bytes` (at least kPreludeBytes); returns total_length.
  Result<size_t> CheckPrelude(std::string_view bytes) const;
  // Records a sticky error and returns it.
  Status Fail(Status status);

  DecoderLimits limits_;
  std::string pending_;   // the start of a message cut by a Feed boundary
  size_t expected_ = 0;   // its total_length once its prelude is checked; 0 before
  Status error_;
};

}  // namespace zerostart::eventstream

#endif  // ZEROSTART_SRC_EVENTSTREAM_DECODER_H_
