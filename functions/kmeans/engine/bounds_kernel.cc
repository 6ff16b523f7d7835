#include "functions/kmeans/engine/bounds_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/simd.h"

namespace zerostart::kmeans {
namespace {

// One point, scalar: the tail of a range, and the whole range on CPUs without AVX2 (the
// portable build is a fallback; this loop is still branch-light and allocation-free).
inline bool UpdateOne(size_t a, float& upper, float& lower, const FloatDrifts& drifts) {
  const float u = UpF(upper + drifts.drift[a]);
  const float l = DownF(lower - drifts.other_drift[a]);
  const float s = DownF(drifts.separation[a] - u);
  upper = u;
  lower = l;
  return FloatPruneTest(u, l > s ? l : s);
}

size_t UpdateScalar(const int32_t* assignments, float* upper, float* lower, size_t begin,
                    size_t count, const FloatDrifts& drifts, uint32_t* failed, size_t found) {
  for (size_t i = begin; i < count; ++i) {
    const bool keep = UpdateOne(static_cast<size_t>(assignments[i]), upper[i], lower[i], drifts);
    failed[found] = static_cast<uint32_t>(i);
    found += keep ? 0 : 1;  // written always, kept only on failure: no branch per point
  }
  return found;
}

// One point of TightenBounds, scalar (tails; CPUs without AVX2).
// Point i's upper bound becomes `upper` (UpperF of the bound from Java's distance); returns
// whether the point keeps its center given its lower bound `lower`.
inline bool TightenOne(uint32_t i, const int32_t* assignments, float lower,
                       const TightenInputs& in, float& upper) {
  const auto a = static_cast<size_t>(assignments[i]);
  const double computed =
      Distance(in.coords + size_t{i} * in.dims, in.centers + a * in.dims, in.dims);
  const double u = ExactUpperFromComputed(computed, in.eps);
  upper = UpperF(u);
  return PruneTest(u, std::max(static_cast<double>(lower), in.separation[a] - u), in.eps);
}

size_t TightenScalar(const int32_t* assignments, float* upper, const float* lower,
                     const uint32_t* offsets, size_t begin, size_t count,
                     const TightenInputs& in, uint32_t* to_scan, size_t found) {
  for (size_t t = begin; t < count; ++t) {
    const uint32_t i = offsets[t];
    const bool keep = TightenOne(i, assignments, lower[i], in, upper[i]);
    to_scan[found] = offsets[t];
    found += keep ? 0 : 1;
  }
  return found;
}

#if defined(__x86_64__)
// kLeftPack[mask]: the lane numbers of mask's set bits, in increasing order, one per byte (the
// rest 0): a vpermd with it packs the failed lanes' indices to the front, no branch per lane
// (which lanes fail is data-dependent; a branch on it mispredicted about once per 8 points).
struct LeftPackTable {
  uint64_t lanes[256];
  constexpr LeftPackTable() : lanes() {
    for (uint32_t mask = 0; mask < 256; ++mask) {
      uint64_t packed = 0;
      uint32_t slot = 0;
      for (uint32_t lane = 0; lane < 8; ++lane) {
        if ((mask >> lane) & 1u) packed |= uint64_t{lane} << (8 * slot++);
      }
      lanes[mask] = packed;
    }
  }
};
constexpr LeftPackTable kLeftPack;

// Claim 3's operations on 8 lanes, in UpdateOne's order. kPermute: k <= 8, the per-cluster
// values sit in one register and vpermps picks each lane's (1 instruction for 8 points).
template <bool kPermute>
__attribute__((target("avx2,popcnt"))) size_t UpdateAvx2(const int32_t* assignments, float* upper,
                                                  float* lower, size_t count,
                                                  const FloatDrifts& drifts, uint32_t* failed) {
  __m256 drift_table = _mm256_setzero_ps();
  __m256 other_table = _mm256_setzero_ps();
  __m256 separation_table = _mm256_setzero_ps();
  if constexpr (kPermute) {
    float d[8] = {};
    float o[8] = {};
    float s[8] = {};
    std::memcpy(d, drifts.drift, drifts.k * sizeof(float));
    std::memcpy(o, drifts.other_drift, drifts.k * sizeof(float));
    std::memcpy(s, drifts.separation, drifts.k * sizeof(float));
    drift_table = _mm256_loadu_ps(d);
    other_table = _mm256_loadu_ps(o);
    separation_table = _mm256_loadu_ps(s);
  }
  const __m256 grow = _mm256_set1_ps(kFloatGrow);
  const __m256 shrink = _mm256_set1_ps(kFloatShrink);
  const __m256 slack = _mm256_set1_ps(kFloatSlack);
  const __m256 test_grow = _mm256_set1_ps(kFloatTestGrow);
  const __m256 test_shrink = _mm256_set1_ps(kFloatTestShrink);
  const __m256 test_slack = _mm256_set1_ps(kFloatTestSlack);
  const __m256 zero = _mm256_setzero_ps();
  const __m256i lane_ids = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  size_t found = 0;
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256i a =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(assignments + i));
    __m256 drift;
    __m256 other;
    __m256 separation;
    if constexpr (kPermute) {
      drift = _mm256_permutevar8x32_ps(drift_table, a);
      other = _mm256_permutevar8x32_ps(other_table, a);
      separation = _mm256_permutevar8x32_ps(separation_table, a);
    } else {
      // Masked with every lane on: the unmasked intrinsics start from an undefined register,
      // which GCC 12 reports as maybe-uninitialized.
      const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
      drift = _mm256_mask_i32gather_ps(zero, drifts.drift, a, all, 4);
      other = _mm256_mask_i32gather_ps(zero, drifts.other_drift, a, all, 4);
      separation = _mm256_mask_i32gather_ps(zero, drifts.separation, a, all, 4);
    }
    const __m256 u_sum = _mm256_add_ps(_mm256_loadu_ps(upper + i), drift);
    const __m256 u = _mm256_add_ps(_mm256_mul_ps(u_sum, grow), slack);
    const __m256 l_diff = _mm256_sub_ps(_mm256_loadu_ps(lower + i), other);
    // max(x, 0) with x first: vmaxps returns the second operand for NaN, i.e. 0 (as DownF).
    const __m256 l = _mm256_max_ps(_mm256_sub_ps(_mm256_mul_ps(l_diff, shrink), slack), zero);
    const __m256 s_diff = _mm256_sub_ps(separation, u);
    const __m256 s = _mm256_max_ps(_mm256_sub_ps(_mm256_mul_ps(s_diff, shrink), slack), zero);
    const __m256 bound = _mm256_max_ps(l, s);
    const __m256 lhs = _mm256_add_ps(_mm256_mul_ps(u, test_grow), test_slack);
    const __m256 rhs = _mm256_sub_ps(_mm256_mul_ps(bound, test_shrink), test_slack);
    _mm256_storeu_ps(upper + i, u);
    _mm256_storeu_ps(lower + i, l);
    const auto fail = static_cast<uint32_t>(
        _mm256_movemask_ps(_mm256_cmp_ps(lhs, rhs, _CMP_NLT_UQ)));  // !(lhs < rhs)
    const __m256i pack = _mm256_cvtepu8_epi32(
        _mm_cvtsi64_si128(static_cast<int64_t>(kLeftPack.lanes[fail])));
    const __m256i offsets = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(i)), lane_ids);
    // 8 values stored, popcount kept: `failed` has 8 spare slots for the overhang.
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(failed + found),
                        _mm256_permutevar8x32_epi32(offsets, pack));
    found += static_cast<size_t>(__builtin_popcount(fail));
  }
  return UpdateScalar(assignments, upper, lower, i, count, drifts, failed, found);
}

