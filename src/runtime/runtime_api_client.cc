#include "src/runtime/runtime_api_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"
#include "src/common/log.h"
#include "src/common/net.h"
#include "src/runtime/error_json.h"
#include "src/runtime/invocation_headers.h"

#ifndef ZEROSTART_VERSION
#define ZEROSTART_VERSION "dev"
#endif

namespace zerostart::runtime {
namespace {

constexpr std::string_view kUserAgent = "zerostart/" ZEROSTART_VERSION;
// Plain HTTP/1.1 header names (RFC 9110/9112), not Lambda facts.
constexpr std::string_view kHostHeader = "Host";
constexpr std::string_view kUserAgentHeader = "User-Agent";
constexpr std::string_view kConnectionHeader = "Connection";
// A POST body buffer above this is freed after sending rather than kept for reuse, so one
// large response does not stay resident for the life of the process.
constexpr size_t kMaxRetainedBody = 64 * 1024;
constexpr int kPayloadTooLarge = 413;
constexpr int kNoContent = 204;
// How much of a Runtime API error body goes into a log line (it is Lambda's text, not a payload).
constexpr size_t kMaxQuotedBody = 200;
// Names a streamed response in error messages.
constexpr std::string_view kStreamedPost = "POST response (streamed)";

bool IsSuccess(int status) { return status >= 200 && status < 300; }

// What Next() returns once CancelNext was called.
Status CancelledNextError() { return UnavailableError("GET next: cancelled"); }

void ReleaseBody(std::string* body) {
  if (body->capacity() > kMaxRetainedBody) {
    std::string().swap(*body);
  } else {
    body->clear();
  }
}

// True when the peer has closed or reset `fd`, or sent bytes nobody asked for: either way the
// connection must not carry a request that could not be resent. One poll(2), no waiting.
bool PeerClosedOrSpoke(int fd) {
  pollfd entry{fd, POLLIN | POLLRDHUP, 0};
  int ready;
  do {
    ready = ::poll(&entry, 1, 0);
  } while (ready < 0 && errno == EINTR);
  return ready != 0;
}

}  // namespace

void AddCommonHeaders(const RuntimeApiEndpoint& endpoint, http::Headers* headers) {
  headers->Add(std::string(kHostHeader), endpoint.host_header);
  headers->Add(std::string(kUserAgentHeader), std::string(kUserAgent));
}

bool ServerWantsClose(const http::Response& response) {
  std::optional<std::string_view> connection = response.headers.Get(kConnectionHeader);
  return connection.has_value() && http::EqualsIgnoreCase(*connection, "close");
}

std::string DescribeHttpError(std::string_view what, const http::Response& response) {
  std::string m(what);
  m += ": HTTP ";
  m += std::to_string(response.status);
  m += ' ';
  m += response.reason.empty() ? http::ReasonPhrase(response.status) : response.reason;
  if (!response.body.empty()) {
    m += ": ";
    m.append(response.body, 0, std::min(response.body.size(), kMaxQuotedBody));
  }
  return m;
}

std::chrono::milliseconds RetryPolicy::DelayBeforeRetry(int retry) const {
  int retries = std::max(attempts - 1, 1);
  // budget * 2^(retry-1) / (2^retries - 1): the delays double and add up to the budget.
  long long weight = 1LL << std::clamp(retry - 1, 0, 30);
  long long total_weight = (1LL << std::min(retries, 31)) - 1;
  return std::chrono::milliseconds(budget.count() * weight / total_weight);
}

RuntimeApiClient::RuntimeApiClient(RuntimeApiEndpoint endpoint, RetryPolicy retry)
    : endpoint_(std::move(endpoint)), retry_(retry) {
  retry_.attempts = std::max(retry_.attempts, 1);
  next_.method = "GET";
  next_.target = endpoint_.path_prefix;
  next_.target += lambda::kNextPath;
  AddCommonHeaders(endpoint_, &next_.headers);
  post_.method = "POST";
}

Status RuntimeApiClient::Connect() {
  {
    // A Next whose socket CancelNext shut down lands here to reconnect: it must not.
    std::lock_guard lock(cancel_mutex_);
    if (in_next_ && next_cancelled_) return CancelledNextError();
  }
  ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect(endpoint_.address));
  std::lock_guard lock(cancel_mutex_);
  // Checked again under the lock that CancelNext takes: a Next cancelled from now on finds
  // this socket to shut down; one cancelled meanwhile gets no new connection to block on.
  if (in_next_ && next_cancelled_) return CancelledNextError();
  connection_.emplace(std::move(fd));
  connection_fd_ = connection_->fd();
  return OkStatus();
}

void RuntimeApiClient::Disconnect() {
  {
    std::lock_guard lock(cancel_mutex_);
    connection_fd_ = -1;
  }
  // Closed only after CancelNext can no longer see it: it never shuts down a reused fd number.
  connection_.reset();
}

