// The five parts of zs_concurrency_bench (main.cc's header says what each measures). Each part
// has a Run function, which starts the serves it needs, drives them and returns its figures as
// JSON (the shape concurrency-results.json holds), and a Print function, which prints that JSON
// as a Markdown table on stdout. A Run function returns an error when a serve cannot be started,
// answered or stopped; a check that fails is not an error: it is recorded in the figures and
// clears *passed.
#ifndef ZEROSTART_BENCH_CONCURRENCY_PARTS_H_
#define ZEROSTART_BENCH_CONCURRENCY_PARTS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "bench/concurrency/options.h"
#include "zerostart/status.h"

namespace zerostart::bench::concurrency {

// cold (cold.cc): for each of options.cold_sizes, N sleeping invokes at once on a fresh pool,
// then on the warm one.
Result<nlohmann::json> RunCold(const Options& options, bool* passed);
void PrintCold(const Options& options, const nlohmann::json& sizes);

// burst (burst.cc): options.burst invokes at once at --concurrency options.burst_concurrency,
// with cgroups or with --no-limits, twice (a cold pool, then a warm one). PrintBurst takes an
// array of RunBurst's results.
Result<nlohmann::json> RunBurst(const Options& options, bool no_limits, bool* passed);
void PrintBurst(const nlohmann::json& bursts);

// warm (warm.cc): one client's sequential invokes, configurations alternating round by round.
Result<nlohmann::json> RunWarm(const Options& options);
void PrintWarm(const nlohmann::json& warm);

// thaw (thaw.cc): the round trip to a parked child right after a thaw. `self` is this program,
// started as the child with --pong (Pong() is then its whole main).
Result<nlohmann::json> RunThaw(const Options& options, const std::string& self);
void PrintThaw(const nlohmann::json& thaw);
int Pong();

// memory (memory.cc): serve's footprint per idle environment, with cgroups or with --no-limits.
// PrintMemory takes an array of RunMemory's results.
Result<nlohmann::json> RunMemory(const Options& options, bool no_limits, bool* passed);
void PrintMemory(const nlohmann::json& memory);

}  // namespace zerostart::bench::concurrency

#endif  // ZEROSTART_BENCH_CONCURRENCY_PARTS_H_
