#include "src/eventstream/lambda_events.h"

#include <nlohmann/json.hpp>

namespace zerostart::eventstream {
namespace {

constexpr StringHeader kPayloadChunkHeaders[] = {
    {kEventTypeHeader, kPayloadChunkEvent},
    {kContentTypeHeader, kPayloadChunkContentType},
    {kMessageTypeHeader, kEventMessageType},
};

constexpr StringHeader kInvokeCompleteHeaders[] = {
    {kEventTypeHeader, kInvokeCompleteEvent},
    {kContentTypeHeader, kInvokeCompleteContentType},
    {kMessageTypeHeader, kEventMessageType},
};

// PayloadChunk frames every piece of a streamed response: its headers never change, so they
// are encoded once.
const std::string& PayloadChunkHeaderBlock() {
  static const std::string block = [] {
    std::string b;
    AppendStringHeaders(kPayloadChunkHeaders, &b);
    return b;
  }();
  return block;
}

}  // namespace

void FramePayloadChunk(std::string_view bytes, std::string* head, std::array<char, kMessageCrcBytes>* tail) {
  FrameEncodedHeaders(PayloadChunkHeaderBlock(), bytes, head, tail);
}

std::string InvokeCompleteMessage(std::string_view error_code, std::string_view error_details,
                                  std::string_view log_result) {
  nlohmann::json body = nlohmann::json::object();
  if (!error_code.empty()) body["ErrorCode"] = std::string(error_code);
  if (!error_details.empty()) body["ErrorDetails"] = std::string(error_details);
  if (!log_result.empty()) body["LogResult"] = std::string(log_result);
  // ErrorDetails can quote a function's output, which need not be UTF-8: replace, never throw.
  std::string payload = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string message;
  AppendMessage(kInvokeCompleteHeaders, payload, &message);
  return message;
}

}  // namespace zerostart::eventstream
