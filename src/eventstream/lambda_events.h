// File: src/eventstream/lambda_events.h
//
// The two events of Lambda's InvokeWithResponseStream response, as event-stream messages
// (https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html):
//   PayloadChunk    a piece of the function's response; payload = the raw bytes.
//   InvokeComplete  the end of the response; payload = a JSON object with the optional string
//                   fields ErrorCode, ErrorDetails and LogResult.
// Every message carries three string headers, in this order: :event-type (the event's name),
// :content-type (application/octet-stream for a chunk, application/json for the end) and
// :message-type ("event").
//
// Thread safety: the functions may be called concurrently.
#ifndef ZEROSTART_SRC_EVENTSTREAM_LAMBDA_EVENTS_H_
#define ZEROSTART_SRC_EVENTSTREAM_LAMBDA_EVENTS_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "src/eventstream/message.h"

namespace zerostart::eventstream {

// Header names and values of Lambda's events. DO NOT change: they are on the wire.
inline constexpr std::string_view kEventTypeHeader = ":event-type";
inline constexpr std::string_view kContentTypeHeader = ":content-type";
inline constexpr std::string_view kMessageTypeHeader = ":message-type";
inline constexpr std::string_view kEventMessageType = "event";
inline constexpr std::string_view kPayloadChunkEvent = "PayloadChunk";
inline constexpr std::string_view kInvokeCompleteEvent = "InvokeComplete";
inline constexpr std::string_view kPayloadChunkContentType = "application/octet-stream";
inline constexpr std::string_view kInvokeCompleteContentType = "application/json";

// The largest chunk a sender should frame in one PayloadChunk; longer responses are split by
// the caller. Decoders refuse whole messages past a cap (aws-c-event-stream: 16 MiB per
// message; botocore: 24 MiB of payload), and a reader buffers a message whole before it hands
// out any of it, so small chunks keep a streamed response streaming and far below every cap.
inline constexpr size_t kMaxChunkPayload = 256 * 1024;

// Frames a PayloadChunk carrying `bytes` without copying them: the message is *head, then
// `bytes`, then *tail (FrameEncodedHeaders' contract). The header block is encoded once per
// process.
// REQUIRES: the message fits in 4 GiB (bytes.size() <= UINT32_MAX - 106); callers keep to
// kMaxChunkPayload.
void FramePayloadChunk(std::string_view bytes, std::string* head, std::array<char, kMessageCrcBytes>* tail);

// The whole InvokeComplete message. An empty argument leaves its field out; with none set the
// payload is "{}". Bytes that are not valid UTF-8 are replaced by U+FFFD in the JSON.
std::string InvokeCompleteMessage(std::string_view error_code, std::string_view error_details,
                                  std::string_view log_result);

}  // namespace zerostart::eventstream

#endif  // ZEROSTART_SRC_EVENTSTREAM_LAMBDA_EVENTS_H_
