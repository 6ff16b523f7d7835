// TransportResponseStream: the ResponseStream (zerostart/stream.h) a streaming handler is
// given, over a Transport's streaming calls (transport.h). The invoke loop and the JNI bridge
// keep one for the life of the process and Reset it for each invoke.
//
// States: open (nothing sent) --first byte: BeginStream + WriteChunk--> streaming; open or
// streaming --Finish--> finished, --Fail--> failed, --a transport failure--> broken. Fail in
// the open state is Transport::ReportError (the invoke's error); in the streaming state it is
// EndStream(error) (trailers). Finish in the open state sends an empty streamed response.
// Transport failures are logged here, with the invoke's request id, and returned to the
// handler; a broken stream answers every later Write/Finish with the same Unavailable error.
//
// Thread safety: one thread at a time (see ResponseStream).
#ifndef ZEROSTART_SRC_RUNTIME_RESPONSE_STREAM_H_
#define ZEROSTART_SRC_RUNTIME_RESPONSE_STREAM_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "src/runtime/transport.h"
#include "zerostart/stream.h"

namespace zerostart::runtime {

class TransportResponseStream final : public ResponseStream {
 public:
  // Does not own `transport`, which must outlive this stream.
  explicit TransportResponseStream(Transport& transport) : transport_(transport) {}
  TransportResponseStream(const TransportResponseStream&) = delete;
  TransportResponseStream& operator=(const TransportResponseStream&) = delete;

  // Readies the stream for `invocation` (open, default content type, nothing written).
  // `invocation` must stay unchanged until the stream has ended.
  void Reset(const Invocation& invocation);
  // Ends the invoke once the handler has returned: Fail(*error) when it threw (`error` not
  // null); otherwise Finish() unless the response has already ended. Failures are logged.
  void Complete(const FunctionError* error);
  // True once the response has ended (finished, failed or broken).
  bool ended() const { return state_ >= State::kFinished; }

  Status SetContentType(std::string content_type) override;
  Status Write(std::string_view bytes) override;
  Status Finish() override;
  void Fail(FunctionError error) override;
  bool started() const override { return started_; }
  uint64_t bytes_written() const override { return bytes_written_; }

 private:
  enum class State { kOpen, kStreaming, kFinished, kFailed, kBroken };

  // Enters the broken state with `failure` (reported to the caller as Unavailable) and logs it.
  Status Break(const Status& failure);
  // FailedPrecondition for `action` after the response ended, or the broken state's error.
  Status Ended(std::string_view action) const;

  Transport& transport_;
  const Invocation* invocation_ = nullptr;
  State state_ = State::kOpen;
  bool started_ = false;
  uint64_t bytes_written_ = 0;
  std::string content_type_;
  Status broken_;  // why the stream broke, in the broken state
};

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_RESPONSE_STREAM_H_
