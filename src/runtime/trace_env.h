// TraceIdEnvironment: keeps the _X_AMZN_TRACE_ID environment variable equal to the current
// invoke's trace id (X-Ray SDKs read it from the environment).
//
// Why not setenv(): glibc's setenv keeps every distinct value it was ever given (so pointers
// from earlier getenv() calls stay valid) and never frees them; with a fresh trace id per
// invoke that is an unbounded leak. Instead the "NAME=value" string lives in a buffer owned
// here, installed with putenv() and rewritten in place, so steady-state invokes allocate
// nothing and leak nothing.
// Thread safety: none; like setenv itself, not safe against concurrent getenv() in other
// threads while Set() runs (the invoke loop calls it between invokes, on one thread).
#ifndef ZEROSTART_SRC_RUNTIME_TRACE_ENV_H_
#define ZEROSTART_SRC_RUNTIME_TRACE_ENV_H_

#include <cstddef>
#include <memory>
#include <string_view>

namespace zerostart::runtime {

class TraceIdEnvironment {
 public:
  TraceIdEnvironment() = default;
  // Unsets the variable if this object set it (the environment must not point at freed memory).
  ~TraceIdEnvironment();
  TraceIdEnvironment(const TraceIdEnvironment&) = delete;
  TraceIdEnvironment& operator=(const TraceIdEnvironment&) = delete;

  // Sets _X_AMZN_TRACE_ID to `trace_id`, or unsets it when `trace_id` is empty.
  void Set(std::string_view trace_id);

 private:
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  bool installed_ = false;
};

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_TRACE_ENV_H_
