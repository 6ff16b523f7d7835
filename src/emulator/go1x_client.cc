#include "src/emulator/go1x_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/common/unique_fd.h"
#include "src/emulator/environment.h"
#include "src/emulator/errors.h"
#include "src/gob/encoder.h"
#include "src/go1x/stream_reader.h"

namespace zerostart::emulator {
namespace {

using std::chrono::milliseconds;

// Ping cadence while the function starts: 1 ms, doubling up to 5 ms (the lambci mock pinged
// every 5 ms; a faster first retry shortens Init Duration for fast binaries).
constexpr milliseconds kFirstPingDelay{1};
constexpr milliseconds kMaxPingDelay{5};
// How often a driver waiting for a Ping reply checks that its instance still lives.
constexpr int kPingPollMs = 20;
// After a broken connection: how long the process gets to be reported dead before we call the
// break the function's fault (its fds close a moment before the reaper sees it exit).
constexpr milliseconds kExitGrace{1000};
constexpr milliseconds kExitPoll{2};
// The read buffer a session keeps between replies. Every environment has its session, all
// alive at once: keeping each buffer at the size of the largest reply it has read held a little
// over 1 MiB per environment once each had echoed a 1 MiB payload (21 MiB of serve's heap with
// 16), long-lived blocks amid the payload copies in serve's two malloc arenas. A larger buffer
// is released after the next smaller reply; large replies in a row keep reusing it.
constexpr size_t kKeepReplyBufferBytes = 256 * 1024;

// Waits until `fd` is readable; false as soon as `live` says the instance is gone.
template <typename Live>
bool WaitReadable(int fd, Live live) {
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, kPingPollMs);
    if (ready > 0) return true;
    if (!live()) return false;
  }
}

// True when the environment stops being live within kExitGrace (its process is dying).
bool EnvironmentEnds(Environment& environment) {
  auto until = std::chrono::steady_clock::now() + kExitGrace;
  while (std::chrono::steady_clock::now() < until) {
    if (!environment.IsLive()) return true;
    std::this_thread::sleep_for(kExitPoll);
  }
  return !environment.IsLive();
}

std::string RequestError(const Invocation& invocation, std::string_view message) {
  return "RequestId: " + invocation.request_id + " Error: " + std::string(message);
}

// Answers `invocation` with Runtime.InvalidResponse (REPORT: Status error, Error Type ...).
void PostInvalidResponse(Environment& environment, const Invocation& invocation, std::string_view message) {
  std::string body =
      FunctionErrorJson(lambda::kErrorTypeInvalidResponse, RequestError(invocation, message));
  Environment::PostResult post =
      environment.PostError(invocation.request_id, body, lambda::kErrorTypeInvalidResponse);
  if (post.report) {
    post.report->status = "error";
    post.report->error_type = std::string(lambda::kErrorTypeInvalidResponse);
    environment.Report(std::move(*post.report));
  }
}

void Finish(Environment& environment, Environment::PostResult post) {
  if (post.report) environment.Report(std::move(*post.report));
}

}  // namespace