Result<http::Response> RuntimeApiClient::Exchange(const http::Request& request) {
  for (;;) {
    const bool reused = connection_.has_value();
    if (!reused) ZS_RETURN_IF_ERROR(Connect());
    Status written = connection_->Write(request);
    Status failure;
    if (written.ok()) {
      Result<http::Response> response = connection_->ReadResponse();
      if (response.ok()) {
        if (ServerWantsClose(*response)) Disconnect();
        return response;
      }
      failure = response.status();
    } else {
      failure = written;
    }
    Disconnect();
    // Only a *reused* connection that failed before any byte of a response came back is a
    // stale keep-alive (Unavailable from the write, or from a read that saw a clean close or
    // reset first). Anything else on a fresh connection is a real failure.
    if (!reused || failure.code() != StatusCode::kUnavailable) return failure;
    log::Debug("runtime: Runtime API closed the kept-alive connection; reconnecting");
  }
}

void RuntimeApiClient::CancelNext() {
  {
    std::lock_guard lock(cancel_mutex_);
    next_cancelled_ = true;
    // shutdown() ends a read() blocked in the long poll (it sees end-of-file); the socket
    // stays open, and is closed by Next's own thread. An idle connection (the invocation
    // being handled) is left alone: its answer still goes out on it.
    if (in_next_ && connection_fd_ >= 0) (void)::shutdown(connection_fd_, SHUT_RDWR);
  }
  cancelled_.notify_all();
}

bool RuntimeApiClient::NextCancelled() {
  std::lock_guard lock(cancel_mutex_);
  return next_cancelled_;
}

void RuntimeApiClient::SleepUnlessCancelled(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return;
  std::unique_lock lock(cancel_mutex_);
  cancelled_.wait_for(lock, delay, [&] { return next_cancelled_; });
}

Status RuntimeApiClient::Next(Invocation* invocation) {
  {
    std::lock_guard lock(cancel_mutex_);
    if (next_cancelled_) return CancelledNextError();
    in_next_ = true;
  }
  Status polled = PollNext(invocation);
  std::lock_guard lock(cancel_mutex_);
  in_next_ = false;
  // A failure after CancelNext is its doing (the shut-down socket), not the Runtime API's.
  if (!polled.ok() && next_cancelled_) return CancelledNextError();
  return polled;
}

Status RuntimeApiClient::PollNext(Invocation* invocation) {
  int failures = 0;
  for (;;) {
    if (NextCancelled()) return CancelledNextError();
    Result<http::Response> response = Exchange(next_);
    if (!response.ok()) {
      // CancelNext's shutdown() is no Runtime API failure: neither retried nor logged.
      if (NextCancelled()) return CancelledNextError();
      ++failures;
      if (failures >= retry_.attempts) {
        // Unreachable, or reachable but answering what cannot be read (over the parser's limits,
        // malformed): the message says which.
        const bool unreachable = response.status().code() == StatusCode::kUnavailable;
        return UnavailableError("Runtime API at " + endpoint_.host_header +
                                (unreachable ? " unreachable after " : " gave no readable answer in ") +
                                std::to_string(failures) + " attempts: " + response.status().ToString());
      }
      log::Warning("runtime: GET next failed (" + response.status().ToString() + "); retrying");
      SleepUnlessCancelled(retry_.DelayBeforeRetry(failures));
      continue;
    }
    failures = 0;
    if (response->status == kNoContent) {
      // Some local emulators answer 204 while no event is queued: poll again, without spinning.
      SleepUnlessCancelled(retry_.empty_poll_delay);
      continue;
    }
    if (!IsSuccess(response->status)) {
      // Lambda uses 4xx/5xx on /next to say the environment is broken; the runtime must exit.
      return FailedPreconditionError(DescribeHttpError("GET next", *response));
    }
    if (!FillInvocation(&*response, invocation)) {
      log::Error("runtime: GET next returned an event without " +
                 std::string(lambda::kRequestIdHeader) + "; nothing to answer, skipping it");
      SleepUnlessCancelled(retry_.empty_poll_delay);
      continue;
    }
    return OkStatus();
  }
}

void RuntimeApiClient::StartPost(std::string_view target_path, std::string_view id,
                                 std::string_view suffix) {
  post_.target.assign(endpoint_.path_prefix);
  post_.target += target_path;
  post_.target += id;
  post_.target += suffix;
  post_.headers.clear();
  AddCommonHeaders(endpoint_, &post_.headers);
}

Status RuntimeApiClient::PostVerdict(std::string_view what, const http::Response& response) {
  if (IsSuccess(response.status)) return OkStatus();
  std::string message = DescribeHttpError(what, response);
  if (response.status == kPayloadTooLarge) return ResourceExhaustedError(std::move(message));
  return FailedPreconditionError(std::move(message));
}

