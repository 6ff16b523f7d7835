// The AVX-512 building blocks that the exact k-means kernels share (distance_kernel.cc,
// run_kernel.cc): Java's sums of squares for 8 points across the lanes of one vector, the
// nearest-center scan over them with its near-tie flag, and the Hamerly bounds of a scanned
// tile. Each function carries the AVX-512 target attribute and is inlined into its caller's
// AVX-512 build. x86-64 only. Internal to zs_kmeans.
//
// Thread safety: pure functions and values.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_SCAN_AVX512_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_SCAN_AVX512_H_

#if defined(__x86_64__)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <limits>

#include "functions/kmeans/engine/distance_kernel.h"
#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/simd.h"

namespace zerostart::kmeans::scan_avx512 {

using simd::MaxPd;
using simd::MinPd;

// One chain of the nearest-center scan (distance_kernel.cc's NearestBody) for AVX-512
// (mask-register intrinsics: GCC 12 scalarises the 8-double vector-extension comparisons,
// their 64-bit-lane results, so the comparisons and selects are spelt out). The operations and
// their NaN behaviour are NearestBody's, lane for lane: best, second and below only ever take
// non-NaN sums. vminpd / vmaxpd are the ternaries `a < b ? a : b` / `a > b ? a : b` (the
// second operand on NaN), and need no mask register: per center, one compare into a mask (the
// index and `below` follow it), the rest plain vector operations (AMD runs few mask-register
// operations per cycle).
struct ScanAvx512 {
  __m512d best;
  __m512d second;
  __m512d below;  // NearestBody's: the smallest sum before the minimum's center
  __m512i index;

  __attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline void Start() {
    best = _mm512_set1_pd(std::numeric_limits<double>::infinity());
    second = best;
    below = best;
    index = _mm512_setzero_si512();
  }

  // kSecond = false leaves `second` as it is (a scan whose bounds are not wanted).
  template <bool kSecond = true>
  __attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline void Add(
      __m512d sum, size_t c) {
    const __mmask8 less = _mm512_cmp_pd_mask(sum, best, _CMP_LT_OQ);
    below = _mm512_mask_mov_pd(below, less, best);
    // larger = best > sum ? best : sum; second = larger < second ? larger : second.
    if constexpr (kSecond) second = MinPd(MaxPd(best, sum), second);
    best = MinPd(sum, best);  // sum < best ? sum : best: a NaN sum keeps best
    index = _mm512_mask_mov_epi64(index, less, _mm512_set1_epi64(static_cast<int64_t>(c)));
  }

  // Folds in `later`, the scan of centers that all come after this one's: what one scan over
  // both would give. Its minimum wins only if strictly smaller (then every center of this
  // scan, and later's own `below`, precede it); the second smallest of the union is
  // min(max(best, later.best), min(later.second, second)).
  __attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline void Merge(
      const ScanAvx512& later) {
    const __mmask8 less = _mm512_cmp_pd_mask(later.best, best, _CMP_LT_OQ);
    below = _mm512_mask_mov_pd(below, less, MinPd(best, later.below));
    second = MinPd(MaxPd(best, later.best), MinPd(later.second, second));
    best = _mm512_mask_mov_pd(best, less, later.best);
    index = _mm512_mask_mov_epi64(index, less, later.index);
  }

