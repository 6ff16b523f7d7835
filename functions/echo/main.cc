// echo: returns each event unchanged, with the event's content type (application/json when
// the caller sent none). The smallest useful zerostart function: cold-start and round-trip
// benchmarks use it.
#include "zerostart/runtime.h"

namespace {

zerostart::Response Echo(const zerostart::Invocation& invocation) {
  if (invocation.content_type.empty()) return zerostart::Response::Success(invocation.payload);
  return zerostart::Response::Success(invocation.payload, invocation.content_type);
}

}  // namespace

int main() { return zerostart::Run(Echo); }
