#include "src/runtime/go1x_server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/log.h"
#include "src/common/net.h"
#include "src/gob/decoder.h"
#include "src/gob/encoder.h"
#include "src/go1x/stream_reader.h"
#include "src/runtime/error_json.h"

namespace zerostart::runtime {
namespace {

// A reply buffer larger than this is released after the write rather than kept for reuse.
// Lambda payloads are at most 6 MiB: keeping up to 8 MiB means a kept connection never
// allocates (and page-faults in) a fresh reply buffer per invoke.
constexpr size_t kKeepReplyBuffer = 8 * 1024 * 1024;

// Invokes one connection may have queued (received, not yet handed to the handler). Go's net/rpc
// has no bound (a goroutine per call), but Lambda sends one invoke at a time per connection; a
// client that pipelines more waits in TCP (its reader thread stops reading). Bounds the memory a
// flooding client can pin (16 x 6 MiB) and how far it can push other clients back in the FIFO.
constexpr size_t kMaxQueuedCallsPerConnection = 16;

// A reply write that makes no progress for this long (SO_SNDTIMEO) fails: the client is not
// reading its replies. The connection is then dropped with its queued calls, so one stuck client
// cannot hold the single invoke loop, and with it every other client, for longer than this.
constexpr auto kReplyStallTimeout = std::chrono::seconds(2);

// net/rpc's refusal for `service_method`, or "" when we serve it (Go server.go readRequestHeader:
// split at the last dot, look up the service, then the method).
std::string MethodError(std::string_view service_method) {
  if (service_method == lambda::kGo1xPingMethod || service_method == lambda::kGo1xInvokeMethod) return "";
  size_t dot = service_method.rfind('.');
  if (dot == std::string_view::npos || service_method.substr(0, dot) != lambda::kGo1xService) {
    return std::string(lambda::kRpcCantFindServicePrefix) + std::string(service_method);
  }
  return std::string(lambda::kRpcCantFindMethodPrefix) + std::string(service_method);
}

std::chrono::system_clock::time_point DeadlineFrom(const go1x::Timestamp& t) {
  // Clamp so that seconds -> nanoseconds cannot overflow (about +-292 years around 1970).
  constexpr int64_t kMaxSeconds = 9'000'000'000;
  int64_t seconds = std::clamp<int64_t>(t.seconds, -kMaxSeconds, kMaxSeconds);
  int64_t nanos = std::clamp<int64_t>(t.nanos, -999'999'999, 999'999'999);
  auto since_epoch = std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos);
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
}

void CognitoJson(const go1x::InvokeRequest& request, std::string* out) {
  out->clear();
  if (request.cognito_identity_id.empty() && request.cognito_identity_pool_id.empty()) return;
  out->append("{\"cognitoIdentityId\":");
  AppendJsonString(request.cognito_identity_id, out);
  out->append(",\"cognitoIdentityPoolId\":");
  AppendJsonString(request.cognito_identity_pool_id, out);
  out->push_back('}');
}

}  // namespace

struct Go1xServer::Connection {
  explicit Connection(UniqueFd socket) : fd(std::move(socket)) {}

  // Writes one reply (header + body) atomically with respect to other replies on this
  // connection. A failed write leaves the stream unusable, so the socket is shut down, which
  // also ends the reader.
  Status Send(const go1x::RpcResponseHeader& header, const gob::Value& body) {
    std::lock_guard<std::mutex> lock(write_mutex);
    out.clear();
    Status status = encoder.Encode(go1x::ToGob(header), &out);
    if (status.ok()) status = encoder.Encode(body, &out);
    if (status.ok()) status = net::WriteAll(fd.get(), out);
    if (out.capacity() > kKeepReplyBuffer) std::string().swap(out);
    if (!status.ok()) {
      broken.store(true);
      ::shutdown(fd.get(), SHUT_RDWR);
    }
    return status;
  }

  const UniqueFd fd;
  std::atomic<bool> broken{false};  // a reply failed: queued calls are dropped unanswered
  size_t queued_calls = 0;          // guarded by Go1xServer::mutex_
  std::mutex write_mutex;
  gob::Encoder encoder;  // guarded by write_mutex
  std::string out;       // guarded by write_mutex
};

Go1xServer::Go1xServer(uint16_t port) : requested_port_(port) {}

Go1xServer::~Go1xServer() { Shutdown(); }

Status Go1xServer::Listen() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shut_down_) return UnavailableError("go1.x server: shut down");
  if (listener_.valid()) return OkStatus();
  Result<UniqueFd> listener = net::Listen({"127.0.0.1", requested_port_});
  if (!listener.ok()) {
    return UnavailableError("go1.x server: cannot listen on 127.0.0.1:" + std::to_string(requested_port_) + ": " +
                            listener.status().message());
  }
  ZS_ASSIGN_OR_RETURN(port_, net::LocalPort(listener->get()));
  listener_ = std::move(listener).value();
  int fd = listener_.get();
  accept_thread_ = std::thread([this, fd] { AcceptLoop(fd); });
  log::Info("runtime: go1.x server listening on 127.0.0.1:" + std::to_string(port_));
  return OkStatus();
}

