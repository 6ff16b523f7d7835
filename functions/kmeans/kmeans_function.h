// The k-means Lambda function, minus the runtime: request JSON in, response JSON or a function
// error out. main.cc only wires HandleKmeans to zerostart::Run.
//
// Response: {"centers":[[...],...],"sizes":[...],"sse":...,"iterations":...,
//            "generateMs":...,"clusterMs":...}; doubles in their shortest round-trip form
// (std::to_chars), with ".0" added to integral values so they stay floating point; a non-finite
// value (only reachable with coordinates near 1e308) is written as the string "NaN",
// "Infinity" or "-Infinity", as Jackson does.
//
// Errors (errorType): "InvalidRequest" (malformed or out-of-range request), "RequestTooLarge"
// (over the memory budget), "ConvergenceException" (a cluster emptied under the ERROR
// strategy; message "empty cluster in k-means" as Commons Math's), "InternalError".
//
// Thread safety: pure functions.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_KMEANS_FUNCTION_H_
#define ZEROSTART_FUNCTIONS_KMEANS_KMEANS_FUNCTION_H_

#include <string>
#include <string_view>

#include "functions/kmeans/kmeans_request.h"
#include "src/kmeans/kmeans_plus_plus.h"
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
};

// Generates the points (unless given) and clusters them, as the Java workload does: one
// MersenneTwister(seed) draws the points, then seeds k-means++.
// Errors: those of kmeans::ClusterKMeansPlusPlus.
Result<KmeansOutcome> RunKmeans(KmeansRequest request);

// The response JSON for `outcome`.
std::string FormatKmeansResponse(const KmeansOutcome& outcome);

// The errorType for a failed parse or run (see above).
std::string_view KmeansErrorType(StatusCode code);

// Parse, run, format: what the function returns for `payload`.
Response HandleKmeans(std::string_view payload, const KmeansLimits& limits);

// Appends `x` as a JSON value in the format described above.
void AppendJsonDouble(std::string& out, double x);

}  // namespace zerostart::functions

#endif  // ZEROSTART_FUNCTIONS_KMEANS_KMEANS_FUNCTION_H_
