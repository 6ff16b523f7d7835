// zs_fp_peak_bench: this CPU's peak of NON-fused double multiply + add (Google Benchmark), the
// yardstick for the exact k-means distance throughput (issue 4): Java's distance is
// `sum += (a - b) * (a - b)` with no FMA, so its roofline is separate vmulpd and vaddpd.
// Many independent chains (6 multiply chains and 6 add chains: latency 3-4 x 2 ports on
// current x86 cores, and 12 + 2 constants fit the 16 registers without spills), AVX2 (4 lanes) and scalar. Counter `flops`: one per lane per
// multiply or add.
#include <benchmark/benchmark.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

constexpr int kInner = 1024;  // loop trips per benchmark iteration

// Scalar: 6 + 6 separate variables (not an array, which GCC would turn into packed SSE2 ops).
[[gnu::optimize("no-tree-vectorize")]] void BM_ScalarMulAdd(benchmark::State& state) {
  double one = 1.0;
  double zero = 0.0;
  benchmark::DoNotOptimize(one);
  benchmark::DoNotOptimize(zero);
  double m0 = 1, m1 = 2, m2 = 3, m3 = 4, m4 = 5, m5 = 6;
  double a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6;
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
  state.counters["flops"] = benchmark::Counter(12.0 * kInner,
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ScalarMulAdd);

#if defined(__x86_64__)
[[gnu::target("avx2")]] void Avx2Loop(benchmark::State& state) {
  double one_s = 1.0;
  double zero_s = 0.0;
  benchmark::DoNotOptimize(one_s);
  benchmark::DoNotOptimize(zero_s);
  const __m256d one = _mm256_set1_pd(one_s);
  const __m256d zero = _mm256_set1_pd(zero_s);
  __m256d m0 = _mm256_set1_pd(1), m1 = _mm256_set1_pd(2), m2 = _mm256_set1_pd(3),
          m3 = _mm256_set1_pd(4), m4 = _mm256_set1_pd(5), m5 = _mm256_set1_pd(6);
  __m256d a0 = m0, a1 = m1, a2 = m2, a3 = m3, a4 = m4, a5 = m5;
  for (auto _ : state) {
    for (int i = 0; i < kInner; ++i) {
      m0 = _mm256_mul_pd(m0, one); a0 = _mm256_add_pd(a0, zero);
      m1 = _mm256_mul_pd(m1, one); a1 = _mm256_add_pd(a1, zero);
      m2 = _mm256_mul_pd(m2, one); a2 = _mm256_add_pd(a2, zero);
      m3 = _mm256_mul_pd(m3, one); a3 = _mm256_add_pd(a3, zero);
      m4 = _mm256_mul_pd(m4, one); a4 = _mm256_add_pd(a4, zero);
      m5 = _mm256_mul_pd(m5, one); a5 = _mm256_add_pd(a5, zero);
    }
    benchmark::DoNotOptimize(m0); benchmark::DoNotOptimize(a0);
    benchmark::DoNotOptimize(m1); benchmark::DoNotOptimize(a1);
    benchmark::DoNotOptimize(m2); benchmark::DoNotOptimize(a2);
    benchmark::DoNotOptimize(m3); benchmark::DoNotOptimize(a3);
    benchmark::DoNotOptimize(m4); benchmark::DoNotOptimize(a4);
    benchmark::DoNotOptimize(m5); benchmark::DoNotOptimize(a5);
  }
}

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
#endif

}  // namespace

BENCHMARK_MAIN();
