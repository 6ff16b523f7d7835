#include "src/go1x/messages.h"

#include <limits>
#include <utility>

namespace zerostart::go1x {
namespace {

using gob::Value;

// Sets a field known to exist with the right kind (our own Types): failure is a bug here.
void Set(Value* v, std::string_view name, Value field) {
  Status s = v->SetField(name, std::move(field));
  (void)s;  // cannot fail: field names and kinds come from the Types below
}

Status RequireStruct(const Value& value, std::string_view what) {
  if (value.absent() || value.kind() != gob::Kind::kStruct) {
    return InvalidArgumentError("go1x: " + std::string(what) + " is not a struct");
  }
  return OkStatus();
}

Status BindTimestamp(const Value& value, Timestamp* out) {
  *out = Timestamp{};
  ZS_RETURN_IF_ERROR(RequireStruct(value, "InvokeRequest.Deadline"));
  ZS_ASSIGN_OR_RETURN(out->seconds, value.GetInt("Seconds"));
  ZS_ASSIGN_OR_RETURN(out->nanos, value.GetInt("Nanos"));
  return OkStatus();
}

Status BindFrame(const Value& value, StackFrame* out) {
  ZS_RETURN_IF_ERROR(RequireStruct(value, "StackFrame"));
  ZS_ASSIGN_OR_RETURN(out->path, value.GetString("Path"));
  ZS_ASSIGN_OR_RETURN(int64_t line, value.GetInt("Line"));
  if (line < std::numeric_limits<int32_t>::min() || line > std::numeric_limits<int32_t>::max()) {
    return InvalidArgumentError("go1x: StackFrame.Line out of int32 range");
  }
  out->line = static_cast<int32_t>(line);
  ZS_ASSIGN_OR_RETURN(out->label, value.GetString("Label"));
  return OkStatus();
}

Status BindError(const Value& value, InvokeError* out) {
  *out = InvokeError{};
  ZS_RETURN_IF_ERROR(RequireStruct(value, "InvokeResponse.Error"));
  ZS_ASSIGN_OR_RETURN(out->message, value.GetString("Message"));
  ZS_ASSIGN_OR_RETURN(out->type, value.GetString("Type"));
  ZS_ASSIGN_OR_RETURN(out->should_exit, value.GetBool("ShouldExit"));
  if (const Value* trace = value.Field("StackTrace")) {
    if (trace->kind() != gob::Kind::kSlice && trace->kind() != gob::Kind::kArray) {
      return InvalidArgumentError("go1x: InvokeResponse_Error.StackTrace is not a slice");
    }
    out->stack_trace.resize(trace->elements().size());
    for (size_t i = 0; i < trace->elements().size(); ++i) {
      ZS_RETURN_IF_ERROR(BindFrame(trace->elements()[i], &out->stack_trace[i]));
    }
  }
  return OkStatus();
}

}  // namespace

gob::TypePtr RpcRequestHeaderType() {
  static const gob::TypePtr type =
      gob::StructType("Request", {{"ServiceMethod", gob::StringType()}, {"Seq", gob::UintType()}});
  return type;
}

gob::TypePtr RpcResponseHeaderType() {
  static const gob::TypePtr type = gob::StructType(
      "Response", {{"ServiceMethod", gob::StringType()}, {"Seq", gob::UintType()}, {"Error", gob::StringType()}});
  return type;
}

gob::TypePtr PingRequestType() {
  static const gob::TypePtr type = gob::StructType("PingRequest", {});
  return type;
}

gob::TypePtr PingResponseType() {
  static const gob::TypePtr type = gob::StructType("PingResponse", {});
  return type;
}

gob::TypePtr TimestampType() {
  static const gob::TypePtr type =
      gob::StructType("InvokeRequest_Timestamp", {{"Seconds", gob::IntType()}, {"Nanos", gob::IntType()}});
  return type;
}

gob::TypePtr InvokeRequestType() {
  static const gob::TypePtr type = gob::StructType("InvokeRequest", {{"Payload", gob::BytesType()},
                                                                     {"RequestId", gob::StringType()},
                                                                     {"XAmznTraceId", gob::StringType()},
                                                                     {"Deadline", TimestampType()},
                                                                     {"InvokedFunctionArn", gob::StringType()},
                                                                     {"CognitoIdentityId", gob::StringType()},
                                                                     {"CognitoIdentityPoolId", gob::StringType()},
                                                                     {"ClientContext", gob::BytesType()}});
  return type;
}

gob::TypePtr StackFrameType() {
  // Go sends an empty name for a struct reached only through a pointer (the slice holds
  // *InvokeResponse_Error_StackFrame); see tests/testdata/gob/fresh_server.gob.
  static const gob::TypePtr type = gob::StructType(
      "", {{"Path", gob::StringType()}, {"Line", gob::IntType()}, {"Label", gob::StringType()}});
  return type;
}

namespace {
gob::TypePtr StackTraceType() {
  // The Go type string of the slice in aws-lambda-go (package messages). Names are not
  // checked for non-interface values, so this only matters for byte-identical streams.
  static const gob::TypePtr type = gob::SliceType("[]*messages.InvokeResponse_Error_StackFrame", StackFrameType());
  return type;
}
}  // namespace

gob::TypePtr InvokeErrorType() {
  static const gob::TypePtr type = gob::StructType("InvokeResponse_Error", {{"Message", gob::StringType()},
                                                                            {"Type", gob::StringType()},
                                                                            {"StackTrace", StackTraceType()},
                                                                            {"ShouldExit", gob::BoolType()}});
  return type;
}

gob::TypePtr InvokeResponseType() {
  static const gob::TypePtr type =
      gob::StructType("InvokeResponse", {{"Payload", gob::BytesType()}, {"Error", InvokeErrorType()}});
  return type;
}

gob::TypePtr InvalidRequestType() {
  static const gob::TypePtr type = gob::StructType("", {});
  return type;
}

Value InvalidRequestBody() { return Value::Struct(InvalidRequestType()); }

Value ToGob(const RpcRequestHeader& header) {
  Value v = Value::Struct(RpcRequestHeaderType());
  Set(&v, "ServiceMethod", Value::String(header.service_method));
  Set(&v, "Seq", Value::Uint(header.seq));
  return v;
}

Value ToGob(const RpcResponseHeader& header) {
  Value v = Value::Struct(RpcResponseHeaderType());
  Set(&v, "ServiceMethod", Value::String(header.service_method));
  Set(&v, "Seq", Value::Uint(header.seq));
  Set(&v, "Error", Value::String(header.error));
  return v;
}

Value ToGob(const PingRequest&) { return Value::Struct(PingRequestType()); }
Value ToGob(const PingResponse&) { return Value::Struct(PingResponseType()); }

Value ToGob(const InvokeRequest& request) {
  Value deadline = Value::Struct(TimestampType());
  Set(&deadline, "Seconds", Value::Int(request.deadline.seconds));
  Set(&deadline, "Nanos", Value::Int(request.deadline.nanos));
  Value v = Value::Struct(InvokeRequestType());
  Set(&v, "Payload", Value::Bytes(request.payload));
  Set(&v, "RequestId", Value::String(request.request_id));
  Set(&v, "XAmznTraceId", Value::String(request.x_amzn_trace_id));
  Set(&v, "Deadline", std::move(deadline));
  Set(&v, "InvokedFunctionArn", Value::String(request.invoked_function_arn));
  Set(&v, "CognitoIdentityId", Value::String(request.cognito_identity_id));
  Set(&v, "CognitoIdentityPoolId", Value::String(request.cognito_identity_pool_id));
  Set(&v, "ClientContext", Value::Bytes(request.client_context));
  return v;
}

Value ToGob(const InvokeResponse& response) {
  Value v = Value::Struct(InvokeResponseType());
  Set(&v, "Payload", Value::Bytes(response.payload));
  if (response.has_error) {
    const InvokeError& e = response.error;
    std::vector<Value> frames;
    frames.reserve(e.stack_trace.size());
    for (const StackFrame& f : e.stack_trace) {
      Value frame = Value::Struct(StackFrameType());
      Set(&frame, "Path", Value::String(f.path));
      Set(&frame, "Line", Value::Int(f.line));
      Set(&frame, "Label", Value::String(f.label));
      frames.push_back(std::move(frame));
    }
    Value error = Value::Struct(InvokeErrorType());
    Set(&error, "Message", Value::String(e.message));
    Set(&error, "Type", Value::String(e.type));
    Set(&error, "StackTrace", Value::List(StackTraceType(), std::move(frames)));
    Set(&error, "ShouldExit", Value::Bool(e.should_exit));
    Set(&v, "Error", std::move(error));
  }
  return v;
}

Status FromGob(const Value& value, RpcRequestHeader* out) {
  ZS_RETURN_IF_ERROR(RequireStruct(value, "rpc request header"));
  ZS_ASSIGN_OR_RETURN(out->service_method, value.GetString("ServiceMethod"));
  ZS_ASSIGN_OR_RETURN(out->seq, value.GetUint("Seq"));
  return OkStatus();
}

Status FromGob(const Value& value, RpcResponseHeader* out) {
  ZS_RETURN_IF_ERROR(RequireStruct(value, "rpc response header"));
  ZS_ASSIGN_OR_RETURN(out->service_method, value.GetString("ServiceMethod"));
  ZS_ASSIGN_OR_RETURN(out->seq, value.GetUint("Seq"));
  ZS_ASSIGN_OR_RETURN(out->error, value.GetString("Error"));
  return OkStatus();
}

Status FromGob(const Value& value, PingRequest*) { return RequireStruct(value, "PingRequest"); }
Status FromGob(const Value& value, PingResponse*) { return RequireStruct(value, "PingResponse"); }

Status FromGob(const Value& value, InvokeRequest* out) {
  ZS_RETURN_IF_ERROR(RequireStruct(value, "InvokeRequest"));
  ZS_ASSIGN_OR_RETURN(out->payload, value.GetString("Payload"));
  ZS_ASSIGN_OR_RETURN(out->request_id, value.GetString("RequestId"));
  ZS_ASSIGN_OR_RETURN(out->x_amzn_trace_id, value.GetString("XAmznTraceId"));
  out->deadline = Timestamp{};
  if (const Value* deadline = value.Field("Deadline")) ZS_RETURN_IF_ERROR(BindTimestamp(*deadline, &out->deadline));
  ZS_ASSIGN_OR_RETURN(out->invoked_function_arn, value.GetString("InvokedFunctionArn"));
  ZS_ASSIGN_OR_RETURN(out->cognito_identity_id, value.GetString("CognitoIdentityId"));
  ZS_ASSIGN_OR_RETURN(out->cognito_identity_pool_id, value.GetString("CognitoIdentityPoolId"));
  ZS_ASSIGN_OR_RETURN(out->client_context, value.GetString("ClientContext"));
  return OkStatus();
}

Status FromGob(const Value& value, InvokeResponse* out) {
  ZS_RETURN_IF_ERROR(RequireStruct(value, "InvokeResponse"));
  ZS_ASSIGN_OR_RETURN(out->payload, value.GetString("Payload"));
  out->has_error = false;
  out->error = InvokeError{};
  if (const Value* error = value.Field("Error")) {
    out->has_error = true;
    ZS_RETURN_IF_ERROR(BindError(*error, &out->error));
  }
  return OkStatus();
}

}  // namespace zerostart::go1x
