#include "src/cli/stream_invoke.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "src/eventstream/decoder.h"
#include "src/eventstream/lambda_events.h"

namespace zerostart::cli {

StreamOutcome StreamInvoke(http::Connection& connection, const http::Request& request, std::FILE* out) {
  StreamOutcome outcome;
  if (Status written = connection.Write(request); !written.ok()) {
    outcome.failure = written.ToString();
    return outcome;
  }
  Result<const http::Response*> head = connection.ReadResponseHead();
  if (!head.ok()) {
    outcome.failure = head.status().ToString();
    return outcome;
  }
  const int status = (*head)->status;
  std::string error_type((*head)->headers.Get(lambda::kAmznErrorTypeHeader).value_or(""));
  eventstream::Decoder decoder;
  std::vector<eventstream::Message> messages;
  std::string body;
  for (bool done = false; !done;) {
    std::string piece;
    Result<bool> read = connection.ReadResponseBody(&piece);
    if (!read.ok()) {
      outcome.failure = "the stream broke: " + read.status().ToString();
      return outcome;
    }
    done = *read;
    if (status != 200) {
      body += piece;
      continue;
    }
    if (Status fed = decoder.Feed(piece, &messages); !fed.ok()) {
      outcome.failure = "malformed event stream: " + fed.ToString();
      return outcome;
    }
    for (const eventstream::Message& message : messages) {
      std::string_view type = message.StringHeader(eventstream::kEventTypeHeader).value_or("");
      if (type == eventstream::kPayloadChunkEvent) {
        if (out != nullptr) {
          std::fwrite(message.payload.data(), 1, message.payload.size(), out);
          std::fflush(out);
        }
      } else if (type == eventstream::kInvokeCompleteEvent) {
        auto complete = nlohmann::json::parse(message.payload, nullptr, /*allow_exceptions=*/false);
        if (complete.is_object()) {
          outcome.error_code = complete.value("ErrorCode", "");
          outcome.error_details = complete.value("ErrorDetails", "");
          outcome.log_result = complete.value("LogResult", "");
        }
        outcome.ok = true;
      }
    }
    messages.clear();
  }
  (void)connection.TakeResponse();
  if (status == 204) {
    outcome.ok = true;  // DryRun
  } else if (status != 200) {
    outcome.failure = "HTTP " + std::to_string(status) + " " + error_type + ": " + body;
  } else if (!outcome.ok) {
    outcome.failure = "the stream ended without InvokeComplete";
  }
  return outcome;
}

}  // namespace zerostart::cli
