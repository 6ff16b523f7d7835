// zs_kmeans_bench: Google Benchmark figures of the k-means and sin benchmark (run by
// bench/run_kmeans_bench.sh, which also runs Commons Math and writes docs/benchmarks/kmeans.md):
//   - point generation (MersenneTwister + GeneratePoints) for n=100000 d=3 and n=1000000 d=16,
//     and the generator's kernels alone (NextDoubles into an L1-resident buffer, NextDouble);
//   - clustering of the benchmark shapes, generation excluded (as the function's clusterMs),
//     with 1 thread and, when ClustererOptions has `threads`, 2 threads (real and process CPU
//     time);
//   - one dense assignment pass per kernel ISA (the FP-peak fraction) and k-means++ seeding
//     alone;
//   - the 10^7-step sin chain: the sin function's SinChain beside a plain C loop over glibc's
//     sin (bench/sin_c_loop.c, compiled as C) in the same process.
// Counters: `doubles` rate per second for generation; `passes` (iterations of the main loop the
// clustering ran) for clustering, so the report can divide by them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "functions/kmeans/engine/assignment_step.h"
#include "functions/kmeans/engine/centroid_kernel.h"
#include "functions/kmeans/engine/dot_filter.h"
#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/engine/kmeans_plus_plus.h"
#include "functions/kmeans/engine/kmeans_seeding.h"
#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"
#include "functions/sin/sin_function.h"

extern "C" double zs_sin_c_loop(double start, int64_t iterations);  // bench/sin_c_loop.c

