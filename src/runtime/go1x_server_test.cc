// Go1xServer end to end over 127.0.0.1: a C++ net/rpc client (the gob codec) against the invoke
// loop serving a Go1xServer on a thread.
#include "src/runtime/go1x_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "src/common/net.h"
#include "src/common/testing/thread_probe.h"
#include "src/go1x/messages.h"
#include "src/go1x/stream_reader.h"
#include "src/gob/encoder.h"
#include "src/runtime/invoke_loop.h"

namespace zerostart::runtime {
namespace {

// A net/rpc client connection: one gob stream each way, as Go's gobClientCodec.
class RpcClient {
 public:
  explicit RpcClient(uint16_t port) {
    Result<UniqueFd> fd = net::Connect({"127.0.0.1", port});
    EXPECT_TRUE(fd.ok()) << fd.status().ToString();
    if (fd.ok()) fd_ = std::move(fd).value();
    // A broken server fails the test instead of hanging it (30 s: the slowest answer here
    // comes after a 2 s reply stall, and a loaded machine must not turn it into a failure).
    timeval timeout{30, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    reader_ = std::make_unique<go1x::GobStreamReader>(fd_.get());
  }

  // The bytes of one call (header then body) on this connection's stream, not sent.
  std::string EncodeCall(std::string method, uint64_t seq, const gob::Value& body) {
    std::string out;
    EXPECT_TRUE(encoder_.Encode(go1x::ToGob(go1x::RpcRequestHeader{std::move(method), seq}), &out).ok());
    EXPECT_TRUE(encoder_.Encode(body, &out).ok());
    return out;
  }
  std::string EncodeInvoke(uint64_t seq, std::string payload) {
    go1x::InvokeRequest request;
    request.payload = std::move(payload);
    request.request_id = "req-" + std::to_string(seq);
    return EncodeCall("Function.Invoke", seq, go1x::ToGob(request));
  }
  void Call(std::string method, uint64_t seq, const gob::Value& body) { SendRaw(EncodeCall(std::move(method), seq, body)); }
  void Invoke(uint64_t seq, go1x::InvokeRequest request) { Call("Function.Invoke", seq, go1x::ToGob(request)); }
  void Invoke(uint64_t seq, std::string payload) { SendRaw(EncodeInvoke(seq, std::move(payload))); }
  void SendRaw(std::string_view bytes) { ASSERT_TRUE(net::WriteAll(fd_.get(), bytes).ok()); }

  // Reads one reply (header, then body). False at end of stream, on a timeout or bad data.
  bool Receive(go1x::RpcResponseHeader* header, gob::Value* body) {
    std::optional<gob::Value> h = NextValue();
    if (!h || !go1x::FromGob(*h, header).ok()) return false;
    std::optional<gob::Value> b = NextValue();
    if (!b) return false;
    *body = std::move(*b);
    return true;
  }
  // Reads one Invoke reply and checks its header.
  go1x::InvokeResponse ReceiveInvoke(uint64_t expected_seq) {
    go1x::RpcResponseHeader header;
    gob::Value body;
    go1x::InvokeResponse response;
    EXPECT_TRUE(Receive(&header, &body));
    EXPECT_EQ(header.service_method, "Function.Invoke");
    EXPECT_EQ(header.seq, expected_seq);
    EXPECT_EQ(header.error, "");
    EXPECT_TRUE(go1x::FromGob(body, &response).ok());
    return response;
  }
  void Ping(uint64_t seq) {
    Call("Function.Ping", seq, go1x::ToGob(go1x::PingRequest{}));
    go1x::RpcResponseHeader header;
    gob::Value body;
    ASSERT_TRUE(Receive(&header, &body));
    EXPECT_EQ(header.service_method, "Function.Ping");
    EXPECT_EQ(header.seq, seq);
    EXPECT_EQ(header.error, "");
    EXPECT_EQ(body.type()->name, "PingResponse");
  }
  // True when the server closed the connection (read returns 0 or reset); false on data or
  // when nothing happens within the receive timeout (EAGAIN).
  bool ClosedByServer() {
    char c;
    Result<size_t> n = net::ReadSome(fd_.get(), &c, 1);
    return !n.ok() ? n.status().message().find("reset") != std::string::npos : *n == 0;
  }
  void Close() {
    reader_.reset();
    fd_.Reset();
  }
  int fd() const { return fd_.get(); }

 private:
  std::optional<gob::Value> NextValue() {
    Result<std::optional<gob::Value>> v = reader_->Next();
    if (!v.ok()) return std::nullopt;
    return std::move(*v);
  }

  UniqueFd fd_;
  gob::Encoder encoder_;
  std::unique_ptr<go1x::GobStreamReader> reader_;  // reads fd_
};

class Go1xServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Listen().ok());
    ASSERT_NE(server_.port(), 0);
    loop_ = std::thread([this] {
      loop_tid_ = thread_probe::CurrentTid();
      exit_code_ = ServeInvokes(
          server_, [this](const Invocation& inv) { return Handle(inv); }, {}, function_);
    });
  }
  void TearDown() override {
    ReleaseSlow();
    server_.Shutdown();
    loop_.join();
    EXPECT_EQ(exit_code_, kExitLambdaGone);
  }