// UpdateAvx2's operations on 16 lanes, for k <= 16: one zmm holds every cluster's value and
// vpermps picks each lane's. The last count % 16 points run as a masked iteration, the others
// with plain loads and stores; the failing offsets are compressed in a register and stored as
// a whole vector (no left-pack table; vpcompressd to memory is microcoded on AMD, and a masked
// store cannot forward to the next stage's loads). vmaxps, vpermps and the conversions are
// zero-masked with every lane on: the unmasked intrinsics start from an undefined register,
// which GCC 12 reports as maybe-uninitialized.
//
// UpdateAvx512's per-cluster tables: each cluster's value in its lane.
struct UpdateTables {
  __m512 drift, other, separation;
};

// One group of 16 points at offset i of UpdateAvx512 (lanes outside `valid` untouched; kFull:
// all 16 valid). The failing offsets go to failed + found, and `found` advances.
template <bool kFull>
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl,avx2,popcnt"))) inline void
UpdateGroup(const int32_t* assignments, float* upper, float* lower, size_t i, __mmask16 valid,
            const UpdateTables& tables, uint32_t* failed, size_t& found) {
  constexpr __mmask16 kAll = 0xffff;
  const __m512 grow = _mm512_set1_ps(kFloatGrow);
  const __m512 shrink = _mm512_set1_ps(kFloatShrink);
  const __m512 slack = _mm512_set1_ps(kFloatSlack);
  const __m512 zero = _mm512_setzero_ps();
  const __m512i a = kFull ? _mm512_loadu_si512(assignments + i)
                          : _mm512_maskz_loadu_epi32(valid, assignments + i);
  const __m512 drift = _mm512_maskz_permutexvar_ps(kAll, a, tables.drift);
  const __m512 other = _mm512_maskz_permutexvar_ps(kAll, a, tables.other);
  const __m512 separation = _mm512_maskz_permutexvar_ps(kAll, a, tables.separation);
  const __m512 old_u = kFull ? _mm512_loadu_ps(upper + i) : _mm512_maskz_loadu_ps(valid, upper + i);
  const __m512 old_l = kFull ? _mm512_loadu_ps(lower + i) : _mm512_maskz_loadu_ps(valid, lower + i);
  const __m512 u = _mm512_add_ps(_mm512_mul_ps(_mm512_add_ps(old_u, drift), grow), slack);
  const __m512 l_diff = _mm512_sub_ps(old_l, other);
  // max(x, 0) with x first: vmaxps returns the second operand for NaN, i.e. 0 (as DownF).
  const __m512 l =
      _mm512_maskz_max_ps(kAll, _mm512_sub_ps(_mm512_mul_ps(l_diff, shrink), slack), zero);
  const __m512 s_diff = _mm512_sub_ps(separation, u);
  const __m512 sv =
      _mm512_maskz_max_ps(kAll, _mm512_sub_ps(_mm512_mul_ps(s_diff, shrink), slack), zero);
  const __m512 bound = _mm512_maskz_max_ps(kAll, l, sv);
  const __m512 lhs = _mm512_add_ps(_mm512_mul_ps(u, _mm512_set1_ps(kFloatTestGrow)),
                                   _mm512_set1_ps(kFloatTestSlack));
  const __m512 rhs = _mm512_sub_ps(_mm512_mul_ps(bound, _mm512_set1_ps(kFloatTestShrink)),
                                   _mm512_set1_ps(kFloatTestSlack));
  if constexpr (kFull) {
    _mm512_storeu_ps(upper + i, u);
    _mm512_storeu_ps(lower + i, l);
  } else {
    _mm512_mask_storeu_ps(upper + i, valid, u);
    _mm512_mask_storeu_ps(lower + i, valid, l);
  }
  const __mmask16 fail = _mm512_mask_cmp_ps_mask(valid, lhs, rhs, _CMP_NLT_UQ);  // !(lhs < rhs)
  const __m512i offsets = _mm512_add_epi32(
      _mm512_set1_epi32(static_cast<int32_t>(i)),
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  _mm512_storeu_si512(failed + found, _mm512_maskz_compress_epi32(fail, offsets));
  found += static_cast<size_t>(__builtin_popcount(fail));
}

__attribute__((target("avx512f,avx512dq,avx512vl,avx2,popcnt"))) size_t UpdateAvx512(
    const int32_t* assignments, float* upper, float* lower, size_t count,
    const FloatDrifts& drifts, uint32_t* failed) {
  alignas(64) float d[16] = {};
  alignas(64) float o[16] = {};
  alignas(64) float s[16] = {};
  std::memcpy(d, drifts.drift, drifts.k * sizeof(float));
  std::memcpy(o, drifts.other_drift, drifts.k * sizeof(float));
  std::memcpy(s, drifts.separation, drifts.k * sizeof(float));
  const UpdateTables tables{_mm512_load_ps(d), _mm512_load_ps(o), _mm512_load_ps(s)};
  size_t found = 0;
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    UpdateGroup<true>(assignments, upper, lower, i, 0xffff, tables, failed, found);
  }
  if (i < count) {
    UpdateGroup<false>(assignments, upper, lower, i,
                       static_cast<__mmask16>((1u << (count - i)) - 1), tables, failed, found);
  }
  return found;
}

