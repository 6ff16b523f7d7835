#include "src/benchmark/invoke_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "src/common/lambda_protocol.h"

namespace zerostart::benchmark {
namespace {

// How much of a body an error line carries.
constexpr size_t kErrorBodyBytes = 200;

http::Request PostJson(std::string target, std::string payload, std::string host) {
  http::Request request;
  request.method = "POST";
  request.target = std::move(target);
  request.headers.Add("Host", std::move(host));
  request.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  request.body = std::move(payload);
  return request;
}

std::string PathFor(std::string_view prefix, std::string_view function_name, std::string_view suffix) {
  std::string path(prefix);
  path += function_name;
  path += suffix;
  return path;
}

// "errorType: errorMessage" from Lambda's error body, or "function error: BODY".
std::string FunctionErrorOf(const std::string& body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("errorType") && json["errorType"].is_string()) {
    std::string text = json["errorType"].get<std::string>();
    if (json.contains("errorMessage") && json["errorMessage"].is_string()) {
      text += ": ";
      text += json["errorMessage"].get<std::string>().substr(0, kErrorBodyBytes);
    }
    return text;
  }
  std::string text = "function error";
  if (!body.empty()) {
    text += ": ";
    text += body.substr(0, kErrorBodyBytes);
  }
  return text;
}

}  // namespace

http::Request InvokeRequest(std::string_view function_name, std::string payload, std::string host) {
  return PostJson(PathFor(lambda::kInvokePathPrefix, function_name, lambda::kInvokePathSuffix),
                  std::move(payload), std::move(host));
}

http::Request StreamInvokeRequest(std::string_view function_name, std::string payload, std::string host) {
  return PostJson(PathFor(lambda::kStreamInvokePathPrefix, function_name, lambda::kStreamInvokePathSuffix),
                  std::move(payload), std::move(host));
}

std::string RequestBytes(const http::Request& request) {
  std::string bytes;
  http::AppendRequestHead(request, &bytes);
  bytes += request.body;
  return bytes;
}

std::string InvokeBytes(std::string payload) {
  return RequestBytes(InvokeRequest(kServeFunction, std::move(payload)));
}

std::string StreamInvokeBytes(std::string payload) {
  return RequestBytes(StreamInvokeRequest(kServeFunction, std::move(payload)));
}

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Answer AnswerFrom(http::Response response) {
  auto header = [&](std::string_view name) { return std::string(response.headers.Get(name).value_or("")); };
  Answer answer;
  answer.status = response.status;
  answer.request_id = header(lambda::kRequestIdResponseHeader);
  answer.error_type = header(lambda::kAmznErrorTypeHeader);
  answer.function_error = header(lambda::kFunctionErrorHeader);
  answer.log_result = header(lambda::kLogResultHeader);
  answer.body = std::move(response.body);
  return answer;
}

std::string ErrorOf(const Answer& answer) {
  if (answer.status == 0) return "connection: " + answer.failure;
  if (answer.status >= 300) {
    std::string text = "HTTP " + std::to_string(answer.status);
    if (!answer.error_type.empty()) {
      text += ' ';
      text += answer.error_type;
    }
    if (!answer.body.empty()) {
      text += ": ";
      text += answer.body.substr(0, kErrorBodyBytes);
    }
    return text;
  }
  if (!answer.function_error.empty()) return FunctionErrorOf(answer.body);
  return "";
}

Result<bool> FeedAnswer(RawConnection& connection, std::string_view bytes, Answer* answer) {
  while (!bytes.empty()) {
    ZS_ASSIGN_OR_RETURN(size_t used, connection.parser.Feed(bytes));
    bytes.remove_prefix(used);
    if (connection.parser.done()) {
      if (!bytes.empty()) return InternalError("bytes after the answer");
      *answer = AnswerFrom(connection.parser.TakeResponse());
      return true;
    }
  }
  return false;
}

Result<Answer> InvokeOnce(RawConnection& connection, std::string_view request) {
  Answer answer;
  char buffer[16 * 1024];
  const int64_t sent = SteadyNs();
  ZS_RETURN_IF_ERROR(net::WriteAll(connection.fd.get(), request));
  for (;;) {
    ZS_ASSIGN_OR_RETURN(size_t got, net::ReadSome(connection.fd.get(), buffer, sizeof(buffer)));
    if (got == 0) return UnavailableError("connection closed before the answer");
    ZS_ASSIGN_OR_RETURN(bool done, FeedAnswer(connection, std::string_view(buffer, got), &answer));
    if (done) break;
  }
  answer.sent_ns = sent;
  answer.answered_ns = SteadyNs();
  return answer;
}

Result<std::unique_ptr<InvokeClient>> InvokeClient::Connect(net::HostPort address, double read_timeout_seconds) {
  std::unique_ptr<InvokeClient> client(new InvokeClient(std::move(address), read_timeout_seconds));
  if (Status s = client->Reconnect(); !s.ok()) return s;
  return client;
}

Status InvokeClient::Reconnect() {
  connection_.reset();
  ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect(address_));
  if (read_timeout_seconds_ > 0) {
    struct timeval tv {};
    tv.tv_sec = static_cast<time_t>(read_timeout_seconds_);
    tv.tv_usec = static_cast<suseconds_t>((read_timeout_seconds_ - static_cast<double>(tv.tv_sec)) * 1e6);
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  connection_ = std::make_unique<RawConnection>(std::move(fd));
  return OkStatus();
}

Answer InvokeClient::Invoke(const http::Request& request) {
  if (!connection_) {
    if (Status s = Reconnect(); !s.ok()) {
      Answer answer;
      answer.failure = s.ToString();
      answer.sent_ns = answer.answered_ns = SteadyNs();
      return answer;
    }
  }
  // Serialised before the clock starts: the figure is the exchange, not the copy.
  const std::string bytes = RequestBytes(request);
  const int64_t sent = SteadyNs();
  Result<Answer> answer = InvokeOnce(*connection_, bytes);
  if (answer.ok()) return std::move(answer).value();
  // The connection is in an unknown state (part of an answer may still come): a new one next.
  connection_.reset();
  Answer failed;
  failed.failure = answer.status().ToString();
  failed.sent_ns = sent;
  failed.answered_ns = SteadyNs();
  return failed;
}

Answer InvokeClient::Invoke(std::string_view function_name, std::string payload) {
  std::string host = address_.host;
  host += ':';
  host += std::to_string(address_.port);
  return Invoke(InvokeRequest(function_name, std::move(payload), std::move(host)));
}

}  // namespace zerostart::benchmark