  Response Handle(const Invocation& inv) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen_.push_back(inv);
    }
    if (inv.payload == "fail") return Response::Failure(FunctionError{"MyError", "went wrong", {"frame 0", "frame 1"}});
    if (inv.payload == "untyped") return Response::Failure("", "no type");
    if (inv.payload == "throw") throw std::runtime_error("thrown");
    if (inv.payload == "slow") {  // until the test calls ReleaseSlow()
      std::unique_lock<std::mutex> lock(mutex_);
      slow_released_cv_.wait(lock, [this] { return slow_released_; });
    }
    if (inv.payload == "big-reply") return Response::Success(std::string(4 << 20, 'r'));
    return Response::Success(inv.payload);
  }
  std::vector<Invocation> Seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }
  void ReleaseSlow() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      slow_released_ = true;
    }
    slow_released_cv_.notify_all();
  }

  Go1xServer server_{0};
  const FunctionContext function_{"go-fn", "7", 512, "/aws/lambda/go-fn", "stream", "on-demand"};
  std::thread loop_;
  int exit_code_ = -1;
  std::atomic<pid_t> loop_tid_{0};  // the thread of the invoke loop (which writes the replies)
  std::mutex mutex_;
  std::vector<Invocation> seen_;
  std::condition_variable slow_released_cv_;
  bool slow_released_ = false;  // guarded by mutex_
};

TEST_F(Go1xServerTest, PingIsAnswered) {
  RpcClient client(server_.port());
  client.Ping(0);
  client.Ping(7);
  EXPECT_TRUE(Seen().empty());  // pings never reach the handler
}

TEST_F(Go1xServerTest, InvokeEchoRoundTrip) {
  RpcClient client(server_.port());
  uint64_t seq = 100;
  for (size_t size : {size_t{0}, size_t{1024}, size_t{1} << 20}) {
    std::string payload(size, '\0');
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    client.Invoke(seq, payload);
    go1x::InvokeResponse response = client.ReceiveInvoke(seq);
    EXPECT_FALSE(response.has_error) << size;
    EXPECT_EQ(response.payload.size(), size);
    EXPECT_TRUE(response.payload == payload) << size;
    ++seq;
  }
  ASSERT_EQ(Seen().size(), 3u);
  EXPECT_EQ(Seen()[1].request_id, "req-101");
}

TEST_F(Go1xServerTest, InvokeRequestFieldsReachTheInvocation) {
  RpcClient client(server_.port());
  go1x::InvokeRequest request{"{}", "id-1", "Root=1-abc;Sampled=1", {1700000000, 5000000},
                              "arn:aws:lambda:us-east-1:1:function:f", "ci\"1", "cp", "{\"c\":2}"};
  client.Invoke(1, request);
  client.ReceiveInvoke(1);
  client.Invoke(2, go1x::InvokeRequest{});  // every field zero: omitted on the wire
  client.ReceiveInvoke(2);
  std::vector<Invocation> seen = Seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].payload, "{}");
  EXPECT_EQ(seen[0].request_id, "id-1");
  EXPECT_EQ(seen[0].trace_id, "Root=1-abc;Sampled=1");
  EXPECT_EQ(seen[0].function_arn, "arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_EQ(seen[0].client_context, "{\"c\":2}");
  EXPECT_EQ(seen[0].cognito_identity, R"({"cognitoIdentityId":"ci\"1","cognitoIdentityPoolId":"cp"})");
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(seen[0].deadline.time_since_epoch()).count(),
            1700000000005);
  EXPECT_EQ(seen[0].content_type, "");
  EXPECT_EQ(seen[0].function, &function_);  // the loop's context, not a copy
  EXPECT_EQ(seen[1].function, &function_);
  EXPECT_EQ(seen[1].request_id, "");
  EXPECT_EQ(seen[1].cognito_identity, "");
  EXPECT_EQ(seen[1].deadline.time_since_epoch().count(), 0);
}

