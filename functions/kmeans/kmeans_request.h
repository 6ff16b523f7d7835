// The k-means function's request: parsing and validation of the JSON event
// (docs/WORKLOAD.md, "k-means", "Request"). Every field is optional:
//
//   {"n":1000, "d":2, "k":4, "maxIterations":100, "seed":42,
//    "emptyClusterStrategy":"LARGEST_VARIANCE", "mode":"exact", "points":[[x, ...], ...]}
//
// "mode": "exact" (the default: Commons Math's result, bit for bit) or "fast" (float32 distances
// with FMA in the assignment step, kmeans::ClusteringMode::kFast: faster on large d and k, may
// differ from Java's result; the response then says which arithmetic ran).
//
// With `points`, n and d come from the data (a given "n" or "d" must agree with it) and the
// generator only seeds k-means++. Integer fields accept JSON integers and integral floats
// (1000.0); `seed` is narrowed to 32 bits as Java's (int) cast does. Unknown fields are ignored.
//
// Points are streamed straight into one flat array (no JSON tree is built for them), and the
// working set is checked against the memory budget before anything of size n is allocated.
//
// Bad input, defined (docs/WORKLOAD.md, "Bad requests"):
// - NaN or infinite coordinates are refused (InvalidArgument, naming the coordinate). JSON has
//   no NaN literal, but numbers beyond the double range (1e400) parse as infinity. Commons
//   Math accepts them and returns meaningless clusters (a NaN never wins the strict `<`, so
//   such points pile into cluster 0 and make its center and the sse NaN); we refuse instead.
// - Sizes whose working set (EstimateKmeansBytes) exceeds the budget: ResourceExhausted, from
//   n, d and k alone, before any array of size n is allocated.
//
// Thread safety: pure functions.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_KMEANS_REQUEST_H_
#define ZEROSTART_FUNCTIONS_KMEANS_KMEANS_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "functions/kmeans/engine/kmeans_plus_plus.h"
#include "functions/kmeans/engine/points.h"
#include "zerostart/status.h"

namespace zerostart::functions {

struct KmeansRequest {
  int64_t n = 1000;
  int64_t d = 2;
  int32_t k = 4;
  int32_t max_iterations = 100;
  int32_t seed = 42;
  kmeans::EmptyClusterStrategy empty_cluster_strategy =
      kmeans::EmptyClusterStrategy::kLargestVariance;
  kmeans::ClusteringMode mode = kmeans::ClusteringMode::kExact;
  bool mode_given = false;               // "mode" was in the request: the response reports it
  std::optional<kmeans::Points> points;  // given points (n x d); otherwise generated
};

// What the function's sandbox gives it, fixed at start-up (main reads it once).
struct KmeansLimits {
  // Memory of the function (AWS_LAMBDA_FUNCTION_MEMORY_SIZE); see KmeansBudgetBytes.
  uint64_t memory_limit_bytes = 128ull << 20;
  // Worker threads of the engine: the CPU the function really has (src/common/cpu_budget.h,
  // ReadCpuBudget). The result does not depend on it, only the time.
  int threads = 1;
  // A pool of at least `threads` threads kept for the life of the process, or null (the
  // engine then starts and joins threads per request). Not owned.
  kmeans::EnginePool* pool = nullptr;
  // The engine's kernel instruction set (functions/kmeans/engine/kernel_isa.h), or nullopt for
  // the widest the CPU runs. main() takes it from ZS_KMEANS_ISA; the result does not depend on
  // it.
  std::optional<kmeans::KernelIsa> isa = std::nullopt;
};

// Parses and validates `payload`. An empty (or all-whitespace) payload means {}.
// Errors: InvalidArgument when the payload is not a JSON object, a field has the wrong type or
// is out of range (k < 1, d < 1, n < k, n > 2^31 - 1, ...), or points are empty, ragged,
// not numbers, or contradict "n"/"d"; ResourceExhausted when the working set
// (EstimateKmeansBytes) exceeds KmeansBudgetBytes(limits.memory_limit_bytes).
Result<KmeansRequest> ParseKmeansRequest(std::string_view payload, const KmeansLimits& limits);

// Bytes the function needs for n points of d dimensions in k clusters: the points, the
// engine's per-point arrays (seeding, assignment, pruning bounds, member lists), centers, and
// the response text. Saturates at UINT64_MAX.
uint64_t EstimateKmeansBytes(uint64_t n, uint64_t d, uint64_t k);

// What a request may use of the function's memory: all but a reserve for the process itself
// (runtime, code, request and response buffers of up to 6 MiB each).
uint64_t KmeansBudgetBytes(uint64_t memory_limit_bytes);

// AWS_LAMBDA_FUNCTION_MEMORY_SIZE (decimal MiB) in bytes; Lambda's default, 128 MiB, when the
// value is absent or not a positive number.
uint64_t MemoryLimitBytesFromEnv(std::optional<std::string_view> megabytes);

}  // namespace zerostart::functions

#endif  // ZEROSTART_FUNCTIONS_KMEANS_KMEANS_REQUEST_H_
