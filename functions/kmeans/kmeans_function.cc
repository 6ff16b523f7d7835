#include "functions/kmeans/kmeans_function.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <utility>

#include "src/kmeans/mersenne_twister.h"
#include "src/kmeans/points.h"

namespace zerostart::functions {
namespace {

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

template <typename Int>
void AppendInteger(std::string& out, Int value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

}  // namespace

void AppendJsonDouble(std::string& out, double x) {
  if (std::isnan(x)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(x)) {
    out += x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char buf[32];
  // No precision argument: the shortest text that parses back to the same double.
  const auto result = std::to_chars(buf, buf + sizeof buf, x);
  const std::string_view text(buf, static_cast<size_t>(result.ptr - buf));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

Result<KmeansOutcome> RunKmeans(KmeansRequest request) {
  KmeansOutcome outcome;
  kmeans::MersenneTwister rng(request.seed);
  kmeans::Points points;
  if (request.points) {
    points = std::move(*request.points);
  } else {
    const auto start = std::chrono::steady_clock::now();
    points =
        kmeans::GeneratePoints(static_cast<size_t>(request.n), static_cast<size_t>(request.d), rng);
    outcome.generate_ms = MillisecondsSince(start);
  }
  const auto start = std::chrono::steady_clock::now();
  ZS_ASSIGN_OR_RETURN(
      outcome.clustering,
      kmeans::ClusterKMeansPlusPlus(points,
                                    {.k = request.k,
                                     .max_iterations = request.max_iterations,
                                     .empty_cluster_strategy = request.empty_cluster_strategy},
                                    rng));
  outcome.cluster_ms = MillisecondsSince(start);
  return outcome;
}

std::string FormatKmeansResponse(const KmeansOutcome& outcome) {
  const kmeans::Clustering& c = outcome.clustering;
  std::string out;
  out.reserve(64 + c.centers.size() * 26 + c.sizes.size() * 12);
  out += "{\"centers\":[";
  for (size_t i = 0; i < c.k; ++i) {
    if (i > 0) out += ',';
    out += '[';
    for (size_t j = 0; j < c.dims; ++j) {
      if (j > 0) out += ',';
      AppendJsonDouble(out, c.centers[i * c.dims + j]);
    }
    out += ']';
  }
  out += "],\"sizes\":[";
  for (size_t i = 0; i < c.sizes.size(); ++i) {
    if (i > 0) out += ',';
    AppendInteger(out, c.sizes[i]);
  }
  out += "],\"sse\":";
  AppendJsonDouble(out, c.sse);
  out += ",\"iterations\":";
  AppendInteger(out, c.iterations);
  out += ",\"generateMs\":";
  AppendJsonDouble(out, outcome.generate_ms);
  out += ",\"clusterMs\":";
  AppendJsonDouble(out, outcome.cluster_ms);
  out += '}';
  return out;
}

std::string_view KmeansErrorType(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return kInvalidRequestError;
    case StatusCode::kResourceExhausted:
      return kRequestTooLargeError;
    case StatusCode::kFailedPrecondition:  // the engine's ConvergenceException
      return kConvergenceError;
    default:
      return kInternalError;
  }
}

Response HandleKmeans(std::string_view payload, const KmeansLimits& limits) {
  Result<KmeansRequest> request = ParseKmeansRequest(payload, limits);
  if (!request.ok()) {
    return Response::Failure(std::string(KmeansErrorType(request.status().code())),
                             request.status().message());
  }
  Result<KmeansOutcome> outcome = RunKmeans(std::move(request).value());
  if (!outcome.ok()) {
    return Response::Failure(std::string(KmeansErrorType(outcome.status().code())),
                             outcome.status().message());
  }
  return Response::Success(FormatKmeansResponse(*outcome));
}

}  // namespace zerostart::functions