TEST_F(Go1xServerTest, HandlerErrorsTravelInInvokeResponseError) {
  RpcClient client(server_.port());
  client.Invoke(5, "fail");
  go1x::InvokeResponse failed = client.ReceiveInvoke(5);  // RPC Error empty: checked inside
  ASSERT_TRUE(failed.has_error);
  EXPECT_EQ(failed.payload, "");
  EXPECT_EQ(failed.error.type, "MyError");
  EXPECT_EQ(failed.error.message, "went wrong");
  EXPECT_FALSE(failed.error.should_exit);
  ASSERT_EQ(failed.error.stack_trace.size(), 2u);
  EXPECT_EQ(failed.error.stack_trace[1].label, "frame 1");

  client.Invoke(6, "throw");
  go1x::InvokeResponse thrown = client.ReceiveInvoke(6);
  ASSERT_TRUE(thrown.has_error);
  EXPECT_EQ(thrown.error.type, "std::runtime_error");
  EXPECT_EQ(thrown.error.message, "thrown");

  client.Invoke(7, "untyped");
  EXPECT_EQ(client.ReceiveInvoke(7).error.type, "Unhandled");

  client.Invoke(8, "fine");  // the loop goes on
  go1x::InvokeResponse ok = client.ReceiveInvoke(8);
  EXPECT_FALSE(ok.has_error);
  EXPECT_EQ(ok.payload, "fine");
}

TEST_F(Go1xServerTest, PipelinedCallsAreAnsweredInOrderWithTheirSeq) {
  RpcClient client(server_.port());
  client.Invoke(10, "a");
  client.Call("Function.Ping", 11, go1x::ToGob(go1x::PingRequest{}));
  client.Invoke(12, "b");
  client.Invoke(13, "fail");
  client.Invoke(14, "c");
  std::vector<uint64_t> seqs;
  std::vector<std::string> payloads;
  for (int i = 0; i < 5; ++i) {
    go1x::RpcResponseHeader header;
    gob::Value body;
    ASSERT_TRUE(client.Receive(&header, &body));
    EXPECT_EQ(header.error, "");
    seqs.push_back(header.seq);
    if (header.service_method == "Function.Invoke") {
      go1x::InvokeResponse response;
      ASSERT_TRUE(go1x::FromGob(body, &response).ok());
      payloads.push_back(response.has_error ? "error" : response.payload);
    }
  }
  // The ping may overtake invokes (answered by the reader), the invokes keep their order.
  std::vector<uint64_t> invoke_seqs;
  for (uint64_t s : seqs) {
    if (s != 11) invoke_seqs.push_back(s);
  }
  EXPECT_EQ(invoke_seqs, (std::vector<uint64_t>{10, 12, 13, 14}));
  EXPECT_EQ(payloads, (std::vector<std::string>{"a", "b", "error", "c"}));
}

TEST_F(Go1xServerTest, TwoConnectionsEachGetTheirOwnReplies) {
  RpcClient a(server_.port());
  RpcClient b(server_.port());
  a.Ping(1);
  b.Invoke(1, "from-b");
  a.Invoke(2, "from-a");
  EXPECT_EQ(a.ReceiveInvoke(2).payload, "from-a");
  EXPECT_EQ(b.ReceiveInvoke(1).payload, "from-b");
  b.Invoke(2, "again-b");
  EXPECT_EQ(b.ReceiveInvoke(2).payload, "again-b");
}

