// Go1xServer end to end over 127.0.0.1: a C++ net/rpc client (the gob codec) against the invoke
// loop serving a Go1xServer on a thread.
#include "src/runtime/go1x_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "src/common/net.h"
#include "src/go1x/messages.h"
#include "src/gob/decoder.h"
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
    timeval timeout{5, 0};  // a broken server fails the test instead of hanging it
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }

  void Call(std::string method, uint64_t seq, const gob::Value& body) {
    std::string out;
    ASSERT_TRUE(encoder_.Encode(go1x::ToGob(go1x::RpcRequestHeader{std::move(method), seq}), &out).ok());
    ASSERT_TRUE(encoder_.Encode(body, &out).ok());
    SendRaw(out);
  }
  void Invoke(uint64_t seq, go1x::InvokeRequest request) { Call("Function.Invoke", seq, go1x::ToGob(request)); }
  void Invoke(uint64_t seq, std::string payload) {
    go1x::InvokeRequest request;
    request.payload = std::move(payload);
    request.request_id = "req-" + std::to_string(seq);
    Invoke(seq, std::move(request));
  }
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
  // True when the server closed the connection (read returns 0 or reset).
  bool ClosedByServer() {
    char c;
    Result<size_t> n = net::ReadSome(fd_.get(), &c, 1);
    return !n.ok() ? n.status().code() == StatusCode::kUnavailable : *n == 0;
  }
  void Close() { fd_.Reset(); }

 private:
  std::optional<gob::Value> NextValue() {
    char buffer[65536];
    for (;;) {
      Result<std::optional<gob::Value>> v = decoder_.Next();
      if (!v.ok()) return std::nullopt;
      if (v->has_value()) return std::move(**v);
      Result<size_t> n = net::ReadSome(fd_.get(), buffer, sizeof(buffer));
      if (!n.ok() || *n == 0) return std::nullopt;
      decoder_.Append(std::string_view(buffer, *n));
    }
  }

  UniqueFd fd_;
  gob::Encoder encoder_;
  gob::Decoder decoder_;
};

class Go1xServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Listen().ok());
    ASSERT_NE(server_.port(), 0);
    loop_ = std::thread([this] { exit_code_ = ServeInvokes(server_, [this](const Invocation& inv) { return Handle(inv); }, {}); });
  }
  void TearDown() override {
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
    if (inv.payload == "slow") std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (inv.payload == "big-reply") return Response::Success(std::string(4 << 20, 'r'));
    return Response::Success(inv.payload);
  }
  std::vector<Invocation> Seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

  Go1xServer server_{0};
  std::thread loop_;
  int exit_code_ = -1;
  std::mutex mutex_;
  std::vector<Invocation> seen_;
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
  RpcClient client(server_.port());
  client.Invoke(1, "after");
  EXPECT_EQ(client.ReceiveInvoke(1).payload, "after");
  EXPECT_EQ(Seen().size(), 3u);
}

TEST(Go1xServerLifecycleTest, ShutdownWakesNextAndListenFailsOnABusyPort) {
  Go1xServer first(0);
  ASSERT_TRUE(first.Listen().ok());
  Go1xServer second(first.port());
  Invocation invocation;
  EXPECT_EQ(second.Next(&invocation).code(), StatusCode::kUnavailable);

  Status next;
  std::thread waiter([&] { next = first.Next(&invocation); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
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
