// File: zerostart/response.h
//
// Response: what a handler gives back for one invoke: either a payload with its content type,
// or a FunctionError that Lambda reports to the caller as {errorType, errorMessage, stackTrace}
// (with X-Amz-Function-Error: Unhandled on the Invoke API).
//
//   return zerostart::Response::Success(R"({"ok":true})");
//   return zerostart::Response::Success(bytes, "application/octet-stream");
//   return zerostart::Response::Failure("InvalidRequest", "k must be >= 1");
//
// Thread safety: a value type.
#ifndef ZEROSTART_RESPONSE_H_
#define ZEROSTART_RESPONSE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace zerostart {

// A function error as it crosses the wire. `type` should name the kind of failure
// ("InvalidRequest", "std::out_of_range"); an empty type is sent as "Unhandled".
struct FunctionError {
  std::string type;
  std::string message;
  std::vector<std::string> stack_trace;  // one entry per frame, outermost last; may be empty
};

class Response {
 public:
  static constexpr const char* kJsonContentType = "application/json";

  // A successful result. `payload` is sent unchanged.
  static Response Success(std::string payload, std::string content_type = kJsonContentType) {
    Response r;
    r.payload_ = std::move(payload);
    r.content_type_ = std::move(content_type);
    return r;
  }
  static Response Failure(FunctionError error) {
    Response r;
    r.error_ = std::move(error);
    return r;
  }
  static Response Failure(std::string type, std::string message) {
    return Failure(FunctionError{std::move(type), std::move(message), {}});
  }

  bool is_error() const { return error_.has_value(); }
  // REQUIRES: !is_error() for payload() and content_type() to be meaningful (empty otherwise).
  const std::string& payload() const { return payload_; }
  std::string& mutable_payload() { return payload_; }
  const std::string& content_type() const { return content_type_; }
  // REQUIRES: is_error().
  const FunctionError& error() const { return *error_; }

 private:
  std::string payload_;
  std::string content_type_;
  std::optional<FunctionError> error_;
};

}  // namespace zerostart

#endif  // ZEROSTART_RESPONSE_H_
