// File: src/go1x/messages.h
//
// The go1.x (legacy Lambda Go runtime) messages as C++ structs, and their conversion to and
// from gob Values (src/gob/value.h). Knows the message shapes, not sockets.
//
// Sources: Go's net/rpc (src/net/rpc/server.go and client.go: the rpc.Request / rpc.Response
// headers, gobServerCodec) and github.com/aws/aws-lambda-go: lambda/messages/messages.go (the
// structs) and lambda/rpc_function.go (service "Function", methods Ping and Invoke).
// Vectors: tests/testdata/gob/rpc_*.gob and fresh_*.gob (written by Go 1.19).
//
// A net/rpc call is two gob values on the client's stream: a RpcRequestHeader, then the args
// struct (PingRequest / InvokeRequest). A reply is a RpcResponseHeader, then the reply struct
// (PingResponse / InvokeResponse), or, when the header's Error is set, an empty anonymous
// struct (InvalidRequestBody()).
//
// Conversions from Values bind fields BY NAME: absent or unknown fields read as the Go zero
// value, extra fields are ignored, and a field present with another kind is InvalidArgument.
// Conversions to Values use one shared TypePtr per Go type, so a gob::Encoder sends each
// definition once per stream; names are the Go type names net/rpc and aws-lambda-go use.
//
// Thread safety: all functions are pure; the shared Types are immutable.
#ifndef ZEROSTART_SRC_GO1X_MESSAGES_H_
#define ZEROSTART_SRC_GO1X_MESSAGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "src/gob/type.h"
#include "src/gob/value.h"
#include "zerostart/status.h"

namespace zerostart::go1x {

// net/rpc's Request: the header in front of every call.
struct RpcRequestHeader {
  std::string service_method;  // "Function.Ping", "Function.Invoke"
  uint64_t seq = 0;            // chosen by the client; echoed in the reply
};

// net/rpc's Response: the header in front of every reply.
struct RpcResponseHeader {
  std::string service_method;
  uint64_t seq = 0;
  std::string error;  // an RPC-level error; then the body is InvalidRequestBody()
};

struct PingRequest {};
struct PingResponse {};

// messages.InvokeRequest_Timestamp: the absolute deadline (Nanos is int64, not int32).
struct Timestamp {
  int64_t seconds = 0;
  int64_t nanos = 0;
};

struct InvokeRequest {
  std::string payload;  // []byte on the wire
  std::string request_id;
  std::string x_amzn_trace_id;
  Timestamp deadline;
  std::string invoked_function_arn;
  std::string cognito_identity_id;
  std::string cognito_identity_pool_id;
  std::string client_context;  // []byte on the wire
};

struct StackFrame {
  std::string path;
  int32_t line = 0;
  std::string label;
};

struct InvokeError {
  std::string message;
  std::string type;
  std::vector<StackFrame> stack_trace;
  bool should_exit = false;
};

struct InvokeResponse {
  std::string payload;  // []byte on the wire
  bool has_error = false;  // Error is a pointer in Go: nil unless has_error
  InvokeError error;
};

// The shared gob Types (Go type names as on the wire).
gob::TypePtr RpcRequestHeaderType();   // "Request"
gob::TypePtr RpcResponseHeaderType();  // "Response"
gob::TypePtr PingRequestType();        // "PingRequest", no fields
gob::TypePtr PingResponseType();       // "PingResponse", no fields
gob::TypePtr TimestampType();          // "InvokeRequest_Timestamp"
gob::TypePtr InvokeRequestType();      // "InvokeRequest"
gob::TypePtr StackFrameType();         // named "" on the wire, as Go names it behind a pointer
gob::TypePtr InvokeErrorType();        // "InvokeResponse_Error"
gob::TypePtr InvokeResponseType();     // "InvokeResponse"
// The body net/rpc sends after a header whose Error is set: Go's `invalidRequest = struct{}{}`,
// an anonymous struct with no fields.
gob::TypePtr InvalidRequestType();
gob::Value InvalidRequestBody();

// To gob Values (never fail: the Types match by construction).
gob::Value ToGob(const RpcRequestHeader& header);
gob::Value ToGob(const RpcResponseHeader& header);
gob::Value ToGob(const PingRequest& request);
gob::Value ToGob(const PingResponse& response);
gob::Value ToGob(const InvokeRequest& request);
gob::Value ToGob(const InvokeResponse& response);

// From gob Values. InvalidArgument when `value` is not a struct or a known field has the
// wrong kind (e.g. Line out of int32 range). *out is fully overwritten on success.
Status FromGob(const gob::Value& value, RpcRequestHeader* out);
Status FromGob(const gob::Value& value, RpcResponseHeader* out);
Status FromGob(const gob::Value& value, PingRequest* out);
Status FromGob(const gob::Value& value, PingResponse* out);
Status FromGob(const gob::Value& value, InvokeRequest* out);
Status FromGob(const gob::Value& value, InvokeResponse* out);

}  // namespace zerostart::go1x

#endif  // ZEROSTART_SRC_GO1X_MESSAGES_H_