  // NearestBody's near-tie flag: an earlier center within a relative 2^-50 of the minimum.
  __attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline __mmask8 NearTie()
      const {
    // As NearestBody: not when no sum was finite (best = +inf).
    return _kand_mask8(
        _mm512_cmp_pd_mask(below, _mm512_mul_pd(best, _mm512_set1_pd(kNearTieGate)),
                           _CMP_LE_OQ),
        _mm512_cmp_pd_mask(best, _mm512_set1_pd(std::numeric_limits<double>::infinity()),
                           _CMP_LT_OQ));
  }
};

// Coordinate j of 8 consecutive points whose kDims-coordinate rows fill the vectors `v`
// (lane l: element l * kDims + j of their concatenation), by two-source permutes: the tile of
// a run of points without element loads. REQUIRES: 1 <= kDims <= 4, j < kDims.
template <size_t kDims>
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline __m512d
RunColumn(const __m512d* v, size_t j) {
  if constexpr (kDims == 1) {
    return v[0];
  } else {
    alignas(64) int64_t index[kTileWidth];
    unsigned high = 0;  // lanes whose element lies in v[2] or v[3]
    for (size_t l = 0; l < kTileWidth; ++l) {
      const size_t flat = l * kDims + j;
      index[l] = static_cast<int64_t>(flat % 16);
      if (flat >= 16) high |= 1u << l;
    }
    const __m512i at = _mm512_load_si512(index);
    __m512d column = _mm512_permutex2var_pd(v[0], at, v[1]);
    if constexpr (kDims == 3) {
      column = _mm512_mask_permutexvar_pd(column, static_cast<__mmask8>(high), at, v[2]);
    } else if constexpr (kDims == 4) {
      column = _mm512_mask_blend_pd(static_cast<__mmask8>(high), column,
                                    _mm512_permutex2var_pd(v[2], at, v[3]));
    }
    return column;
  }
}

// The kDims columns of the 8 consecutive rows starting at p (8 * kDims doubles): whole-vector
// loads, then RunColumn for each coordinate.
template <size_t kDims>
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline void
RunColumns(const double* p, __m512d* x) {
  __m512d v[kDims];
  for (size_t j = 0; j < kDims; ++j) v[j] = _mm512_loadu_pd(p + j * kTileWidth);
  for (size_t j = 0; j < kDims; ++j) x[j] = RunColumn<kDims>(v, j);
}

// Java's sum of squares of the columns x (one point per lane) against center c, in dimension
// order with a separate multiply and add (the first term as is: Java adds it to 0.0). Each
// center coordinate is broadcast from memory into its subtraction.
template <size_t kDims>
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline __m512d
RunSum(const __m512d* x, const double* c) {
  __m512d dp = _mm512_sub_pd(x[0], _mm512_set1_pd(c[0]));
  __m512d sum = _mm512_mul_pd(dp, dp);
  for (size_t j = 1; j < kDims; ++j) {
    dp = _mm512_sub_pd(x[j], _mm512_set1_pd(c[j]));
    sum = _mm512_add_pd(sum, _mm512_mul_pd(dp, dp));
  }
  return sum;
}

// TileBounds (distance_kernel.h) of 8 lanes held in registers: the bounds of the nearest and
// second smallest sums, the same IEEE operations in the same order as the scalar definition
// (a masked conversion gives LowerF's +0.0f, a blend its cap at FLT_MAX).
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline void
BoundsOfSums(__m512d nearest_sum, __m512d second_sum, double eps, __m256* upper,
             __m256* lower) {
  const __m512d slack = _mm512_set1_pd(kUnderflowSlack);
  const __m512d u = _mm512_mul_pd(_mm512_add_pd(_mm512_maskz_sqrt_pd(0xff, nearest_sum), slack),
                                  _mm512_set1_pd(1.0 + 2.0 * eps));
  *upper = _mm512_maskz_cvtpd_ps(
      0xff, _mm512_add_pd(_mm512_mul_pd(u, _mm512_set1_pd(kUpperFGrow)),
                          _mm512_set1_pd(kBoundFSlack)));
  const __m512d v = _mm512_mul_pd(_mm512_sub_pd(_mm512_maskz_sqrt_pd(0xff, second_sum), slack),
                                  _mm512_set1_pd(1.0 - 2.0 * eps));
  const __m512d shrunk = _mm512_sub_pd(_mm512_mul_pd(v, _mm512_set1_pd(kLowerFShrink)),
                                       _mm512_set1_pd(kBoundFSlack));
  const __m512d cap = _mm512_set1_pd(static_cast<double>(std::numeric_limits<float>::max()));
  const __m512d capped =
      _mm512_mask_blend_pd(_mm512_cmp_pd_mask(shrunk, cap, _CMP_LT_OQ), cap, shrunk);
  *lower = _mm512_maskz_cvtpd_ps(_mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_GT_OQ), capped);
}

}  // namespace zerostart::kmeans::scan_avx512

#endif  // defined(__x86_64__)
#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_SCAN_AVX512_H_