std::string Go1xErrorJson(const go1x::InvokeError& error) {
  // aws-lambda-go lambda/messages: Message `json:"errorMessage"`, Type `json:"errorType"`,
  // StackTrace `json:"stackTrace,omitempty"`, ShouldExit `json:"-"`; frames: path, line, label.
  nlohmann::ordered_json json;
  json["errorMessage"] = error.message;
  json["errorType"] = error.type;
  if (!error.stack_trace.empty()) {
    nlohmann::ordered_json frames = nlohmann::ordered_json::array();
    for (const go1x::StackFrame& frame : error.stack_trace) {
      nlohmann::ordered_json item;
      item["path"] = frame.path;
      item["line"] = frame.line;
      item["label"] = frame.label;
      frames.push_back(std::move(item));
    }
    json["stackTrace"] = std::move(frames);
  }
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// One net/rpc client connection: a gob stream each way, calls answered in order.
class Go1xClient::Session {
 public:
  struct Reply {
    go1x::RpcResponseHeader header;
    gob::Value body;
  };

  static Result<std::unique_ptr<Session>> Connect(uint16_t port) {
    ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect({"127.0.0.1", port}));
    return std::unique_ptr<Session>(new Session(std::move(fd)));
  }

  int fd() const { return fd_.get(); }

  // Writes one call: the header {method, next Seq}, then `body`, in one write.
  Status Send(std::string_view method, const gob::Value& body) {
    go1x::RpcRequestHeader header;
    header.service_method = std::string(method);
    header.seq = ++seq_;
    out_.clear();
    ZS_RETURN_IF_ERROR(encoder_.Encode(go1x::ToGob(header), &out_));
    ZS_RETURN_IF_ERROR(encoder_.Encode(body, &out_));
    Status written = net::WriteAll(fd_.get(), out_);
    if (out_.capacity() > (size_t{1} << 20)) std::string().swap(out_);  // do not keep 6 MiB
    return written;
  }

  // Reads the reply to the last call. Unavailable: the connection broke or closed;
  // ResourceExhausted: a message over kMaxReplyBytes; InvalidArgument: not a net/rpc reply to
  // that call (malformed gob, wrong shape, wrong Seq).
  Result<Reply> Receive() {
    Reply reply;
    ZS_ASSIGN_OR_RETURN(gob::Value header, NextValue());
    ZS_RETURN_IF_ERROR(go1x::FromGob(header, &reply.header).WithContext("reply header"));
    if (reply.header.seq != seq_) {
      return InvalidArgumentError("reply Seq " + std::to_string(reply.header.seq) + ", expected " +
                                  std::to_string(seq_));
    }
    ZS_ASSIGN_OR_RETURN(reply.body, NextValue());
    return reply;
  }

 private:
  explicit Session(UniqueFd fd) : fd_(std::move(fd)), reader_(fd_.get(), ReaderOptions()) {}

  static gob::DecoderOptions ReaderOptions() {
    gob::DecoderOptions options;
    options.max_message_bytes = kMaxReplyBytes;
    options.keep_buffer_bytes = kKeepReplyBufferBytes;
    return options;
  }

  Result<gob::Value> NextValue() {
    ZS_ASSIGN_OR_RETURN(std::optional<gob::Value> value, reader_.Next());
    if (!value) return UnavailableError("the function closed the connection");
    return std::move(*value);
  }

  UniqueFd fd_;
  gob::Encoder encoder_;
  go1x::GobStreamReader reader_;
  uint64_t seq_ = 0;
  std::string out_;
};

Go1xClient::Go1xClient(Environment& environment, std::string function_arn)
    : environment_(environment), function_arn_(std::move(function_arn)) {}

Go1xClient::~Go1xClient() { Stop(); }

EnvMap Go1xClient::ProcessEnv() {
  EnvMap env;
  // A port nobody listens on now: bound, read and closed (no TIME_WAIT without a connection).
  // Another process could take it before the function binds; the function then fails to
  // listen, exits, and the invoke gets Runtime.ExitError.
  Result<UniqueFd> listener = net::Listen({"127.0.0.1", 0});
  if (listener.ok()) {
    Result<uint16_t> bound = net::LocalPort(listener->get());
    if (bound.ok()) port_ = *bound;
  }
  if (port_ == 0) {
    environment_.options().sink->WriteStderr(
        "zerostart: no free loopback port for _LAMBDA_SERVER_PORT: " +
        (listener.ok() ? std::string("LocalPort failed") : listener.status().message()) + "\n");
    return env;  // the function starts without it, and fails
  }
  env[std::string(lambda::kGo1xServerPortEnv)] = std::to_string(port_);
  return env;
}

void Go1xClient::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || driver_.joinable() || port_ == 0) return;
  driver_ = std::thread([this] {
    Drive();
    SetFd(-1);
  });
}

bool Go1xClient::SetFd(int fd) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ && fd >= 0) return false;
  fd_ = fd;
  return true;
}

void Go1xClient::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    // Unblocks the driver reading from a peer that is not (or no longer) our function.
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }
  if (driver_.joinable()) driver_.join();
}