// TightenBounds, 4 points per iteration: Java's distance is summed in dimension order as in TightenOne (no FMA:
// target("avx2") does not enable it), and the failing offsets are left-packed into to_scan.
__attribute__((target("avx2,popcnt"))) size_t TightenAvx2(
    const int32_t* assignments, float* upper, const float* lower, const uint32_t* offsets,
    size_t count, const TightenInputs& in, uint32_t* to_scan) {
  const __m256d grow = _mm256_set1_pd(1.0 + 2.0 * in.eps);       // ExactUpperFromComputed
  const __m256d test_grow = _mm256_set1_pd(1.0 + in.eps);         // PruneTest
  const __m256d test_shrink = _mm256_set1_pd(1.0 - in.eps);
  const __m256d slack = _mm256_set1_pd(kUnderflowSlack);
  const __m256d upper_grow = _mm256_set1_pd(kUpperFGrow);    // UpperF
  const __m256d upper_slack = _mm256_set1_pd(kBoundFSlack);
  size_t found = 0;
  size_t t = 0;
  for (; t + 4 <= count; t += 4) {
    // Four points and their centers by scalar loads and inserts (vgatherqpd was slower here:
    // the points are few and scattered, and each gather costs several cycles per element).
    const uint32_t* o = offsets + t;
    const double* x[4];
    const double* c[4];
    size_t a[4];
    for (size_t l = 0; l < 4; ++l) {
      x[l] = in.coords + size_t{o[l]} * in.dims;
      a[l] = static_cast<size_t>(assignments[o[l]]);
      c[l] = in.centers + a[l] * in.dims;
    }
    __m256d sum = _mm256_setzero_pd();
    for (size_t j = 0; j < in.dims; ++j) {
      const __m256d xj = _mm256_setr_pd(x[0][j], x[1][j], x[2][j], x[3][j]);
      const __m256d cj = _mm256_setr_pd(c[0][j], c[1][j], c[2][j], c[3][j]);
      const __m256d dp = _mm256_sub_pd(xj, cj);
      const __m256d square = _mm256_mul_pd(dp, dp);
      sum = j == 0 ? square : _mm256_add_pd(sum, square);  // 0.0 + s == s, as SumOfSquaresBy
    }
    const __m256d u = _mm256_mul_pd(_mm256_add_pd(_mm256_sqrt_pd(sum), slack), grow);
    const __m256d low = _mm256_cvtps_pd(_mm_setr_ps(lower[o[0]], lower[o[1]], lower[o[2]], lower[o[3]]));
    const __m256d from_separation = _mm256_sub_pd(
        _mm256_setr_pd(in.separation[a[0]], in.separation[a[1]], in.separation[a[2]],
                       in.separation[a[3]]),
        u);
    // std::max(low, from_separation): low unless from_separation is larger.
    const __m256d bound = _mm256_blendv_pd(low, from_separation,
                                           _mm256_cmp_pd(low, from_separation, _CMP_LT_OQ));
    const __m256d lhs = _mm256_add_pd(_mm256_mul_pd(u, test_grow), slack);
    const __m256d rhs = _mm256_sub_pd(_mm256_mul_pd(bound, test_shrink), slack);
    const auto fail = static_cast<uint32_t>(
        _mm256_movemask_pd(_mm256_cmp_pd(lhs, rhs, _CMP_NLT_UQ)));  // !(lhs < rhs)
    float up[4];
    _mm_storeu_ps(up, _mm256_cvtpd_ps(_mm256_add_pd(_mm256_mul_pd(u, upper_grow), upper_slack)));
    for (size_t l = 0; l < 4; ++l) upper[offsets[t + l]] = up[l];
    const __m256i pack = _mm256_cvtepu8_epi32(
        _mm_cvtsi64_si128(static_cast<int64_t>(kLeftPack.lanes[fail])));
    const __m256i idx = _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(o)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to_scan + found),
                        _mm256_permutevar8x32_epi32(idx, pack));
    found += static_cast<size_t>(__builtin_popcount(fail));
  }
  return TightenScalar(assignments, upper, lower, offsets, t, count, in, to_scan, found);
}

