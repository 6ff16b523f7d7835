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

// Transposes the L x L block r[p][q] (point p, coordinate q) in place to r[q][p], with
// shuffles only (no arithmetic: the bits move unchanged). GCC picks the ISA's unpack and
// lane-permute instructions for the constant masks (on AVX-512: unpacks and two-source
// permutes, no gathers, which are slow on AMD).
[[gnu::always_inline]] inline void Transpose(V2* r) {
  const V2 c0 = __builtin_shufflevector(r[0], r[1], 0, 2);
  const V2 c1 = __builtin_shufflevector(r[0], r[1], 1, 3);
  r[0] = c0;
  r[1] = c1;
}

[[gnu::always_inline]] inline void Transpose(V4* r) {
  const V4 t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 2, 6);
  const V4 t1 = __builtin_shufflevector(r[0], r[1], 1, 5, 3, 7);
  const V4 t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 2, 6);
  const V4 t3 = __builtin_shufflevector(r[2], r[3], 1, 5, 3, 7);
  r[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  r[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  r[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  r[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

[[gnu::always_inline]] inline void Transpose(V8* r) {
  V8 t[8];
  for (size_t p = 0; p < 8; p += 2) {  // pairs of points interleaved within 128-bit lanes
    t[p] = __builtin_shufflevector(r[p], r[p + 1], 0, 8, 2, 10, 4, 12, 6, 14);
    t[p + 1] = __builtin_shufflevector(r[p], r[p + 1], 1, 9, 3, 11, 5, 13, 7, 15);
  }
  V8 u[8];
  for (size_t h = 0; h < 8; h += 4) {  // then pairs of 128-bit lanes
    u[h] = __builtin_shufflevector(t[h], t[h + 2], 0, 1, 4, 5, 8, 9, 12, 13);
    u[h + 1] = __builtin_shufflevector(t[h], t[h + 2], 2, 3, 6, 7, 10, 11, 14, 15);
    u[h + 2] = __builtin_shufflevector(t[h + 1], t[h + 3], 0, 1, 4, 5, 8, 9, 12, 13);
    u[h + 3] = __builtin_shufflevector(t[h + 1], t[h + 3], 2, 3, 6, 7, 10, 11, 14, 15);
  }
  // u[0..3] hold coordinates (0,4), (2,6), (1,5), (3,7) of points 0-3; u[4..7] of points 4-7.
  constexpr size_t kFrom[4] = {0, 2, 1, 3};
  for (size_t q = 0; q < 4; ++q) {
    r[q] = __builtin_shufflevector(u[kFrom[q]], u[kFrom[q] + 4], 0, 1, 4, 5, 8, 9, 12, 13);
    r[q + 4] = __builtin_shufflevector(u[kFrom[q]], u[kFrom[q] + 4], 2, 3, 6, 7, 10, 11, 14, 15);
  }
}

#if defined(__x86_64__)
// vminpd / vmaxpd: `a < b ? a : b` and `a > b ? a : b` (b when either is NaN). Zero-masked
// with every lane on: the unmasked intrinsics start from an undefined register, which GCC 12
// reports as maybe-uninitialized.
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline __m512d MinPd(
    __m512d a, __m512d b) {
  return _mm512_maskz_min_pd(0xff, a, b);
}
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline __m512d MaxPd(
    __m512d a, __m512d b) {
  return _mm512_maskz_max_pd(0xff, a, b);
}
#endif

}  // namespace zerostart::kmeans::simd

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_SIMD_H_