uint16_t Go1xServer::port() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return port_;
}

void Go1xServer::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shut_down_ = true;
    // Wakes accept(2) (EINVAL on Linux); the fd itself is closed after the join.
    if (listener_.valid()) ::shutdown(listener_.get(), SHUT_RDWR);
  }
  queue_changed_.notify_all();
  room_changed_.notify_all();
  if (accept_thread_.joinable()) accept_thread_.join();
  // No new workers can appear now: only the accept thread adds them.
  std::vector<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(workers_mutex_);
    workers.swap(workers_);
  }
  for (Worker& worker : workers) {
    if (std::shared_ptr<Connection> connection = worker.connection.lock()) {
      ::shutdown(connection->fd.get(), SHUT_RDWR);
    }
  }
  for (Worker& worker : workers) worker.thread.join();
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.clear();
  listener_.Reset();
}

void Go1xServer::AcceptLoop(int listen_fd) {
  for (;;) {
    Result<UniqueFd> accepted = net::Accept(listen_fd);
    if (!accepted.ok()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (shut_down_) return;
      }
      // E.g. EMFILE: keep serving the connections we have and try again shortly.
      log::Error("runtime: go1.x accept failed: " + accepted.status().ToString());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    ReapWorkers();
    timeval stall{};
    stall.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kReplyStallTimeout).count();
    if (::setsockopt(accepted->get(), SOL_SOCKET, SO_SNDTIMEO, &stall, sizeof(stall)) != 0) {
      log::Warning("runtime: go1.x: cannot set a reply write timeout; a client that does not read "
                   "its replies could stall the others");
    }
    auto connection = std::make_shared<Connection>(std::move(accepted).value());
    auto done = std::make_shared<std::atomic<bool>>(false);
    Worker worker;
    worker.connection = connection;
    worker.done = done;
    worker.thread = std::thread([this, connection, done]() mutable {
      ServeConnection(std::move(connection));
      done->store(true);
    });
    std::lock_guard<std::mutex> lock(workers_mutex_);
    workers_.push_back(std::move(worker));
  }
}

void Go1xServer::ReapWorkers() {
  std::lock_guard<std::mutex> lock(workers_mutex_);
  auto finished = std::partition(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.done->load(); });
  for (auto it = finished; it != workers_.end(); ++it) it->thread.join();
  workers_.erase(finished, workers_.end());
}

void Go1xServer::ServeConnection(std::shared_ptr<Connection> connection) {
  go1x::GobStreamReader reader(connection->fd.get());
  auto next_value = [&reader] { return reader.Next(); };
  // Replies with an RPC-level error and the empty body net/rpc sends with it.
  auto refuse = [&](const go1x::RpcRequestHeader& header, std::string error) {
    return connection->Send({header.service_method, header.seq, std::move(error)}, go1x::InvalidRequestBody());
  };

  for (;;) {
    Result<std::optional<gob::Value>> header_value = next_value();
    if (!header_value.ok()) {
      log::Warning("runtime: go1.x connection dropped: " + header_value.status().ToString());
      break;
    }
    if (!header_value->has_value()) break;  // the client closed: normal
    go1x::RpcRequestHeader header;
    if (Status s = go1x::FromGob(**header_value, &header); !s.ok()) {
      log::Warning("runtime: go1.x connection dropped: bad request header: " + s.ToString());
      break;
    }
    Result<std::optional<gob::Value>> body = next_value();
    if (!body.ok() || !body->has_value()) {
      if (!body.ok()) log::Warning("runtime: go1.x connection dropped: " + body.status().ToString());
      break;
    }

    Status sent;
    if (std::string error = MethodError(header.service_method); !error.empty()) {
      sent = refuse(header, std::move(error));
    } else if (header.service_method == lambda::kGo1xPingMethod) {
      go1x::PingRequest ping;
      Status bound = go1x::FromGob(**body, &ping);
      sent = bound.ok() ? connection->Send({header.service_method, header.seq, ""}, go1x::ToGob(go1x::PingResponse{}))
                        : refuse(header, bound.message());
    } else {
      Call call;
      call.connection = connection;
      call.seq = header.seq;
      // Move the payload out of the decoded tree before binding, so that the (up to 6 MiB)
      // bytes are never copied between the socket buffer and the Invocation.
      std::string payload;
      gob::Value* field = (*body)->MutableField("Payload");
      if (field != nullptr && field->kind() == gob::Kind::kBytes) payload = field->TakeBytes();
      Status bound = go1x::FromGob(**body, &call.request);
      call.request.payload = std::move(payload);
      if (!bound.ok()) {
        sent = refuse(header, bound.message());
      } else {
        std::unique_lock<std::mutex> lock(mutex_);
        room_changed_.wait(lock, [&] {
          return shut_down_ || connection->broken.load() || connection->queued_calls < kMaxQueuedCallsPerConnection;
        });
        if (shut_down_ || connection->broken.load()) break;
        ++connection->queued_calls;
        queue_.push_back(std::move(call));
        queue_changed_.notify_one();
      }
    }
    if (!sent.ok()) {
      log::Warning("runtime: go1.x reply failed, connection dropped: " + sent.ToString());
      break;
    }
  }
  // Calls still queued or in the handler keep the connection (and its fd) alive until their
  // replies are written, as Go's ServeCodec waits for pending replies before closing.
}

