// EventStreamAnswer: the answer to an InvokeWithResponseStream call
// (POST /2021-11-15/functions/{name}/response-streaming-invocations) — a 200 whose chunked body
// is a sequence of application/vnd.amazon.eventstream messages: PayloadChunk events as the
// function writes, then one InvokeComplete (AWS Lambda API reference,
// "InvokeWithResponseStream"). Each PayloadChunk goes out in its own HTTP chunk with one
// sendmsg, so a byte the function wrote reaches the caller without waiting for more.
//
// Thread safety: Chunk (the Runtime API thread) and Finish (the caller's thread) are
// serialised by a mutex; once Finish ran, Chunk drops its bytes.
#ifndef ZEROSTART_SRC_EMULATOR_EVENT_STREAM_ANSWER_H_
#define ZEROSTART_SRC_EMULATOR_EVENT_STREAM_ANSWER_H_

#include <sys/socket.h>

#include <mutex>
#include <string>
#include <string_view>

#include "src/emulator/invocation.h"
#include "src/emulator/stream_sink.h"

namespace zerostart::emulator {

class EventStreamAnswer : public StreamSink {
 public:
  // `fd`: the caller's socket (not owned), on which HeadFor() was already sent.
  explicit EventStreamAnswer(int fd) : fd_(fd) {}

  // The 200 head: Content-Type application/vnd.amazon.eventstream, X-Amzn-RequestId,
  // X-Amz-Executed-Version, Transfer-Encoding: chunked.
  static std::string HeadFor(std::string_view request_id, bool close);

  void Begin(std::string_view content_type) override;
  bool Chunk(std::string_view bytes) override;
  void Abort() override { ::shutdown(fd_, SHUT_RDWR); }

  // Ends the answer for `result`: a body the function answered with unstreamed (a buffered
  // /response) as PayloadChunks, then InvokeComplete — with ErrorCode (the errorType) and
  // ErrorDetails (the errorMessage) for a function error, the exception name for a service
  // error, LogResult when set — then the last HTTP chunk. False when the caller is gone (the
  // connection must then be closed).
  bool Finish(const InvokeResult& result);

 private:
  // REQUIRES: mutex_ held. Sends `bytes` as PayloadChunk events; false when the caller is gone.
  bool SendChunks(std::string_view bytes);

  const int fd_;
  std::mutex mutex_;
  bool open_ = true;       // the caller has taken every byte so far
  bool finished_ = false;  // Finish ran
  std::string head_;       // reused per event
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_EVENT_STREAM_ANSWER_H_
