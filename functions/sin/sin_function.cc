#include "functions/sin/sin_function.h"

#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace zerostart::functions {
namespace {

// Shortest round-trip text of a finite double, with ".0" on integral values (as the kmeans
// function writes its doubles).
void AppendDouble(std::string& out, double x) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, x);
  const std::string_view text(buf, static_cast<size_t>(result.ptr - buf));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Result<SinRequest> ParseSinRequest(std::string_view payload) {
  SinRequest request;
  if (IsBlank(payload)) return request;
  const nlohmann::json json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgumentError("the request is not valid JSON");
  if (!json.is_object()) return InvalidArgumentError("the request must be a JSON object");

  if (const auto it = json.find("start"); it != json.end()) {
    if (!it->is_number()) return InvalidArgumentError("start must be a number");
    request.start = it->get<double>();
    if (!std::isfinite(request.start)) return InvalidArgumentError("start must be finite");
  }
  if (const auto it = json.find("iterations"); it != json.end()) {
    const std::string range =
        "iterations must be an integer in [0, " + std::to_string(kMaxSinIterations) + "]";
    if (it->is_number_integer()) {
      if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{kMaxSinIterations}) {
        return InvalidArgumentError(range);
      }
      request.iterations = it->get<int64_t>();
    } else if (it->is_number_float()) {
      const double v = it->get<double>();
      if (!(std::trunc(v) == v && v >= 0.0 && v <= static_cast<double>(kMaxSinIterations))) {
        return InvalidArgumentError(range);
      }
      request.iterations = static_cast<int64_t>(v);
    } else {
      return InvalidArgumentError(range);
    }
    if (request.iterations < 0 || request.iterations > kMaxSinIterations) {
      return InvalidArgumentError(range);
    }
  }
  return request;
}

// Plain calls to glibc's sin, on purpose: the function is linked statically, and static glibc
// still resolves sin's ifunc at start-up to the same variant as a dynamic program (__sin_fma
// on an AVX2+FMA CPU; checked with gdb), so the chain has glibc's latency and bits. Measured
// beside a plain C loop by bench/run_kmeans_bench.sh (docs/benchmarks/kmeans.md).
double SinChain(double start, int64_t iterations) {
  double x = start;
  for (int64_t i = 0; i < iterations; ++i) x = std::sin(x);
  return x;
}

SinOutcome RunSin(const SinRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  SinOutcome outcome;
  outcome.x = SinChain(request.start, request.iterations);
  outcome.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

std::string FormatSinResponse(const SinOutcome& outcome) {
  char bits[32];
  std::snprintf(bits, sizeof bits, "0x%016llx",
                static_cast<unsigned long long>(std::bit_cast<uint64_t>(outcome.x)));
  std::string out = "{\"x\":";
  AppendDouble(out, outcome.x);  // finite: sin of a finite number
  out += ",\"xBits\":\"";
  out += bits;
  out += "\",\"elapsedMs\":";
  AppendDouble(out, outcome.elapsed_ms);
  out += '}';
  return out;
}

Response HandleSin(std::string_view payload) {
  Result<SinRequest> request = ParseSinRequest(payload);
  if (!request.ok()) return Response::Failure("InvalidRequest", request.status().message());
  return Response::Success(FormatSinResponse(RunSin(*request)));
}

}  // namespace zerostart::functions