Status Go1xServer::Next(Invocation* invocation) {
  ZS_RETURN_IF_ERROR(Listen());
  current_.reset();
  streaming_ = false;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      queue_changed_.wait(lock, [this] { return shut_down_ || !queue_.empty(); });
      if (shut_down_) return UnavailableError("go1.x server: shut down");
      Call call = std::move(queue_.front());
      queue_.pop_front();
      --call.connection->queued_calls;
      room_changed_.notify_all();
      // Its replies cannot be delivered: the client never gets them, so the handler need not run.
      if (call.connection->broken.load()) continue;
      current_ = std::move(call);
      break;
    }
  }
  go1x::InvokeRequest& request = current_->request;
  invocation->payload = std::move(request.payload);
  invocation->request_id = std::move(request.request_id);
  invocation->deadline = DeadlineFrom(request.deadline);
  invocation->function_arn = std::move(request.invoked_function_arn);
  invocation->trace_id = std::move(request.x_amzn_trace_id);
  invocation->client_context = std::move(request.client_context);
  CognitoJson(request, &invocation->cognito_identity);
  invocation->tenant_id.clear();
  invocation->content_type.clear();
  return OkStatus();
}

Status Go1xServer::SendInvokeResponse(gob::Value response) {
  if (!current_.has_value()) return FailedPreconditionError("go1.x server: no invoke in progress");
  Call call = std::move(*current_);
  current_.reset();
  Status sent = call.connection->Send({std::string(lambda::kGo1xInvokeMethod), call.seq, ""}, std::move(response));
  if (!sent.ok()) {
    return UnavailableError("go1.x reply to seq " + std::to_string(call.seq) + " not delivered: " + sent.message());
  }
  return OkStatus();
}

Status Go1xServer::Respond(const Invocation&, Response* response) {
  // The payload moves into the Value (go1x::ToGob would copy it): the encoder then copies it
  // once, into the reply buffer.
  gob::Value reply = go1x::ToGob(go1x::InvokeResponse{});
  Status set = reply.SetField("Payload", gob::Value::Bytes(std::move(response->mutable_payload())));
  if (!set.ok()) return InternalError("go1.x server: " + set.message());
  return SendInvokeResponse(std::move(reply));
}

Status Go1xServer::ReportError(const Invocation&, const FunctionError& error) {
  go1x::InvokeResponse reply;
  reply.has_error = true;
  reply.error.message = error.message;
  reply.error.type = std::string(EffectiveErrorType(error));
  for (const std::string& frame : error.stack_trace) reply.error.stack_trace.push_back({"", 0, frame});
  return SendInvokeResponse(go1x::ToGob(reply));
}

Status Go1xServer::BeginStream(const Invocation&, std::string_view) {
  if (!current_.has_value()) return FailedPreconditionError("go1.x server: no invoke in progress");
  streaming_ = true;
  streamed_.clear();
  return OkStatus();
}

Status Go1xServer::WriteChunk(std::string_view bytes) {
  if (!streaming_) return FailedPreconditionError("go1.x server: no streamed response in progress");
  streamed_.append(bytes);
  return OkStatus();
}

Status Go1xServer::EndStream(const FunctionError* error) {
  if (!streaming_) return FailedPreconditionError("go1.x server: no streamed response in progress");
  streaming_ = false;
  Invocation unused;  // Respond and ReportError answer current_; they do not read it
  if (error != nullptr) {
    streamed_.clear();
    return ReportError(unused, *error);
  }
  Response response = Response::Success(std::move(streamed_));
  streamed_.clear();  // moved-from: make it empty for the next stream
  return Respond(unused, &response);
}

Status Go1xServer::ReportInitError(const FunctionError&) {
  // go1.x has no init-error message: the caller has logged the error and exits non-zero.
  return OkStatus();
}

}  // namespace zerostart::runtime
