// The k-means Lambda function, minus the runtime: request JSON in, response JSON or a function
// error out. main.cc only wires HandleKmeans to zerostart::Run.
//
// Response: {"centers":[[...],...],"sizes":[...],"sse":...,"iterations":...,
//            "generateMs":...,"clusterMs":...,"threads":...[,"mode":"exact"|"fast"]}; "mode" only
// when the request named one (it is the arithmetic that ran: "exact" after a fast request whose
// data is too spread for float32, see kmeans::FastAssignmentStep); doubles in their shortest round-trip form
// (std::to_chars), with ".0" added to integral values so they stay floating point; a non-finite
// value (only reachable with coordinates near 1e308) is written as the string "NaN",
// "Infinity" or "-Infinity", as Jackson does.
//
// `threads` is the number of worker threads the engine used (the CPU budget main computed
// once at start-up, src/common/cpu_budget.h); every other field is the same for any value.
//
// Errors (errorType): "InvalidRequest" (malformed or out-of-range request), "RequestTooLarge"
// (over the memory budget), "ConvergenceException" (a cluster emptied under the ERROR
// strategy; message "empty cluster in k-means" as Commons Math's), "InternalError".
//
// Bad input, as Commons Math 3.6.1 behaves (checked against the real jar in tests/oracle):
// - k larger than the number of distinct points (k <= n): k-means++ picks duplicate locations
//   as seeds (a zero squared distance sums to 0, so the first untaken point is drawn); equal
//   points always join the same cluster, so at least k - distinct clusters are empty after
//   every pass. The empty-cluster strategy then runs on every pass and the run never
//   converges: it stops after exactly maxIterations passes (iterations = maxIterations), or
//   fails at the first pass under ERROR. We return exactly that, bit for bit. With
//   maxIterations < 0 (no limit) Commons Math would run 2^31 - 1 passes; we refuse that
//   request up front ("InvalidRequest", naming k and the distinct count) instead of spinning
//   until the function's timeout. ERROR with no limit still fails as Java does.
// - All points identical: the same rule with one distinct point. With k = 1 the run converges
//   after one pass: center = the point, sse 0.
// - maxIterations = 0: no pass runs; the result is the k-means++ seeds (data points) as
//   centers with their initial assignment (iterations 0), under every strategy, ERROR included
//   (empty clusters are only looked at inside a pass).
// - NaN / infinite coordinates, sizes over the memory budget: see kmeans_request.h.
// Thread safety: pure functions.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_KMEANS_FUNCTION_H_
#define ZEROSTART_FUNCTIONS_KMEANS_KMEANS_FUNCTION_H_

#include <string>
#include <string_view>

#include "functions/kmeans/engine/kmeans_plus_plus.h"
#include "functions/kmeans/kmeans_request.h"
#include "zerostart/response.h"
#include "zerostart/status.h"

namespace zerostart::functions {

inline constexpr std::string_view kInvalidRequestError = "InvalidRequest";
inline constexpr std::string_view kRequestTooLargeError = "RequestTooLarge";
inline constexpr std::string_view kConvergenceError = "ConvergenceException";
inline constexpr std::string_view kInternalError = "InternalError";

struct KmeansOutcome {
  kmeans::Clustering clustering;
  double generate_ms = 0.0;  // 0 when the request gave its points
  double cluster_ms = 0.0;
  int threads = 1;  // worker threads the engine was given
  bool report_mode = false;  // the request named a mode: the response says which one ran
};

// Generates the points (unless given) and clusters them, as the Java workload does: one
// MersenneTwister(seed) draws the points, then seeds k-means++; with limits.threads threads
// (limits.pool when given).
// Errors: InvalidArgument when k exceeds the distinct points and maxIterations < 0 with a
// strategy other than ERROR (see above); those of kmeans::ClusterKMeansPlusPlus.
Result<KmeansOutcome> RunKmeans(KmeansRequest request, const KmeansLimits& limits = {});

// The number of distinct points (by value: -0.0 equals 0.0), counting stops at `stop_at`.
size_t CountDistinctPoints(const kmeans::Points& points, size_t stop_at);

// The response JSON for `outcome`.
std::string FormatKmeansResponse(const KmeansOutcome& outcome);

// The errorType for a failed parse or run (see above).
std::string_view KmeansErrorType(StatusCode code);

// Parse, run, format: what the function returns for `payload`. A Function URL event
// (zerostart/http_event.h) is unwrapped: its body is the request, and an error comes back as an
// HTTP response (400 InvalidRequest, 413 RequestTooLarge, 422 ConvergenceException, 500
// otherwise) instead of a function error, which the URL would turn into a bare 502.
Response HandleKmeans(std::string_view payload, const KmeansLimits& limits);

// Appends `x` as a JSON value in the format described above.
void AppendJsonDouble(std::string& out, double x);

}  // namespace zerostart::functions

#endif  // ZEROSTART_FUNCTIONS_KMEANS_KMEANS_FUNCTION_H_
