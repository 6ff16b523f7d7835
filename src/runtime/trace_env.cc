#include "src/runtime/trace_env.h"

#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "src/common/lambda_protocol.h"

namespace zerostart::runtime {
namespace {

// Trace headers are ~100 bytes ("Root=1-...;Parent=...;Sampled=1;Lineage=..."); start above.
constexpr size_t kInitialCapacity = 256;

void Unset() {
  // unsetenv needs a NUL-terminated name; copy the string_view onto the stack (no allocation).
  char name[lambda::kTraceIdEnv.size() + 1];
  std::memcpy(name, lambda::kTraceIdEnv.data(), lambda::kTraceIdEnv.size());
  name[lambda::kTraceIdEnv.size()] = '\0';
  ::unsetenv(name);
}

}  // namespace

TraceIdEnvironment::~TraceIdEnvironment() {
  if (installed_) Unset();
}

void TraceIdEnvironment::Set(std::string_view trace_id) {
  // A NUL inside the value would silently truncate it; an '=' is fine after the first one.
  trace_id = trace_id.substr(0, std::min(trace_id.size(), trace_id.find('\0')));
  if (trace_id.empty()) {
    if (installed_) {
      Unset();
      installed_ = false;
    }
    return;
  }
  const std::string_view name = lambda::kTraceIdEnv;
  size_t needed = name.size() + 1 + trace_id.size() + 1;
  std::unique_ptr<char[]> old;
  if (needed > capacity_) {
    size_t capacity = std::max(needed, kInitialCapacity);
    old = std::exchange(buffer_, std::make_unique<char[]>(capacity));
    capacity_ = capacity;
  }
  char* p = buffer_.get();
  std::memcpy(p, name.data(), name.size());
  p[name.size()] = '=';
  std::memcpy(p + name.size() + 1, trace_id.data(), trace_id.size());
  p[needed - 1] = '\0';
  // putenv() points the environment at our buffer (replacing whatever the handler may have
  // set); only then may the previous buffer, if any, be freed (when `old` goes out of scope).
  ::putenv(buffer_.get());
  installed_ = true;
}

}  // namespace zerostart::runtime