Status RuntimeApiClient::SendPost(std::string_view what) {
  Result<http::Response> response = Exchange(post_);
  if (!response.ok()) return response.status().WithContext(what);
  return PostVerdict(what, *response);
}

Status RuntimeApiClient::Respond(const Invocation& invocation, Response* response) {
  StartPost(lambda::kInvocationPrefix, invocation.request_id, lambda::kResponseSuffix);
  if (!response->content_type().empty()) {
    post_.headers.Add(std::string(lambda::kContentTypeHeader), response->content_type());
  }
  post_.body = std::move(response->mutable_payload());
  Status sent = SendPost("POST response");
  ReleaseBody(&post_.body);
  return sent;
}

Status RuntimeApiClient::PostError(std::string_view what, const FunctionError& error) {
  post_.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  post_.headers.Add(std::string(lambda::kFunctionErrorTypeHeader),
                    std::string(EffectiveErrorType(error)));
  SerializeErrorBody(error, &post_.body);
  Status sent = SendPost(what);
  ReleaseBody(&post_.body);
  return sent;
}

Status RuntimeApiClient::ReportError(const Invocation& invocation, const FunctionError& error) {
  StartPost(lambda::kInvocationPrefix, invocation.request_id, lambda::kErrorSuffix);
  return PostError("POST error", error);
}

Status RuntimeApiClient::ReportInitError(const FunctionError& error) {
  StartPost(lambda::kInitErrorPath, {}, {});
  return PostError("POST init/error", error);
}

Status RuntimeApiClient::BeginStream(const Invocation& invocation, std::string_view content_type) {
  if (stream_.has_value()) return FailedPreconditionError("a streamed response is already in progress");
  StartPost(lambda::kInvocationPrefix, invocation.request_id, lambda::kResponseSuffix);
  post_.headers.Add(std::string(lambda::kResponseModeHeader), std::string(lambda::kResponseModeStreaming));
  post_.headers.Add(std::string(lambda::kTransferEncodingHeader),
                    std::string(lambda::kTransferEncodingChunked));
  post_.headers.Add(std::string(lambda::kTrailerHeader), std::string(lambda::kStreamingErrorTrailers));
  if (!content_type.empty()) {
    post_.headers.Add(std::string(lambda::kContentTypeHeader), std::string(content_type));
  }
  post_.body.clear();
  // Exchange() resends a request whose reused connection turns out stale, but chunks already
  // sent are gone: a server that closed the connection after /next must be noticed now, while
  // nothing of this request has been written.
  if (connection_.has_value() && PeerClosedOrSpoke(connection_->fd())) {
    log::Debug("runtime: Runtime API closed the kept-alive connection; reconnecting");
    Disconnect();
  }
  for (;;) {
    const bool reused = connection_.has_value();
    if (!reused) {
      Status connected = Connect();
      if (!connected.ok()) return connected.WithContext(kStreamedPost);
    }
    // Transfer-Encoding is set and the body is empty: this writes the head only.
    Status written = connection_->Write(post_);
    if (written.ok()) {
      stream_.emplace(connection_->fd());
      return OkStatus();
    }
    Disconnect();
    if (!reused) return written.WithContext(kStreamedPost);
    log::Debug("runtime: Runtime API closed the kept-alive connection; reconnecting");
  }
}

void RuntimeApiClient::AbandonStream() {
  stream_.reset();
  Disconnect();
}

Status RuntimeApiClient::WriteChunk(std::string_view bytes) {
  if (!stream_.has_value()) return FailedPreconditionError("no streamed response in progress");
  Status written = stream_->Write(bytes);
  if (written.ok()) return OkStatus();
  AbandonStream();
  return UnavailableError(std::string(kStreamedPost) +
                          ": the connection broke mid-stream: " + written.message());
}

Status RuntimeApiClient::EndStream(const FunctionError* error) {
  if (!stream_.has_value()) return FailedPreconditionError("no streamed response in progress");
  trailers_.clear();
  if (error != nullptr) {
    trailers_.Add(std::string(lambda::kFunctionErrorTypeHeader), std::string(EffectiveErrorType(*error)));
    SerializeErrorBody(*error, &post_.body);
    trailers_.Add(std::string(lambda::kFunctionErrorBodyTrailer), Base64Encode(post_.body));
    ReleaseBody(&post_.body);
  }
  Status finished = stream_->Finish(trailers_);
  stream_.reset();
  if (!finished.ok()) {
    AbandonStream();
    return UnavailableError(std::string(kStreamedPost) +
                            ": the connection broke before the last chunk: " + finished.message());
  }
  // Lambda answers once it has the whole streamed request.
  Result<http::Response> response = connection_->ReadResponse();
  if (!response.ok()) {
    AbandonStream();
    return response.status().WithContext(kStreamedPost);
  }
  if (ServerWantsClose(*response)) Disconnect();
  return PostVerdict(kStreamedPost, *response);
}

}  // namespace zerostart::runtime