TEST_F(Go1xServerTest, UnknownMethodGetsNetRpcsErrorAndTheConnectionStays) {
  RpcClient client(server_.port());
  client.Call("Function.Nope", 3, go1x::ToGob(go1x::InvokeRequest{}));
  go1x::RpcResponseHeader header;
  gob::Value body;
  ASSERT_TRUE(client.Receive(&header, &body));
  EXPECT_EQ(header.service_method, "Function.Nope");
  EXPECT_EQ(header.seq, 3u);
  EXPECT_EQ(header.error, "rpc: can't find method Function.Nope");
  EXPECT_EQ(body.type()->name, "");  // Go's invalidRequest struct{}{}
  EXPECT_TRUE(body.type()->fields.empty());

  client.Call("Other.Ping", 4, go1x::ToGob(go1x::PingRequest{}));
  ASSERT_TRUE(client.Receive(&header, &body));
  EXPECT_EQ(header.error, "rpc: can't find service Other.Ping");

  // A body of the wrong shape is refused in the header too (Go: "gob: type mismatch...").
  gob::Value bad = gob::Value::Struct(gob::StructType("InvokeRequest", {{"Payload", gob::IntType()}}));
  ASSERT_TRUE(bad.SetField("Payload", gob::Value::Int(1)).ok());
  client.Call("Function.Invoke", 5, bad);
  ASSERT_TRUE(client.Receive(&header, &body));
  EXPECT_EQ(header.seq, 5u);
  EXPECT_NE(header.error, "");

  client.Ping(6);
  client.Invoke(7, "still here");
  EXPECT_EQ(client.ReceiveInvoke(7).payload, "still here");
  EXPECT_TRUE(Seen().size() == 1u);
}

TEST_F(Go1xServerTest, GarbageClosesOnlyThatConnection) {
  RpcClient good(server_.port());
  good.Ping(1);
  RpcClient bad(server_.port());
  bad.SendRaw(std::string("\x05\xff\xff\xff\xff\xff garbage that is not gob", 31));
  EXPECT_TRUE(bad.ClosedByServer());
  RpcClient huge(server_.port());  // a length prefix past the limit
  huge.SendRaw(std::string("\xf8\x7f\xff\xff\xff\xff\xff\xff\xff", 9));
  EXPECT_TRUE(huge.ClosedByServer());
  good.Ping(2);
  good.Invoke(3, "ok");
  EXPECT_EQ(good.ReceiveInvoke(3).payload, "ok");
  RpcClient later(server_.port());
  later.Ping(1);
}

TEST_F(Go1xServerTest, ClientVanishingMidCallDoesNotStopTheServer) {
  {
    RpcClient gone(server_.port());
    gone.Invoke(1, "slow");
    gone.Invoke(2, "big-reply");
    gone.Ping(3);  // answered after the reader has queued both invokes
    gone.Close();
  }
  ReleaseSlow();  // the handler of invoke 1 returns only now, its client gone
  RpcClient client(server_.port());
  client.Invoke(1, "after");
  EXPECT_EQ(client.ReceiveInvoke(1).payload, "after");
  EXPECT_EQ(Seen().size(), 3u);
}

// ---- Bad input: each kind against a live server, each checking that another
// client is still served. Decoder-level cases: src/gob/bad_input_test.cc.

// Gob messages used below, framed (length prefix + body).
std::string Framed(std::initializer_list<int> body) {
  std::string out(1, static_cast<char>(body.size()));  // every body here is < 128 bytes
  for (int b : body) out.push_back(static_cast<char>(b));
  return out;
}

TEST_F(Go1xServerTest, HalfRequestThatWaitsDoesNotBlockOthers) {
  RpcClient half(server_.port());
  std::string call = half.EncodeInvoke(9, std::string(5000, 'h'));
  half.SendRaw(call.substr(0, call.size() / 2));  // inside the body's message
  RpcClient header_only(server_.port());
  std::string call2 = header_only.EncodeInvoke(1, "x");
  header_only.SendRaw(call2.substr(0, 3));  // inside the very first length prefix / definition
  RpcClient other(server_.port());
  other.Ping(1);
  for (uint64_t seq = 2; seq < 5; ++seq) {
    other.Invoke(seq, "meanwhile");
    EXPECT_EQ(other.ReceiveInvoke(seq).payload, "meanwhile");
  }
  // The waiting client finishes its request and is answered as if nothing happened.
  half.SendRaw(call.substr(call.size() / 2));
  EXPECT_EQ(half.ReceiveInvoke(9).payload, std::string(5000, 'h'));
  // One that gives up half way is dropped without a trace in the handler.
  header_only.Close();
  other.Invoke(5, "after");
  EXPECT_EQ(other.ReceiveInvoke(5).payload, "after");
  EXPECT_EQ(Seen().size(), 5u);
}

