// zs_fp_peak_bench: this CPU's peak of NON-fused double multiply + add (Google Benchmark), the
// yardstick for the exact k-means distance throughput: Java's distance is
// `sum += (a - b) * (a - b)` with no FMA, so its roofline is separate vmulpd and vaddpd.
// Many independent chains (6 multiply chains and 6 add chains: latency 3-4 x 2 ports on
// current x86 cores, and 12 + 2 constants fit the 16 registers without spills), AVX-512 (8
// lanes; on cores that split 512-bit operations in two halves, as AMD Zen 4 does, its peak is
// the AVX2 one), AVX2 (4 lanes) and scalar. Counter `flops`: one per lane per multiply or add.
#include <benchmark/benchmark.h>

namespace {

constexpr int kInner = 1024;  // loop trips per benchmark iteration

// The 6 + 6 chains for one element type V: double (scalar) or a GCC vector of 4 doubles
// (AVX2) or 8 (AVX-512), in separate variables (an array would be turned into packed SSE2 ops
// for double).
template <typename V>
[[gnu::always_inline]] inline void MulAddChains(benchmark::State& state) {
  double one_s = 1.0;
  double zero_s = 0.0;
  benchmark::DoNotOptimize(one_s);
  benchmark::DoNotOptimize(zero_s);
  const V one = V{} + one_s;
  const V zero = V{} + zero_s;
  V m0 = V{} + 1.0, m1 = V{} + 2.0, m2 = V{} + 3.0, m3 = V{} + 4.0, m4 = V{} + 5.0,
    m5 = V{} + 6.0;
  V a0 = m0, a1 = m1, a2 = m2, a3 = m3, a4 = m4, a5 = m5;
  for (auto _ : state) {
    for (int i = 0; i < kInner; ++i) {
      // x * 1.0 and x + 0.0 keep every value finite and normal (no denormal slow path).
      m0 = m0 * one; a0 = a0 + zero;
      m1 = m1 * one; a1 = a1 + zero;
      m2 = m2 * one; a2 = a2 + zero;
      m3 = m3 * one; a3 = a3 + zero;
      m4 = m4 * one; a4 = a4 + zero;
      m5 = m5 * one; a5 = a5 + zero;
    }
    benchmark::DoNotOptimize(m0); benchmark::DoNotOptimize(a0);
    benchmark::DoNotOptimize(m1); benchmark::DoNotOptimize(a1);
    benchmark::DoNotOptimize(m2); benchmark::DoNotOptimize(a2);
    benchmark::DoNotOptimize(m3); benchmark::DoNotOptimize(a3);
    benchmark::DoNotOptimize(m4); benchmark::DoNotOptimize(a4);
    benchmark::DoNotOptimize(m5); benchmark::DoNotOptimize(a5);
  }
}

[[gnu::optimize("no-tree-vectorize")]] void BM_ScalarMulAdd(benchmark::State& state) {
  MulAddChains<double>(state);
  state.counters["flops"] = benchmark::Counter(12.0 * kInner,
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ScalarMulAdd);

#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wpsabi"  // V4 never crosses a call boundary (always_inline)
using V4 = double __attribute__((vector_size(32)));

[[gnu::target("avx2")]] void Avx2Loop(benchmark::State& state) { MulAddChains<V4>(state); }

void BM_Avx2MulAdd(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2")) {
    state.SkipWithError("no AVX2 on this CPU");
    return;
  }
  Avx2Loop(state);
  state.counters["flops"] = benchmark::Counter(6.0 * 2 * 4 * kInner,
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Avx2MulAdd);

using V8 = double __attribute__((vector_size(64)));

[[gnu::target("avx512f")]] void Avx512Loop(benchmark::State& state) { MulAddChains<V8>(state); }

void BM_Avx512MulAdd(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("no AVX-512 on this CPU");
    return;
  }
  Avx512Loop(state);
  state.counters["flops"] = benchmark::Counter(6.0 * 2 * 8 * kInner,
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Avx512MulAdd);
#endif

}  // namespace

BENCHMARK_MAIN();