void Go1xClient::Drive() {
  Environment& environment = environment_;
  LogSink& sink = *environment.options().sink;
  auto live = [&] { return environment.IsLive(); };
  std::unique_ptr<Session> session;
  // Stop() may shut down the registered fd, so it is unregistered before it is closed.
  auto drop = [&] {
    SetFd(-1);
    session.reset();
  };
  auto open = [&]() -> Status {
    ZS_ASSIGN_OR_RETURN(session, Session::Connect(port_));
    if (!SetFd(session->fd())) {
      session.reset();
      return UnavailableError("stopping");
    }
    return OkStatus();
  };
  // Every way out of here unregisters the connection before closing it.
  struct DropOnReturn {
    std::function<void()> drop;
    ~DropOnReturn() { drop(); }
  } drop_on_return{drop};

  // Init: Function.Ping until the function answers. Connection refused until it listens.
  milliseconds delay = kFirstPingDelay;
  for (;;) {
    if (!live()) return;
    if (open().ok()) {
      if (session->Send(lambda::kGo1xPingMethod, go1x::ToGob(go1x::PingRequest{})).ok() &&
          WaitReadable(session->fd(), live)) {
        Result<Session::Reply> pong = session->Receive();
        if (pong.ok()) {
          if (!pong->header.error.empty()) {
            sink.WriteStderr("zerostart: the function answered Function.Ping with \"" +
                             pong->header.error + "\"; is it a go1.x function?\n");
          }
          break;
        }
      }
      drop();
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, kMaxPingDelay);
  }

  // Ready: the first Next() ends Init Duration; then one Function.Invoke per invocation.
  for (;;) {
    std::shared_ptr<Invocation> invocation = environment.Next();
    if (!invocation) return;  // the environment ends
    const InvokeRequest& request = invocation->request;
    // A connection that broke mid-invoke (Unavailable) is the function's fault only if its
    // process lives on; otherwise the exit/timeout handling answers the invoke.
    auto broken = [&](const Status& status) {
      drop();
      if (EnvironmentEnds(environment)) return;
      PostInvalidResponse(environment, *invocation,
                          "the connection to the function broke: " + status.message());
      environment.Retire();
    };

    if (!session) {  // dropped after an unreadable reply: reconnect (no Ping needed)
      if (Status opened = open(); !opened.ok()) {
        broken(opened);
        return;
      }
    }
    go1x::InvokeRequest call;
    call.payload = request.payload;
    call.request_id = invocation->request_id;
    call.x_amzn_trace_id = request.trace_id;
    call.deadline.seconds = invocation->deadline_epoch_ms / 1000;
    call.deadline.nanos = (invocation->deadline_epoch_ms % 1000) * 1000000;
    call.invoked_function_arn = function_arn_;
    call.client_context = request.client_context;
    if (Status sent = session->Send(lambda::kGo1xInvokeMethod, go1x::ToGob(call)); !sent.ok()) {
      broken(sent);
      return;
    }
    call = go1x::InvokeRequest();  // free the payload copy while the function works

    Result<Session::Reply> reply = session->Receive();
    if (!reply.ok()) {
      const Status& status = reply.status();
      if (status.code() == StatusCode::kUnavailable) {
        broken(status);
        return;
      }
      drop();  // the stream is out of step: never read from it again
      if (status.code() == StatusCode::kResourceExhausted) {
        Finish(environment, environment.PostError(invocation->request_id, ResponseTooLargeJson(),
                                                lambda::kErrorTypeResponseTooLarge));
        continue;  // the function lives on; the next invoke reconnects
      }
      PostInvalidResponse(environment, *invocation, "invalid go1.x reply: " + status.message());
      environment.Retire();
      return;
    }
    if (!reply->header.error.empty()) {
      // net/rpc refused the call (e.g. no service "Function"); the connection stays usable.
      PostInvalidResponse(environment, *invocation,
                          std::string(lambda::kGo1xInvokeMethod) + " failed: " + reply->header.error);
      continue;
    }
    go1x::InvokeResponse response;
    if (Status parsed = go1x::FromGob(reply->body, &response); !parsed.ok()) {
      drop();
      PostInvalidResponse(environment, *invocation, "invalid go1.x reply: " + parsed.message());
      environment.Retire();
      return;
    }
    if (!response.has_error) {
      Finish(environment, environment.PostResponse(invocation->request_id, std::move(response.payload),
                                                 std::string(lambda::kJsonContentType)));
      continue;
    }
    Finish(environment, environment.PostError(invocation->request_id, Go1xErrorJson(response.error),
                                            response.error.type));
    if (response.error.should_exit) {
      // The function asked to be replaced (aws-lambda-go: after a panic). Lambda's go1.x
      // orchestrator is closed source; we follow ShouldExit: a fresh process next time.
      drop();
      environment.Retire();
      return;
    }
  }
}

}  // namespace zerostart::emulator