TEST_F(Go1xServerTest, WrongTypeForAKnownFieldGetsAClearErrorAndTheConnectionStays) {
  RpcClient client(server_.port());
  // InvokeRequest whose RequestId is an int: Go's server would refuse it in the reply header.
  gob::TypePtr type = gob::StructType("InvokeRequest", {{"Payload", gob::BytesType()}, {"RequestId", gob::IntType()}});
  gob::Value body = gob::Value::Struct(type);
  ASSERT_TRUE(body.SetField("Payload", gob::Value::Bytes("p")).ok());
  ASSERT_TRUE(body.SetField("RequestId", gob::Value::Int(42)).ok());
  client.Call("Function.Invoke", 3, body);
  go1x::RpcResponseHeader header;
  gob::Value reply;
  ASSERT_TRUE(client.Receive(&header, &reply));
  EXPECT_EQ(header.seq, 3u);
  EXPECT_NE(header.error.find("RequestId"), std::string::npos) << header.error;
  EXPECT_NE(header.error.find("int"), std::string::npos) << header.error;
  // A request header whose Seq is a string: the header cannot be trusted, the connection ends.
  RpcClient bad_header(server_.port());
  gob::Value h = gob::Value::Struct(gob::StructType("Request", {{"ServiceMethod", gob::StringType()}, {"Seq", gob::StringType()}}));
  ASSERT_TRUE(h.SetField("ServiceMethod", gob::Value::String("Function.Ping")).ok());
  ASSERT_TRUE(h.SetField("Seq", gob::Value::String("seven")).ok());
  gob::Encoder encoder;
  std::string bytes;
  ASSERT_TRUE(encoder.Encode(h, &bytes).ok());
  ASSERT_TRUE(encoder.Encode(go1x::ToGob(go1x::PingRequest{}), &bytes).ok());
  bad_header.SendRaw(bytes);
  EXPECT_TRUE(bad_header.ClosedByServer());

  client.Invoke(4, "still served");
  EXPECT_EQ(client.ReceiveInvoke(4).payload, "still served");
  EXPECT_EQ(Seen().size(), 1u);
}

TEST_F(Go1xServerTest, GarbageAfterAValidRequestAnswersItThenClosesThatConnection) {
  RpcClient client(server_.port());
  client.SendRaw(client.EncodeInvoke(1, "valid") + Framed({'j', 'u', 'n', 'k'}));
  EXPECT_EQ(client.ReceiveInvoke(1).payload, "valid");
  EXPECT_TRUE(client.ClosedByServer());
  RpcClient other(server_.port());
  other.Invoke(1, "other");
  EXPECT_EQ(other.ReceiveInvoke(1).payload, "other");
}

TEST_F(Go1xServerTest, MalformedStreamsEndOnlyTheirConnection) {
  // Point{X, Y int} defined as id 65 (Go's doc example).
  const std::string point_def =
      Framed({0xff, 0x81, 0x03, 0x01, 0x01, 0x05, 'P', 'o', 'i', 'n', 't', 0x01, 0xff, 0x82, 0x00, 0x01, 0x02,
              0x01, 0x01, 'X', 0x01, 0x04, 0x00, 0x01, 0x01, 'Y', 0x01, 0x04, 0x00, 0x00, 0x00});
  const std::vector<std::pair<std::string, std::string>> streams = {
      {"truncated body", std::string("\x06\xff\x82\x01\xfe\x01", 6) + Framed({0x00})},
      {"undefined type id", Framed({0xff, 0x84, 0x00})},
      {"type redefinition", point_def + point_def},
      {"recursive type", Framed({0xff, 0x81, 0x04, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x01, 0xff, 0x82, 0x00,
                                 0x00}) +
                             Framed({0xff, 0x82, 0x00, 0x00})},
      {"huge count", Framed({0x0c, 0x00, 0xf8, 0x80, 0, 0, 0, 0, 0, 0, 0})},
      {"negative array length", Framed({0xff, 0x81, 0x01, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x04, 0x01, 0x01, 0x00,
                                        0x00})},
      {"length past the limit", std::string("\xf8\x7f\xff\xff\xff\xff\xff\xff\xff", 9)},
  };
  RpcClient good(server_.port());
  uint64_t seq = 0;
  for (const auto& [what, bytes] : streams) {
    RpcClient bad(server_.port());
    bad.SendRaw(bytes);
    EXPECT_TRUE(bad.ClosedByServer()) << what;
    good.Invoke(++seq, what);
    EXPECT_EQ(good.ReceiveInvoke(seq).payload, what);
  }
  EXPECT_EQ(Seen().size(), streams.size());
}

