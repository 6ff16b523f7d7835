// go1.x messages against the Go-written net/rpc streams in tests/testdata/gob/ (see its README).
#include "src/go1x/messages.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/gob/decoder.h"
#include "src/gob/encoder.h"
#include "src/gob/framer.h"
#include "src/gob/test_util.h"
#include "src/gob/wire.h"

namespace zerostart::go1x {
namespace {

using gob::testing::Hex;
using gob::testing::ReadVector;

std::vector<gob::Value> DecodeAll(std::string_view stream) {
  gob::Decoder decoder;
  decoder.Append(stream);
  std::vector<gob::Value> values;
  for (;;) {
    Result<std::optional<gob::Value>> next = decoder.Next();
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) return values;
    values.push_back(std::move(**next));
  }
}

TEST(Go1xMessagesTest, DecodesGoClientStream) {
  std::vector<gob::Value> v = DecodeAll(ReadVector("rpc_client_to_server.gob"));
  ASSERT_EQ(v.size(), 8u);
  RpcRequestHeader h;
  ASSERT_TRUE(FromGob(v[0], &h).ok());
  EXPECT_EQ(h.service_method, "Function.Ping");
  EXPECT_EQ(h.seq, 0u);
  PingRequest ping;
  EXPECT_TRUE(FromGob(v[1], &ping).ok());
  ASSERT_TRUE(FromGob(v[2], &h).ok());
  EXPECT_EQ(h.service_method, "Function.Invoke");
  EXPECT_EQ(h.seq, 1u);

  InvokeRequest r;
  ASSERT_TRUE(FromGob(v[3], &r).ok());
  EXPECT_EQ(r.payload, "{\"k\":1}");
  EXPECT_EQ(r.request_id, "r1");
  EXPECT_EQ(r.x_amzn_trace_id, "");
  EXPECT_EQ(r.deadline.seconds, 1700000000);
  EXPECT_EQ(r.deadline.nanos, 5);
  EXPECT_EQ(r.invoked_function_arn, "arn:f");

  ASSERT_TRUE(FromGob(v[4], &h).ok());
  EXPECT_EQ(h.seq, 2u);
  ASSERT_TRUE(FromGob(v[5], &r).ok());  // reusing r: every field is overwritten
  EXPECT_EQ(r.payload, "boom");
  EXPECT_EQ(r.request_id, "r2");
  EXPECT_EQ(r.x_amzn_trace_id, "Root=1");
  EXPECT_EQ(r.deadline.seconds, -5);
  EXPECT_EQ(r.deadline.nanos, 999999999);
  EXPECT_EQ(r.invoked_function_arn, "");
  EXPECT_EQ(r.cognito_identity_id, "ci");
  EXPECT_EQ(r.cognito_identity_pool_id, "cp");
  EXPECT_EQ(r.client_context, "{\"c\":2}");

  ASSERT_TRUE(FromGob(v[6], &h).ok());
  EXPECT_EQ(h.service_method, "Function.Nope");
  EXPECT_EQ(h.seq, 3u);
}

TEST(Go1xMessagesTest, DecodesGoServerStream) {
  std::vector<gob::Value> v = DecodeAll(ReadVector("rpc_server_to_client.gob"));
  ASSERT_EQ(v.size(), 8u);
  RpcResponseHeader h;
  ASSERT_TRUE(FromGob(v[0], &h).ok());
  EXPECT_EQ(h.service_method, "Function.Ping");
  EXPECT_EQ(h.error, "");
  EXPECT_EQ(v[1].type()->name, PingResponseType()->name);
  PingResponse pong;
  EXPECT_TRUE(FromGob(v[1], &pong).ok());

  InvokeResponse ok;
  ASSERT_TRUE(FromGob(v[3], &ok).ok());
  EXPECT_EQ(ok.payload, "{\"ok\":1}");
  EXPECT_FALSE(ok.has_error);

  InvokeResponse failed;
  ASSERT_TRUE(FromGob(v[5], &failed).ok());
  ASSERT_TRUE(failed.has_error);
  EXPECT_EQ(failed.payload, "");
  EXPECT_EQ(failed.error.message, "boom");
  EXPECT_EQ(failed.error.type, "E");
  EXPECT_TRUE(failed.error.should_exit);
  ASSERT_EQ(failed.error.stack_trace.size(), 1u);
  EXPECT_EQ(failed.error.stack_trace[0].path, "main.go");
  EXPECT_EQ(failed.error.stack_trace[0].line, 42);
  EXPECT_EQ(failed.error.stack_trace[0].label, "f");

  // Unknown method: the RPC error in the header, then Go's anonymous struct{}.
  ASSERT_TRUE(FromGob(v[6], &h).ok());
  EXPECT_EQ(h.service_method, "Function.Nope");
  EXPECT_EQ(h.seq, 3u);
  EXPECT_EQ(h.error, "rpc: can't find method Function.Nope");
  EXPECT_EQ(v[7].type()->name, InvalidRequestType()->name);
  EXPECT_TRUE(v[7].type()->fields.empty());
}

TEST(Go1xMessagesTest, ClientEncodingIsByteIdenticalToGo) {
  gob::Encoder encoder;
  std::string out;
  ASSERT_TRUE(encoder.Encode(ToGob(RpcRequestHeader{"Function.Ping", 0}), &out).ok());
  ASSERT_TRUE(encoder.Encode(ToGob(PingRequest{}), &out).ok());
  ASSERT_TRUE(encoder.Encode(ToGob(RpcRequestHeader{"Function.Invoke", 1}), &out).ok());
  InvokeRequest r;
  r.payload = "{\"k\":1}";
  r.request_id = "r1";
  r.deadline = {1700000000, 5};
  r.invoked_function_arn = "arn:f";
  ASSERT_TRUE(encoder.Encode(ToGob(r), &out).ok());
  EXPECT_EQ(Hex(out), Hex(ReadVector("fresh_client.gob")));
}

TEST(Go1xMessagesTest, ServerEncodingIsByteIdenticalToGo) {
  gob::Encoder encoder;
  std::string out;
  ASSERT_TRUE(encoder.Encode(ToGob(RpcResponseHeader{"Function.Invoke", 1, ""}), &out).ok());
  InvokeResponse ok;
  ok.payload = "{\"ok\":1}";
  ASSERT_TRUE(encoder.Encode(ToGob(ok), &out).ok());
  ASSERT_TRUE(encoder.Encode(ToGob(RpcResponseHeader{"Function.Invoke", 2, ""}), &out).ok());
  InvokeResponse failed;
  failed.has_error = true;
  failed.error = {"boom", "E", {{"main.go", -42, "f"}}, true};
  ASSERT_TRUE(encoder.Encode(ToGob(failed), &out).ok());
  EXPECT_EQ(Hex(out), Hex(ReadVector("fresh_server.gob")));
}

TEST(Go1xMessagesTest, RoundTripsEveryField) {
  InvokeRequest r{"p", "id", "Root=1", {-1, 999999999}, "arn", "ci", "cp", "{}"};
  InvokeRequest back;
  gob::Encoder encoder;
  std::string bytes;
  ASSERT_TRUE(encoder.Encode(ToGob(r), &bytes).ok());
  std::vector<gob::Value> v = DecodeAll(bytes);
  ASSERT_EQ(v.size(), 1u);
  ASSERT_TRUE(FromGob(v[0], &back).ok());
  EXPECT_EQ(back.payload, "p");
  EXPECT_EQ(back.x_amzn_trace_id, "Root=1");
  EXPECT_EQ(back.deadline.seconds, -1);
  EXPECT_EQ(back.deadline.nanos, 999999999);
  EXPECT_EQ(back.cognito_identity_pool_id, "cp");
  EXPECT_EQ(back.client_context, "{}");
}

TEST(Go1xMessagesTest, WrongKindsAreRefused) {
  RpcRequestHeader h;
  EXPECT_EQ(FromGob(gob::Value::Int(3), &h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FromGob(gob::Value(), &h).code(), StatusCode::kInvalidArgument);
  gob::TypePtr bad = gob::StructType("Request", {{"ServiceMethod", gob::IntType()}});
  gob::Value v = gob::Value::Struct(bad);
  ASSERT_TRUE(v.SetField("ServiceMethod", gob::Value::Int(1)).ok());
  EXPECT_EQ(FromGob(v, &h).code(), StatusCode::kInvalidArgument);
  // A frame whose Line does not fit int32.
  gob::Value frame = gob::Value::Struct(StackFrameType());
  ASSERT_TRUE(frame.SetField("Line", gob::Value::Int(int64_t{1} << 40)).ok());
  gob::Value error = gob::Value::Struct(InvokeErrorType());
  ASSERT_TRUE(error.SetField("StackTrace", gob::Value::List(InvokeErrorType()->fields[2].type, {frame})).ok());
  gob::Value response = gob::Value::Struct(InvokeResponseType());
  ASSERT_TRUE(response.SetField("Error", error).ok());
  InvokeResponse out;
  EXPECT_EQ(FromGob(response, &out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zerostart::go1x