// TightenBounds on AVX-512, 8 listed points per iteration, for k <= 8 centers of kDims <= 4
// coordinates: coordinate j of every center sits in one register (lane c = center c), so each
// lane's center coordinates and separation are one vpermpd each, and the points' coordinates,
// assignments and lower bounds are gathered (few and scattered points: one gather per
// coordinate beats 8 scalar loads and inserts). Java's distance is summed in dimension order
// and every later operation is TightenAvx2's, in its order, so the bits are the same. The last
// count % 8 offsets run as a masked iteration (no scalar tail). The failing offsets are
// compressed in a register and stored whole (vpcompressd to memory is microcoded on AMD).
// Conversions, permutes and the sqrt are the zero-masked forms with every lane on: the
// unmasked intrinsics start from an undefined register, which GCC 12 reports as
// maybe-uninitialized.
template <size_t kDims>
__attribute__((target("avx512f,avx512dq,avx512vl,avx2,popcnt"))) size_t TightenAvx512(
    const int32_t* assignments, float* upper, const float* lower, const uint32_t* offsets,
    size_t count, const TightenInputs& in, uint32_t* to_scan) {
  // The tables (lanes c >= k are 0): masked loads and one gather per coordinate, a few
  // instructions per call (a scalar fill loop cost as much as a tenth of the kernel).
  const auto centers_on = static_cast<__mmask8>((1u << in.k) - 1);
  const __m512i center_rows =
      _mm512_mullo_epi64(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7),
                         _mm512_set1_epi64(static_cast<int64_t>(kDims)));
  __m512d center_table[kDims];
  for (size_t j = 0; j < kDims; ++j) {
    center_table[j] = _mm512_mask_i64gather_pd(_mm512_setzero_pd(), centers_on, center_rows,
                                               in.centers + j, 8);
  }
  const __m512d separation_table = _mm512_maskz_loadu_pd(centers_on, in.separation);
  const __m512d grow = _mm512_set1_pd(1.0 + 2.0 * in.eps);       // ExactUpperFromComputed
  const __m512d test_grow = _mm512_set1_pd(1.0 + in.eps);         // PruneTest
  const __m512d test_shrink = _mm512_set1_pd(1.0 - in.eps);
  const __m512d slack = _mm512_set1_pd(kUnderflowSlack);
  const __m512d upper_grow = _mm512_set1_pd(kUpperFGrow);    // UpperF
  const __m512d upper_slack = _mm512_set1_pd(kBoundFSlack);
  size_t found = 0;
  for (size_t t = 0; t < count; t += 8) {
    const __mmask8 valid =
        count - t >= 8 ? __mmask8{0xff} : static_cast<__mmask8>((1u << (count - t)) - 1);
    // Scalar loads and inserts, not gathers: AMD runs a gather of 8 as a slow sequence, and
    // five of them per 8 points (assignments, lower bounds, coordinates) were the kernel's
    // cost. Lanes past the list repeat its first offset (their results are dropped).
    const size_t lanes = count - t >= 8 ? 8 : count - t;
    uint32_t at[8];
    for (size_t l = 0; l < 8; ++l) at[l] = offsets[t + (l < lanes ? l : 0)];
    const __m256i idx = _mm256_setr_epi32(
        static_cast<int32_t>(at[0]), static_cast<int32_t>(at[1]), static_cast<int32_t>(at[2]),
        static_cast<int32_t>(at[3]), static_cast<int32_t>(at[4]), static_cast<int32_t>(at[5]),
        static_cast<int32_t>(at[6]), static_cast<int32_t>(at[7]));
    const __m256i a32 = _mm256_setr_epi32(assignments[at[0]], assignments[at[1]],
                                          assignments[at[2]], assignments[at[3]],
                                          assignments[at[4]], assignments[at[5]],
                                          assignments[at[6]], assignments[at[7]]);
    const __m512i a = _mm512_maskz_cvtepi32_epi64(0xff, a32);
    // The 8 rows (one masked 4-double load each), transposed to one vector per coordinate:
    // points l and l + 4 side by side, 2x2 blocks within 128-bit lanes, then the lanes.
    simd::V4 r[8];
    for (size_t l = 0; l < 8; ++l) {
      r[l] = reinterpret_cast<simd::V4>(
          _mm256_maskz_loadu_pd((1u << kDims) - 1, in.coords + size_t{at[l]} * kDims));
    }
    using simd::V8;
    const V8 z0 = __builtin_shufflevector(r[0], r[4], 0, 1, 2, 3, 4, 5, 6, 7);
    const V8 z1 = __builtin_shufflevector(r[1], r[5], 0, 1, 2, 3, 4, 5, 6, 7);
    const V8 z2 = __builtin_shufflevector(r[2], r[6], 0, 1, 2, 3, 4, 5, 6, 7);
    const V8 z3 = __builtin_shufflevector(r[3], r[7], 0, 1, 2, 3, 4, 5, 6, 7);
    const V8 t0 = __builtin_shufflevector(z0, z1, 0, 8, 2, 10, 4, 12, 6, 14);
    const V8 t1 = __builtin_shufflevector(z0, z1, 1, 9, 3, 11, 5, 13, 7, 15);
    const V8 t2 = __builtin_shufflevector(z2, z3, 0, 8, 2, 10, 4, 12, 6, 14);
    const V8 t3 = __builtin_shufflevector(z2, z3, 1, 9, 3, 11, 5, 13, 7, 15);
    const V8 columns[4] = {
        __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13),
        __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13),
        __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15),
        __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15),
    };
    __m512d sum = _mm512_setzero_pd();
    for (size_t j = 0; j < kDims; ++j) {
      const __m512d dp = _mm512_sub_pd(reinterpret_cast<__m512d>(columns[j]),
                                       _mm512_maskz_permutexvar_pd(0xff, a, center_table[j]));
      const __m512d square = _mm512_mul_pd(dp, dp);
      sum = j == 0 ? square : _mm512_add_pd(sum, square);  // 0.0 + s == s, as SumOfSquaresBy
    }
    const __m512d u =
        _mm512_mul_pd(_mm512_add_pd(_mm512_maskz_sqrt_pd(0xff, sum), slack), grow);
    const __m512d low = _mm512_maskz_cvtps_pd(
        0xff, _mm256_setr_ps(lower[at[0]], lower[at[1]], lower[at[2]], lower[at[3]],
                             lower[at[4]], lower[at[5]], lower[at[6]], lower[at[7]]));
    const __m512d from_separation =
        _mm512_sub_pd(_mm512_maskz_permutexvar_pd(0xff, a, separation_table), u);
    // std::max(low, from_separation): low unless from_separation is larger.
    const __m512d bound = _mm512_mask_blend_pd(
        _mm512_cmp_pd_mask(low, from_separation, _CMP_LT_OQ), low, from_separation);
    const __m512d lhs = _mm512_add_pd(_mm512_mul_pd(u, test_grow), slack);
    const __m512d rhs = _mm512_sub_pd(_mm512_mul_pd(bound, test_shrink), slack);
    const __mmask8 fail = _mm512_mask_cmp_pd_mask(valid, lhs, rhs, _CMP_NLT_UQ);  // !(lhs < rhs)
    alignas(32) float up[8];
    _mm256_store_ps(up, _mm512_maskz_cvtpd_ps(
                            0xff, _mm512_add_pd(_mm512_mul_pd(u, upper_grow), upper_slack)));
    for (size_t l = 0; l < lanes; ++l) upper[at[l]] = up[l];
    // 8 values stored, popcount kept: `to_scan` has 8 spare slots for the overhang.
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to_scan + found),
                        _mm256_maskz_compress_epi32(fail, idx));
    found += static_cast<size_t>(__builtin_popcount(fail));
  }
  return found;
}

