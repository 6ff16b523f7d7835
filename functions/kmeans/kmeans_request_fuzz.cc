// libFuzzer target for the k-means request reader, whose input is the function's invoke
// payload: any bytes. Besides "never crashes, never allocates beyond the budget", it checks the
// contract of kmeans_request.h: a request it accepts is within the documented limits
// (1 <= k <= n <= 2^31 - 1, d >= 1, a working set within the memory budget, given points n x d
// and finite, the requested mode and strategy); anything else is refused with InvalidArgument
// or ResourceExhausted and a message.
//
// Input layout: byte 0 = the function's memory (mod 3: 128 MiB, Lambda's default; a budget of
// 256 KiB, where small requests still fit; a budget of 4 KiB, which the points of a 1 KiB
// payload exceed: the budget checks are reached by inputs of the sizes fuzzing tries), the
// rest = the payload.
// Run: zs_kmeans_request_fuzz -dict=functions/kmeans/kmeans_request_fuzz.dict
//      tests/testdata/kmeans_request_corpus
#include <cmath>
#include <cstdint>
#include <string_view>

#include "functions/kmeans/kmeans_request.h"

namespace zerostart::functions {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace
}  // namespace zerostart::functions

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zerostart::functions;
  using zerostart::functions::Check;
  if (size < 1) return 0;
  constexpr uint64_t kDefaultMemory = 128ull << 20;
  const uint64_t reserve = kDefaultMemory - KmeansBudgetBytes(kDefaultMemory);
  KmeansLimits limits;
  limits.memory_limit_bytes = data[0] % 3 == 0   ? kDefaultMemory
                              : data[0] % 3 == 1 ? reserve + (256 << 10)
                                                 : reserve + (4 << 10);
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  zerostart::Result<KmeansRequest> parsed = ParseKmeansRequest(payload, limits);
  if (!parsed.ok()) {
    Check(parsed.status().code() == zerostart::StatusCode::kInvalidArgument ||
          parsed.status().code() == zerostart::StatusCode::kResourceExhausted);
    Check(!parsed.status().message().empty());
    return 0;
  }
  const KmeansRequest& r = *parsed;
  Check(r.k >= 1 && r.n >= r.k && r.n <= INT32_MAX && r.d >= 1 && r.d <= INT32_MAX);
  Check(EstimateKmeansBytes(static_cast<uint64_t>(r.n), static_cast<uint64_t>(r.d),
                            static_cast<uint64_t>(r.k)) <=
        KmeansBudgetBytes(limits.memory_limit_bytes));
  Check(r.mode == zerostart::kmeans::ClusteringMode::kExact ||
        r.mode == zerostart::kmeans::ClusteringMode::kFast);
  Check(r.mode_given || r.mode == zerostart::kmeans::ClusteringMode::kExact);
  if (r.points) {
    Check(r.points->count == static_cast<uint64_t>(r.n) &&
          r.points->dims == static_cast<uint64_t>(r.d));
    Check(r.points->coords.size() == r.points->count * r.points->dims);
    for (double x : r.points->coords) Check(std::isfinite(x));
  }
  return 0;
}
