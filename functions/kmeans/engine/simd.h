// The SIMD vocabulary of the k-means kernels (distance_kernel, centroid_kernel, bounds_kernel):
// GCC vector extensions, so one source serves every ISA, and the run-time AVX2 and AVX-512
// checks. Internal to zs_kmeans; include only from .cc files (the pragma below is file-wide).
//
// The kernels are templates over the vector type: 2 doubles (SSE2, NEON: the baseline), 4
// (AVX2) or 8 (AVX-512), and a tile's 8 lanes are 4, 2 or 1 such vectors. Element-wise `-`,
// `*`, `+` round exactly as the scalar operations (IEEE, round to nearest), and
// -ffp-contract=off forbids fusing them. (GCC 12 scalarises comparisons of 8-double vectors,
// even with AVX-512 enabled, since their 64-bit-lane results do not map to mask registers: the
// AVX-512 kernels use V8 for arithmetic and mask-register intrinsics to compare and select.)
// The vectors only pass between always_inline helpers of one file, never across a call
// boundary, so GCC's note that their by-value ABI differs without AVX does not apply.
//
// Thread safety: CpuHasAvx2 and CpuHasAvx512 are safe to call from any thread (function-local
// statics).
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_SIMD_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_SIMD_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#pragma GCC diagnostic ignored "-Wpsabi"

namespace zerostart::kmeans::simd {

using V2 = double __attribute__((vector_size(16)));
using M2 = int64_t __attribute__((vector_size(16)));
using V4 = double __attribute__((vector_size(32)));
using M4 = int64_t __attribute__((vector_size(32)));
using V8 = double __attribute__((vector_size(64)));
using M8 = int64_t __attribute__((vector_size(64)));

template <typename V>
struct MaskOf;
template <>
struct MaskOf<V2> {
  using type = M2;
};
template <>
struct MaskOf<V4> {
  using type = M4;
};
template <>
struct MaskOf<V8> {
  using type = M8;
};

template <typename V>
[[gnu::always_inline]] inline V Load(const double* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Lane-wise `mask ? a : b` with bit operations (and/andnot/or).
template <typename V, typename M>
[[gnu::always_inline]] inline V Select(M mask, V a, V b) {
  return reinterpret_cast<V>((reinterpret_cast<M>(a) & mask) | (reinterpret_cast<M>(b) & ~mask));
}

// Whether this CPU runs the kernels' AVX2 builds (always false off x86-64).
inline bool CpuHasAvx2() {
#if defined(__x86_64__)
  static const bool has = [] {
    __builtin_cpu_init();  // idempotent; needed if called before libgcc's constructor ran
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}

// Whether this CPU runs the kernels' AVX-512 builds: F, DQ (the 64-bit lane masks) and VL.
inline bool CpuHasAvx512() {
#if defined(__x86_64__)
  static const bool has = [] {
    __builtin_cpu_init();
    return CpuHasAvx2() && __builtin_cpu_supports("avx512f") != 0 &&
           __builtin_cpu_supports("avx512dq") != 0 && __builtin_cpu_supports("avx512vl") != 0;
  }();
  return has;
#else
  return false;
#endif
}

#if defined(__x86_64__)
// r[l][q] -> r[q][l] for an 8x8 block of doubles in AVX-512 registers: pairs unpacked, then two
// rounds of two-source permutes (24 shuffles; gathers are slow on AMD). Zero-masked with
// every lane on: the unmasked unpacks start from an undefined register, which GCC 12 reports
// as maybe-uninitialized.
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline void Transpose8x8(
    __m512d* r) {
  __m512d t[8];
  for (size_t p = 0; p < 8; p += 2) {
    t[p] = _mm512_maskz_unpacklo_pd(0xff, r[p], r[p + 1]);      // columns 0, 2, 4, 6
    t[p + 1] = _mm512_maskz_unpackhi_pd(0xff, r[p], r[p + 1]);  // columns 1, 3, 5, 7
  }
  const __m512i low_pairs = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
  const __m512i high_pairs = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
  __m512d u[8];
  for (size_t h = 0; h < 8; h += 4) {  // rows h .. h + 3
    u[h] = _mm512_permutex2var_pd(t[h], low_pairs, t[h + 2]);           // columns 0, 4
    u[h + 1] = _mm512_permutex2var_pd(t[h + 1], low_pairs, t[h + 3]);   // columns 1, 5
    u[h + 2] = _mm512_permutex2var_pd(t[h], high_pairs, t[h + 2]);      // columns 2, 6
    u[h + 3] = _mm512_permutex2var_pd(t[h + 1], high_pairs, t[h + 3]);  // columns 3, 7
  }
  const __m512i low_halves = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11);
  const __m512i high_halves = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
  for (size_t q = 0; q < 4; ++q) {  // u[q]: columns q and q + 4 of rows 0-3; u[q + 4]: 4-7
    r[q] = _mm512_permutex2var_pd(u[q], low_halves, u[q + 4]);
    r[q + 4] = _mm512_permutex2var_pd(u[q], high_halves, u[q + 4]);
  }
}
#endif

}  // namespace zerostart::kmeans::simd

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_SIMD_H_
