// StreamSink: where the bytes of a streamed response go on the caller's side, as the function
// writes them — an InvokeWithResponseStream answer (event-stream PayloadChunk messages) or a
// Function URL answer (HTTP chunks). The invoke server creates one per streaming caller and
// hangs it on the Invocation; the Runtime API server's thread feeds it while it reads the
// function's chunked POST, so a chunk reaches the caller without a thread hand-off. The end of
// the answer (InvokeComplete, the last HTTP chunk) is written by the invoke server once the
// invocation is answered, through the same sink, so the two never interleave.
// Thread safety: implementations must be safe to call from two threads (the runtime side's
// Begin/Chunk and the caller side's end), serialising writes.
#ifndef ZEROSTART_SRC_EMULATOR_STREAM_SINK_H_
#define ZEROSTART_SRC_EMULATOR_STREAM_SINK_H_

#include <string_view>

namespace zerostart::emulator {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // The function began a streamed response with this Content-Type (empty: it sent none).
  // Called once, before any Chunk.
  virtual void Begin(std::string_view content_type) = 0;
  // Bytes the function wrote, in order. Returns false once the caller is gone or the answer has
  // ended: the bytes were dropped, and so will be the rest (the function is not told; Lambda
  // likewise keeps a function running whose client went away).
  virtual bool Chunk(std::string_view bytes) = 0;
  // The invocation ended without the caller's answer being finished normally (its environment
  // is torn down): shuts the caller's connection down, so a write blocked on a caller that
  // stopped reading returns at once. Safe while another thread is inside Begin/Chunk.
  virtual void Abort() = 0;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_STREAM_SINK_H_
