#include "src/benchmark/invoke_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"

namespace zerostart::benchmark {
namespace {

// "errorType: errorMessage" from Lambda's error body, or the body itself (cut short).
std::string ErrorFromBody(const std::string& body, const std::string& fallback) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("errorType") && json["errorType"].is_string()) {
    std::string text = json["errorType"].get<std::string>();
    if (json.contains("errorMessage") && json["errorMessage"].is_string()) {
      text += ": " + json["errorMessage"].get<std::string>().substr(0, 200);
    }
    return text;
  }
  return fallback + (body.empty() ? "" : ": " + body.substr(0, 200));
}

}  // namespace

Result<std::unique_ptr<InvokeClient>> InvokeClient::Connect(uint16_t port, double read_timeout_seconds) {
  std::unique_ptr<InvokeClient> client(new InvokeClient(port, read_timeout_seconds));
  if (Status s = client->Reconnect(); !s.ok()) return s;
  return client;
}

Status InvokeClient::Reconnect() {
  connection_.reset();
  ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect({"127.0.0.1", port_}));
  struct timeval tv {};
  tv.tv_sec = static_cast<time_t>(read_timeout_seconds_);
  tv.tv_usec = static_cast<suseconds_t>((read_timeout_seconds_ - static_cast<double>(tv.tv_sec)) * 1e6);
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  connection_ = std::make_unique<http::Connection>(std::move(fd));
  return OkStatus();
}

InvokeOutcome InvokeClient::Invoke(const std::string& name, const std::string& payload) {
  InvokeOutcome outcome;
  if (!connection_) {
    if (Status s = Reconnect(); !s.ok()) {
      outcome.error = "connection: " + s.message();
      return outcome;
    }
  }
  http::Request request;
  request.method = "POST";
  request.target = std::string(lambda::kInvokePathPrefix) + name + std::string(lambda::kInvokePathSuffix);
  request.headers.Add("Host", "127.0.0.1:" + std::to_string(port_));
  request.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  request.body = payload;

  const auto start = std::chrono::steady_clock::now();
  Status written = connection_->Write(request);
  Result<http::Response> read = written.ok() ? connection_->ReadResponse() : Result<http::Response>(written);
  outcome.client_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!read.ok()) {
    connection_.reset();
    outcome.error = "connection: " + read.status().message();
    return outcome;
  }
  const http::Response& response = *read;
  outcome.request_id = std::string(response.headers.Get(lambda::kRequestIdResponseHeader).value_or(""));
  if (response.status >= 300) {
    const std::string type(response.headers.Get(lambda::kAmznErrorTypeHeader).value_or(""));
    outcome.error = "HTTP " + std::to_string(response.status) + (type.empty() ? "" : " " + type) +
                    (response.body.empty() ? "" : ": " + response.body.substr(0, 200));
  } else if (response.headers.Has(lambda::kFunctionErrorHeader)) {
    outcome.error = ErrorFromBody(response.body, "function error");
  }
  return outcome;
}

}  // namespace zerostart::benchmark
