// The sin Lambda function, minus the runtime: x = sin(x) repeated, a latency-bound chain of
// dependent glibc sin calls (docs/WORKLOAD.md, "sin").
//
//   {"start": 1.0, "iterations": 10000000}   (both optional; these are the defaults)
//   -> {"x":0.0005...,"xBits":"0x3f41f2a08631548d","elapsedMs":...}
//
// Errors (errorType "InvalidRequest"): not a JSON object, `start` not a finite number,
// `iterations` not an integer in [0, kMaxSinIterations].
//
// Thread safety: pure functions.
#ifndef ZEROSTART_FUNCTIONS_SIN_SIN_FUNCTION_H_
#define ZEROSTART_FUNCTIONS_SIN_SIN_FUNCTION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "zerostart/response.h"
#include "zerostart/status.h"

namespace zerostart::functions {

// 10^9 dependent sin calls take about 20 s: enough for any benchmark, short of Lambda's
// 15-minute limit.
inline constexpr int64_t kMaxSinIterations = 1'000'000'000;

struct SinRequest {
  double start = 1.0;
  int64_t iterations = 10'000'000;
};

// Errors: InvalidArgument as described above. An empty payload means {}.
Result<SinRequest> ParseSinRequest(std::string_view payload);

// x = sin(x), `iterations` times from `start` (glibc's sin, one call after another).
double SinChain(double start, int64_t iterations);

struct SinOutcome {
  double x = 0.0;
  double elapsed_ms = 0.0;
};
SinOutcome RunSin(const SinRequest& request);

std::string FormatSinResponse(const SinOutcome& outcome);

// Parse, run, format.
Response HandleSin(std::string_view payload);

}  // namespace zerostart::functions

#endif  // ZEROSTART_FUNCTIONS_SIN_SIN_FUNCTION_H_