TEST_F(Go1xServerTest, FloodOfPipelinedInvokesIsAnsweredInOrderWhileOthersAreServed) {
  constexpr uint64_t kCalls = 3000;
  RpcClient flood(server_.port());
  std::string bytes;
  for (uint64_t seq = 1; seq <= kCalls; ++seq) bytes += flood.EncodeInvoke(seq, std::string(100, 'f'));
  std::thread writer([&] { EXPECT_TRUE(net::WriteAll(flood.fd(), bytes).ok()); });
  RpcClient other(server_.port());
  std::thread other_client([&] {
    for (uint64_t seq = 1; seq <= 20; ++seq) {
      other.Invoke(seq, "other-" + std::to_string(seq));
      EXPECT_EQ(other.ReceiveInvoke(seq).payload, "other-" + std::to_string(seq));
    }
  });
  uint64_t answered = 0;
  for (uint64_t seq = 1; seq <= kCalls; ++seq) {
    go1x::InvokeResponse response = flood.ReceiveInvoke(seq);  // checks the Seq
    if (response.payload.size() != 100) break;
    ++answered;
  }
  writer.join();
  other_client.join();
  EXPECT_EQ(answered, kCalls);
  EXPECT_EQ(Seen().size(), kCalls + 20);
}

TEST_F(Go1xServerTest, FloodOfJunkEndsThatConnectionQuickly) {
  std::string junk(8 << 20, '\0');
  std::mt19937 rng(7);
  for (char& c : junk) c = static_cast<char>(rng());
  junk[0] = 0x10;  // a plausible first length, so the junk is read as messages
  RpcClient flood(server_.port());
  std::atomic<bool> write_failed{false};
  std::thread writer([&] { write_failed = !net::WriteAll(flood.fd(), junk).ok(); });
  RpcClient other(server_.port());
  other.Invoke(1, "served");
  EXPECT_EQ(other.ReceiveInvoke(1).payload, "served");
  EXPECT_TRUE(flood.ClosedByServer());
  writer.join();
  EXPECT_TRUE(write_failed);  // the server stopped reading: 8 MiB were never taken in
  other.Invoke(2, "still");
  EXPECT_EQ(other.ReceiveInvoke(2).payload, "still");
}

// A client that pipelines invokes and never reads the replies. Go's net/rpc server answers
// the others regardless (a goroutine per call); ours has one invoke loop, so it bounds the calls
// queued per connection and drops a connection whose replies stall (2 s): the other client is
// answered, late but surely.
TEST_F(Go1xServerTest, FloodWithoutReadingRepliesDoesNotStarveOthers) {
  RpcClient flood(server_.port());
  std::string bytes;
  for (uint64_t seq = 1; seq <= 20000; ++seq) bytes += flood.EncodeInvoke(seq, std::string(1000, 'f'));
  std::thread writer([&] { (void)net::WriteAll(flood.fd(), bytes); });
  // The other client comes once the invoke loop is stuck writing a reply to the flood (its
  // queued calls ahead of the other's).
  EXPECT_TRUE(thread_probe::PollUntil([&] {
    std::optional<thread_probe::BlockedCall> call = thread_probe::Blocked(loop_tid_);
    return call && call->number == SYS_sendmsg;
  }));
  RpcClient other(server_.port());
  other.Invoke(1, "not starved");
  EXPECT_EQ(other.ReceiveInvoke(1).payload, "not starved");
  ::shutdown(flood.fd(), SHUT_RDWR);
  writer.join();
}