namespace zerostart::kmeans {
namespace {

// Older engines' ClustererOptions have no `threads`; set it only where it exists so this file
// builds against either version of the engine (to compare a change with the engine before it).
template <typename Options>
constexpr bool kHasThreads = requires(Options o) { o.threads; };

template <typename Options>
void SetThreads(Options& options, int threads) {
  if constexpr (kHasThreads<Options>) options.threads = threads;
}

void BM_GeneratePoints(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const auto d = static_cast<size_t>(state.range(1));
  for (auto _ : state) {
    MersenneTwister rng(42);
    Points points = GeneratePoints(n, d, rng);
    benchmark::DoNotOptimize(points.coords.data());
  }
  state.counters["doubles"] = benchmark::Counter(static_cast<double>(n * d),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_GeneratePoints)->Args({100000, 3})->Args({1000000, 16})->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_NextDoublesL1(benchmark::State& state) {
  std::vector<double> buffer(4096);
  MersenneTwister rng(42);
  for (auto _ : state) {
    rng.NextDoubles(buffer);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.counters["doubles"] = benchmark::Counter(static_cast<double>(buffer.size()),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_NextDoublesL1);

void BM_NextDouble(benchmark::State& state) {
  MersenneTwister rng(42);
  for (auto _ : state) benchmark::DoNotOptimize(rng.NextDouble());
}
BENCHMARK(BM_NextDouble);

// Args: n, d, k, maxIterations, threads.
void ClusterWithMode(benchmark::State& state, ClusteringMode mode) {
  const auto n = static_cast<size_t>(state.range(0));
  const auto d = static_cast<size_t>(state.range(1));
  MersenneTwister generated(42);
  const Points points = GeneratePoints(n, d, generated);
  ClustererOptions options;
  options.k = static_cast<int32_t>(state.range(2));
  options.max_iterations = static_cast<int32_t>(state.range(3));
  SetThreads(options, static_cast<int>(state.range(4)));
  options.mode = mode;
  int32_t passes = 0;
  for (auto _ : state) {
    MersenneTwister rng = generated;  // the stream continues after generation, as in Java
    Result<Clustering> clustering = ClusterKMeansPlusPlus(points, options, rng);
    if (!clustering.ok()) {
      state.SkipWithError("clustering failed");
      return;
    }
    passes = clustering->iterations;
    benchmark::DoNotOptimize(clustering->sse);
  }
  state.counters["passes"] = passes;
  state.counters["threads"] = static_cast<double>(state.range(4));
}

void BM_Cluster(benchmark::State& state) { ClusterWithMode(state, ClusteringMode::kExact); }

void ClusterShapes(benchmark::internal::Benchmark* b) {
  std::vector<int64_t> threads = {1};
  if (kHasThreads<ClustererOptions>) threads.push_back(2);
  for (const int64_t t : threads) {
    b->Args({1000, 2, 4, 100, t});
    b->Args({100000, 3, 8, 100, t});
    b->Args({1000000, 16, 32, 10, t});
  }
}
// Process CPU time beside real time: with 2 threads, what both threads spent.
BENCHMARK(BM_Cluster)
    ->Apply(ClusterShapes)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// A benchmark's shape and kernels: Args n, d, k, isa (KernelIsa as an integer).
constexpr int64_t kBaselineArg = static_cast<int64_t>(KernelIsa::kBaseline);
constexpr int64_t kAvx2Arg = static_cast<int64_t>(KernelIsa::kAvx2);
constexpr int64_t kAvx512Arg = static_cast<int64_t>(KernelIsa::kAvx512);
struct ShapeOnIsa {
  size_t n;
  size_t d;
  size_t k;
  KernelIsa isa;
};

// `state`'s ShapeOnIsa, with the ISA's name as its label; nullopt, the run marked skipped,
// when this CPU does not run that ISA.
std::optional<ShapeOnIsa> ReadShapeOnIsa(benchmark::State& state) {
  const ShapeOnIsa shape{static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)),
                         static_cast<size_t>(state.range(2)),
                         static_cast<KernelIsa>(state.range(3))};
  state.SetLabel(std::string(KernelIsaName(shape.isa)));
  if (!CpuRunsKernelIsa(shape.isa)) {
    state.SkipWithError("this CPU does not run these kernels");
    return std::nullopt;
  }
  return shape;
}

// Args: ShapeOnIsa, then the scan kernel (0 exact, 1 the dot-product filter). One dense
// assignment pass (every point against every center, no pruning) with one ISA's kernels: the
// step whose throughput is compared with this CPU's non-fused multiply+add peak (at n=1000000
// d=16 k=32), what a pass would cost without pruning at n=100000 d=3 k=8, and where the
// filter starts to pay. Counter `flops`: n·k·d·3 (the exact kernel's sub, mul, add) per pass,
// for either kernel, so the two compare as rates of the same work.
void BM_AssignDense(benchmark::State& state) {
  const std::optional<ShapeOnIsa> shape = ReadShapeOnIsa(state);
  if (!shape) return;
  const auto [n, d, k, isa] = *shape;
  const bool dot = state.range(4) != 0;
  if (dot) {
    state.SetLabel(std::string(KernelIsaName(isa)) + " dot");
    if (!DotFilterServes(isa)) {
      state.SkipWithError("the dot-product filter does not serve this ISA");
      return;
    }
  }
  MersenneTwister rng(42);
  const Points points = GeneratePoints(n, d, rng);
  const std::vector<double> centers(points.coords.begin(),
                                    points.coords.begin() + static_cast<ptrdiff_t>(k * d));
  AssignmentStep step(points, k, /*pruning=*/false, 1, isa, BoundStorage::kAuto,
                      dot ? ScanKernel::kDot : ScanKernel::kExact);
  std::vector<int32_t> assignments(n, 0);
  for (auto _ : state) benchmark::DoNotOptimize(step.Assign(centers, assignments, nullptr));
  state.counters["flops"] = benchmark::Counter(static_cast<double>(n * k * d * 3),
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_AssignDense)
    ->Args({1000000, 16, 32, kBaselineArg, 0})
    ->Args({1000000, 16, 32, kAvx2Arg, 0})
    ->Args({1000000, 16, 32, kAvx512Arg, 0})
    ->Args({1000000, 16, 32, kAvx512Arg, 1})
    ->Args({100000, 3, 8, kAvx512Arg, 0})
    ->Args({100000, 3, 8, kAvx512Arg, 1})
    ->Args({100000, 4, 16, kAvx512Arg, 0})
    ->Args({100000, 4, 16, kAvx512Arg, 1})
    ->Args({100000, 6, 16, kAvx512Arg, 0})
    ->Args({100000, 6, 16, kAvx512Arg, 1})
    ->Args({100000, 8, 16, kAvx512Arg, 0})
    ->Args({100000, 8, 16, kAvx512Arg, 1})
    ->Unit(benchmark::kMillisecond);

// Args: ShapeOnIsa. One pass of centroid sums (SumClusterRows, 1 thread) over points assigned
// to uniformly random clusters: the part of every Lloyd pass that reads every point.
void BM_CentroidSums(benchmark::State& state) {
  const std::optional<ShapeOnIsa> shape = ReadShapeOnIsa(state);
  if (!shape) return;
  const auto [n, d, k, isa] = *shape;
  MersenneTwister rng(42);
  const Points points = GeneratePoints(n, d, rng);
  std::vector<int32_t> assignments(n);
  for (int32_t& a : assignments) a = static_cast<int32_t>(rng.NextInt(static_cast<int32_t>(k)));
  CentroidRows rows(k, d);
  for (auto _ : state) {
    rows.Clear();
    SumClusterRows(points.coords.data(), n, d, assignments.data(), nullptr, rows.data(), k, isa);
    benchmark::DoNotOptimize(rows.data());
  }
}
BENCHMARK(BM_CentroidSums)
    ->Args({100000, 3, 8, kAvx2Arg})
    ->Args({100000, 3, 8, kAvx512Arg})
    ->Args({1000000, 16, 32, kAvx2Arg})
    ->Args({1000000, 16, 32, kAvx512Arg})
    ->Unit(benchmark::kMicrosecond);

// Args: n, d, k. k-means++ seeding alone (ChooseInitialCenters, 1 thread, the widest ISA):
// where the large shape's time goes. Counter `steps`: distance passes over the points (k - 1).
void BM_Seeding(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const auto d = static_cast<size_t>(state.range(1));
  const auto k = static_cast<size_t>(state.range(2));
  MersenneTwister generated(42);
  const Points points = GeneratePoints(n, d, generated);
  for (auto _ : state) {
    MersenneTwister rng = generated;
    benchmark::DoNotOptimize(ChooseInitialCenters(points, k, rng).data());
  }
  state.counters["steps"] = static_cast<double>(k - 1);
}
BENCHMARK(BM_Seeding)
    ->Args({100000, 3, 8})
    ->Args({1000000, 16, 32})
    ->Unit(benchmark::kMillisecond);

// The same clustering with ClustererOptions::mode = kFast (float32 GEMM form with FMA), on the
// shapes where it can pay: the report compares it with the exact engine and with Java.
void BM_ClusterFast(benchmark::State& state) { ClusterWithMode(state, ClusteringMode::kFast); }
BENCHMARK(BM_ClusterFast)
    ->Args({100000, 3, 8, 100, 1})
    ->Args({1000000, 16, 32, 10, 1})
    ->Args({1000000, 16, 32, 10, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

constexpr int64_t kSinSteps = 10'000'000;

void BM_SinChainFunction(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(functions::SinChain(1.0, kSinSteps));
}
void BM_SinChainCLoop(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(zs_sin_c_loop(1.0, kSinSteps));
}
// Interleaved registration is not possible; --benchmark_repetitions (the script) alternates
// nothing either, so the script runs them in several rounds and compares medians.
BENCHMARK(BM_SinChainCLoop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SinChainFunction)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zerostart::kmeans

BENCHMARK_MAIN();
