// File: zerostart/status.h
//
// Status and Result<T>: zerostart's error values. Every fallible function returns one of them,
// and both are [[nodiscard]], so an error cannot be dropped by accident.
//
// A StatusCode is chosen by what the *caller* should do (after abseil's canonical codes):
//   kInvalidArgument     the input is malformed; retrying the same input will fail again.
//   kFailedPrecondition  the system is not in a state for this call (e.g. a 4xx from the
//                        Runtime API); do not retry until the state is fixed.
//   kUnavailable         transient (connection refused or closed); retry this call, with backoff.
//   kDeadlineExceeded    a deadline or timeout passed.
//   kResourceExhausted   a size or count limit was hit (oversized message, too many items).
//   kNotFound            a named thing does not exist (file, route, method).
//   kInternal            a broken invariant or an unexpected system error.
//
// Typical use:
//   zerostart::Result<int> ParsePort(std::string_view s);
//   ZS_ASSIGN_OR_RETURN(int port, ParsePort(text));
//   ZS_RETURN_IF_ERROR(conn.Write(bytes));
//
// Thread safety: Status and Result are values; const methods are safe to call concurrently.
#ifndef ZEROSTART_STATUS_H_
#define ZEROSTART_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace zerostart {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,
  kFailedPrecondition,
  kUnavailable,
  kDeadlineExceeded,
  kResourceExhausted,
  kNotFound,
  kInternal,
};

// Returns a stable name such as "InvalidArgument" (used in messages and tests).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status. Costs nothing (no allocation).
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "<CodeName>: <message>".
  std::string ToString() const;

  // Returns a copy of this status with "context: " prepended to the message (OK stays OK).
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceededError(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T>: either a T or a non-OK Status. Constructing a Result from an OK Status is a
// programming error (asserted in debug builds, turned into kInternal otherwise).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok());
    if (std::get<Status>(data_).ok()) data_ = InternalError("Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // REQUIRES for value(): ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // OK if ok(), else the error.
  Status status() const { return ok() ? OkStatus() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace zerostart

#define ZS_STATUS_CONCAT_INNER_(a, b) a##b
#define ZS_STATUS_CONCAT_(a, b) ZS_STATUS_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` (a Status) is not OK.
#define ZS_RETURN_IF_ERROR(expr)                          \
  do {                                                    \
    ::zerostart::Status zs_status_ = (expr);              \
    if (!zs_status_.ok()) return zs_status_;              \
  } while (false)

// `lhs` = the value of `rexpr` (a Result<T>), or returns its Status from the enclosing function.
#define ZS_ASSIGN_OR_RETURN(lhs, rexpr) \
  ZS_ASSIGN_OR_RETURN_IMPL_(ZS_STATUS_CONCAT_(zs_result_, __LINE__), lhs, rexpr)
#define ZS_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                              \
  if (!result.ok()) return result.status();           \
  lhs = std::move(result).value()

#endif  // ZEROSTART_STATUS_H_