#endif

}  // namespace

size_t UpdateBounds(const int32_t* assignments, uint16_t* upper, uint16_t* lower, size_t count,
                    const FloatDrifts& drifts, uint32_t* failed) {
  size_t found = 0;
  for (size_t i = 0; i < count; ++i) {
    float u = FromCompact(upper[i]);
    float l = FromCompact(lower[i]);
    const bool keep = UpdateOne(static_cast<size_t>(assignments[i]), u, l, drifts);
    upper[i] = CompactUp(u);
    lower[i] = CompactDown(l);
    failed[found] = static_cast<uint32_t>(i);
    found += keep ? 0 : 1;
  }
  return found;
}

size_t TightenBounds(const int32_t* assignments, uint16_t* upper, const uint16_t* lower,
                     const uint32_t* offsets, size_t count, const TightenInputs& in,
                     uint32_t* to_scan) {
  size_t found = 0;
  for (size_t t = 0; t < count; ++t) {
    const uint32_t i = offsets[t];
    float u = 0.0f;
    const bool keep = TightenOne(i, assignments, FromCompact(lower[i]), in, u);
    upper[i] = CompactUp(u);
    to_scan[found] = i;
    found += keep ? 0 : 1;
  }
  return found;
}

size_t UpdateBounds(const int32_t* assignments, float* upper, float* lower, size_t count,
                    const FloatDrifts& drifts, uint32_t* failed, KernelIsa isa) {
#if defined(__x86_64__)
  if (isa == KernelIsa::kAvx512 && drifts.k <= 16) {
    return UpdateAvx512(assignments, upper, lower, count, drifts, failed);
  }
  if (isa != KernelIsa::kBaseline) {
    return drifts.k <= 8 ? UpdateAvx2<true>(assignments, upper, lower, count, drifts, failed)
                         : UpdateAvx2<false>(assignments, upper, lower, count, drifts, failed);
  }
#endif
  (void)isa;
  return UpdateScalar(assignments, upper, lower, 0, count, drifts, failed, 0);
}

size_t TightenBounds(const int32_t* assignments, float* upper, const float* lower,
                     const uint32_t* offsets, size_t count, const TightenInputs& in,
                     uint32_t* to_scan, KernelIsa isa) {
#if defined(__x86_64__)
  if (isa == KernelIsa::kAvx512 && in.k >= 1 && in.k <= 8) {
    switch (in.dims) {
      case 1:
        return TightenAvx512<1>(assignments, upper, lower, offsets, count, in, to_scan);
      case 2:
        return TightenAvx512<2>(assignments, upper, lower, offsets, count, in, to_scan);
      case 3:
        return TightenAvx512<3>(assignments, upper, lower, offsets, count, in, to_scan);
      case 4:
        return TightenAvx512<4>(assignments, upper, lower, offsets, count, in, to_scan);
      default:
        break;
    }
  }
  if (isa != KernelIsa::kBaseline) {
    return TightenAvx2(assignments, upper, lower, offsets, count, in, to_scan);
  }
#endif
  (void)isa;
  return TightenScalar(assignments, upper, lower, offsets, 0, count, in, to_scan, 0);
}

}  // namespace zerostart::kmeans
