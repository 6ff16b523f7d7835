#include "functions/kmeans/kmeans_function.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"
#include "zerostart/http_event.h"

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

// k-means never converges when k exceeds the distinct points (see the header); with no pass
// limit Commons Math would spin for 2^31 - 1 passes. Refuse that request before starting.
Status CheckConvergencePossible(const KmeansRequest& request, const kmeans::Points& points) {
  if (request.max_iterations >= 0 ||
      request.empty_cluster_strategy == kmeans::EmptyClusterStrategy::kError || request.k <= 1) {
    return OkStatus();
  }
  const auto k = static_cast<size_t>(request.k);
  const size_t distinct = CountDistinctPoints(points, k);
  if (distinct >= k) return OkStatus();
  return InvalidArgumentError(
      "k = " + std::to_string(k) + " exceeds the " + std::to_string(distinct) +
      " distinct point(s): at least " + std::to_string(k - distinct) +
      " cluster(s) stay empty after every pass, so k-means never converges and Commons Math "
      "would run 2147483647 passes with maxIterations < 0; give maxIterations >= 0 (the result "
      "is then Commons Math's after that many passes) or a smaller k");
}

}  // namespace

size_t CountDistinctPoints(const kmeans::Points& points, size_t stop_at) {
  const size_t dims = points.dims;
  // Value equality: adding 0.0 turns -0.0 into +0.0 (the same distance to every center).
  const auto bits = [](double x) { return std::bit_cast<uint64_t>(x + 0.0); };
  const auto hash = [&](size_t i) {
    uint64_t h = 0x9e3779b97f4a7c15ull;
    const double* p = points.Row(i);
    for (size_t j = 0; j < dims; ++j) h = (h ^ bits(p[j])) * 0x100000001b3ull + (h >> 29);
    return static_cast<size_t>(h);
  };
  const auto equal = [&](size_t a, size_t b) {
    const double* pa = points.Row(a);
    const double* pb = points.Row(b);
    for (size_t j = 0; j < dims; ++j) {
      if (bits(pa[j]) != bits(pb[j])) return false;
    }
    return true;
  };
  std::unordered_set<size_t, decltype(hash), decltype(equal)> seen(16, hash, equal);
  for (size_t i = 0; i < points.count && seen.size() < stop_at; ++i) seen.insert(i);
  return seen.size();
}

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

Result<KmeansOutcome> RunKmeans(KmeansRequest request, const KmeansLimits& limits) {
  KmeansOutcome outcome;
  outcome.threads = std::max(1, limits.threads);
  outcome.report_mode = request.mode_given;
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
  ZS_RETURN_IF_ERROR(CheckConvergencePossible(request, points));
  const auto start = std::chrono::steady_clock::now();
  ZS_ASSIGN_OR_RETURN(
      outcome.clustering,
      kmeans::ClusterKMeansPlusPlus(points,
                                    {.k = request.k,
                                     .max_iterations = request.max_iterations,
                                     .empty_cluster_strategy = request.empty_cluster_strategy,
                                     .threads = outcome.threads,
                                     .pool = limits.pool,
                                     .mode = request.mode,
                                     .isa = limits.isa},
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
  out += ",\"threads\":";
  AppendInteger(out, outcome.threads);
  if (outcome.report_mode) {
    out += ",\"mode\":\"";
    out += kmeans::ClusteringModeName(c.mode);
    out += '"';
  }
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

namespace {

Response HandleRequest(std::string_view payload, const KmeansLimits& limits) {
  Result<KmeansRequest> request = ParseKmeansRequest(payload, limits);
  if (!request.ok()) {
    return Response::Failure(std::string(KmeansErrorType(request.status().code())),
                             request.status().message());
  }
  Result<KmeansOutcome> outcome = RunKmeans(std::move(request).value(), limits);
  if (!outcome.ok()) {
    return Response::Failure(std::string(KmeansErrorType(outcome.status().code())),
                             outcome.status().message());
  }
  return Response::Success(FormatKmeansResponse(*outcome));
}

int HttpStatusOf(std::string_view error_type) {
  if (error_type == kInvalidRequestError) return 400;
  if (error_type == kRequestTooLargeError) return 413;
  if (error_type == kConvergenceError) return 422;
  return 500;
}

}  // namespace

Response HandleKmeans(std::string_view payload, const KmeansLimits& limits) {
  std::optional<Result<std::string>> body = FunctionUrlBody(payload);
  if (!body) return HandleRequest(payload, limits);
  if (!body->ok()) {
    return Response::Success(
        FunctionUrlErrorResponse(400, kInvalidRequestError, body->status().message()));
  }
  Response response = HandleRequest(**body, limits);
  if (!response.is_error()) return response;
  return Response::Success(FunctionUrlErrorResponse(HttpStatusOf(response.error().type),
                                                    response.error().type,
                                                    response.error().message));
}

}  // namespace zerostart::functions