// A streaming handler under go1.x: the loop serves ServeStreamingInvokes over the server.
class Go1xStreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Listen().ok());
    loop_ = std::thread([this] {
      exit_code_ = ServeStreamingInvokes(
          server_, [this](const Invocation& inv, ResponseStream& out) { Stream(inv, out); }, {},
          FunctionContext::None());
    });
  }
  void TearDown() override {
    server_.Shutdown();
    loop_.join();
    EXPECT_EQ(exit_code_, kExitLambdaGone);
  }

  // Writes "aa", "bb", "cc"; the event says what comes before or after: "fail-before",
  // "fail-after", "throw-after", "finish" (an explicit Finish), or nothing.
  void Stream(const Invocation& inv, ResponseStream& out) {
    EXPECT_TRUE(out.SetContentType("text/plain").ok());  // accepted, and dropped on the wire
    if (inv.payload == "fail-before") {
      out.Fail(FunctionError{"Early", "no bytes", {}});
      return;
    }
    for (char c : std::string("abc")) {
      EXPECT_TRUE(out.Write(std::string(2, c)).ok());
    }
    EXPECT_TRUE(out.started());
    EXPECT_EQ(out.bytes_written(), 6u);
    EXPECT_EQ(out.SetContentType("text/html").code(), StatusCode::kFailedPrecondition);
    if (inv.payload == "fail-after") {
      out.Fail(FunctionError{"Late", "after bytes", {"f"}});
      return;
    }
    if (inv.payload == "throw-after") throw std::length_error("too long");
    if (inv.payload == "finish") {
      EXPECT_TRUE(out.Finish().ok());
      EXPECT_EQ(out.Write("x").code(), StatusCode::kFailedPrecondition);
    }
  }

  Go1xServer server_{0};
  std::thread loop_;
  int exit_code_ = -1;
};

TEST_F(Go1xStreamingTest, WritesAreCollectedAndSentAsOnePayload) {
  RpcClient client(server_.port());
  client.Invoke(1, "ok");
  go1x::InvokeResponse whole = client.ReceiveInvoke(1);
  EXPECT_FALSE(whole.has_error);
  EXPECT_EQ(whole.payload, "aabbcc");
  client.Invoke(2, "finish");
  EXPECT_EQ(client.ReceiveInvoke(2).payload, "aabbcc");
}

TEST_F(Go1xStreamingTest, AnErrorBeforeOrAfterWritesIsTheInvokesErrorAndTheBytesAreDropped) {
  RpcClient client(server_.port());
  client.Invoke(1, "fail-before");
  go1x::InvokeResponse early = client.ReceiveInvoke(1);
  ASSERT_TRUE(early.has_error);
  EXPECT_EQ(early.error.type, "Early");

  client.Invoke(2, "fail-after");
  go1x::InvokeResponse late = client.ReceiveInvoke(2);
  ASSERT_TRUE(late.has_error);
  EXPECT_EQ(late.payload, "");
  EXPECT_EQ(late.error.type, "Late");
  EXPECT_EQ(late.error.message, "after bytes");
  ASSERT_EQ(late.error.stack_trace.size(), 1u);
  EXPECT_EQ(late.error.stack_trace[0].label, "f");

  client.Invoke(3, "throw-after");
  go1x::InvokeResponse thrown = client.ReceiveInvoke(3);
  ASSERT_TRUE(thrown.has_error);
  EXPECT_EQ(thrown.payload, "");
  EXPECT_EQ(thrown.error.type, "std::length_error");
  EXPECT_EQ(thrown.error.message, "too long");

  client.Invoke(4, "ok");  // nothing of the failed streams leaks into the next one
  EXPECT_EQ(client.ReceiveInvoke(4).payload, "aabbcc");
}

TEST(Go1xServerLifecycleTest, StreamingCallsNeedAnInvokeAndABeginning) {
  Go1xServer server(0);
  Invocation invocation;
  EXPECT_EQ(server.BeginStream(invocation, "").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(server.WriteChunk("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(server.EndStream(nullptr).code(), StatusCode::kFailedPrecondition);
}

TEST(Go1xServerLifecycleTest, ShutdownWakesNextAndListenFailsOnABusyPort) {
  Go1xServer first(0);
  ASSERT_TRUE(first.Listen().ok());
  Go1xServer second(first.port());
  Invocation invocation;
  EXPECT_EQ(second.Next(&invocation).code(), StatusCode::kUnavailable);

  Status next;
  std::atomic<pid_t> waiter_tid{0};
  std::thread waiter([&] {
    waiter_tid = thread_probe::CurrentTid();
    next = first.Next(&invocation);
  });
  // Shut down once the waiter is blocked in Next() (waiting for a call).
  EXPECT_TRUE(thread_probe::PollUntil([&] { return waiter_tid != 0 && thread_probe::BlockedInConditionWait(waiter_tid); }));
  first.Shutdown();
  waiter.join();
  EXPECT_EQ(next.code(), StatusCode::kUnavailable);
  EXPECT_EQ(first.Listen().code(), StatusCode::kUnavailable);
  Response response = Response::Success("x");
  EXPECT_EQ(first.Respond(invocation, &response).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(first.ReportInitError(FunctionError{"T", "m", {}}).ok());
}

}  // namespace
}  // namespace zerostart::runtime
