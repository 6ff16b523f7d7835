#include "src/emulator/event_stream_answer.h"

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/emulator/errors.h"
#include "src/eventstream/lambda_events.h"
#include "src/http/chunked.h"
#include "src/http/message.h"

namespace zerostart::emulator {
std::string EventStreamAnswer::HeadFor(std::string_view request_id, bool close) {
  http::Response response;
  response.status = 200;
  response.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kEventStreamContentType));
  response.headers.Add(std::string(lambda::kRequestIdResponseHeader), std::string(request_id));
  response.headers.Add(std::string(lambda::kExecutedVersionHeader), std::string(lambda::kLatestVersion));
  response.headers.Add("Transfer-Encoding", "chunked");
  if (close) response.headers.Add("Connection", "close");
  return http::SerializeResponseHead(response);
}

void EventStreamAnswer::Begin(std::string_view) {}

bool EventStreamAnswer::SendChunks(std::string_view bytes) {
  while (open_ && !bytes.empty()) {
    std::string_view piece = bytes.substr(0, eventstream::kMaxChunkPayload);
    bytes.remove_prefix(piece.size());
    std::array<char, eventstream::kMessageCrcBytes> tail;
    eventstream::FramePayloadChunk(piece, &head_, &tail);
    // One HTTP chunk per event: event head, payload, event CRC.
    const std::string_view parts[] = {head_, piece, std::string_view(tail.data(), tail.size())};
    open_ = http::WriteChunk(fd_, parts).ok();
  }
  return open_;
}

bool EventStreamAnswer::Chunk(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return false;
  return SendChunks(bytes);
}

bool EventStreamAnswer::Finish(const InvokeResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return open_;
  finished_ = true;
  std::string error_code;
  std::string error_details;
  if (result.http_status >= 400) {
    // A service error after the 200 went out (e.g. the emulator is stopping).
    error_code = result.exception.empty() ? std::string(lambda::kServiceException) : result.exception;
    error_details = ErrorMessageOf(result.body);
  } else if (result.function_error) {
    error_code = ErrorTypeOf(result.body);
    if (error_code.empty()) error_code = std::string(lambda::kUnhandled);
    error_details = ErrorMessageOf(result.body);
  } else if (!result.streamed) {
    SendChunks(result.body);  // a buffered answer: the whole body as chunks
  }
  if (!open_) return false;
  std::string end;
  http::AppendChunk(eventstream::InvokeCompleteMessage(error_code, error_details, result.log_result), &end);
  http::AppendLastChunk({}, &end);
  open_ = net::WriteAll(fd_, end).ok();
  return open_;
}

}  // namespace zerostart::emulator
