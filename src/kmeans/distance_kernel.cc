#include "src/kmeans/distance_kernel.h"

#include <cmath>
#include <cstring>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "src/kmeans/exact_bounds.h"

namespace zerostart::kmeans {
namespace {

// GCC vector extensions: one source for every ISA. The kernels are templates over the vector
// type: 2 doubles (SSE2, NEON: the baseline) or 4 (AVX2), and a tile's 8 lanes are 4 or 2 such
// vectors. Element-wise `-`, `*`, `+` round exactly as the scalar operations (IEEE, round to
// nearest), and -ffp-contract=off forbids fusing them. (Vectors wider than the hardware, e.g.
// 8 doubles on AVX2, would be split for arithmetic but GCC 12 scalarises their comparisons.)
// The vectors only pass between always_inline helpers of this file, never across a call
// boundary, so GCC's note that their by-value ABI differs without AVX does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
using V2 = double __attribute__((vector_size(16)));
using M2 = int64_t __attribute__((vector_size(16)));
using V4 = double __attribute__((vector_size(32)));
using M4 = int64_t __attribute__((vector_size(32)));

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

// Sum over dimensions, in order, of (x_j - c_j)^2 for lanes [g*L, g*L + L) of `tile`, one
// vector of L lanes per group; center(j, g) gives the L center coordinates j of group g (one
// center broadcast to every lane, or each lane's own). The first term is taken as is: Java
// adds it to 0.0, and 0.0 + s == s for every square s >= +0 (and NaN stays NaN). kDims > 0
// unrolls small dimension counts; 0 means `dims` at run time.
template <typename V, size_t kDims, typename CenterAt>
[[gnu::always_inline]] inline void SumOfSquaresBy(const double* tile, size_t dims,
                                                  CenterAt center, V* sum) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  constexpr size_t kGroups = kTileWidth / kLanes;
  const size_t n = kDims > 0 ? kDims : dims;
  for (size_t g = 0; g < kGroups; ++g) {
    const V dp = Load<V>(tile + g * kLanes) - center(0, g);
    sum[g] = dp * dp;
  }
  for (size_t j = 1; j < n; ++j) {
    for (size_t g = 0; g < kGroups; ++g) {
      const V dp = Load<V>(tile + j * kTileWidth + g * kLanes) - center(j, g);
      sum[g] = sum[g] + dp * dp;
    }
  }
}

// SumOfSquaresBy against one center `c` (dims values) in every lane.
template <typename V, size_t kDims>
[[gnu::always_inline]] inline void SumOfSquares(const double* tile, size_t dims, const double* c,
                                                V* sum) {
  SumOfSquaresBy<V, kDims>(tile, dims, [c](size_t j, size_t) __attribute__((always_inline)) { return V{} + c[j]; }, sum);
}

template <typename V, size_t kDims>
[[gnu::always_inline]] inline void NearestBody(const double* tile, size_t dims,
                                               const double* centers, size_t k,
                                               TileNearest& out) {
  using M = typename MaskOf<V>::type;
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  constexpr size_t kGroups = kTileWidth / kLanes;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const V gate_factor = V{} + (1.0 + 0x1.0p-50);
  V best[kGroups];
  V second[kGroups];
  M index[kGroups];
  M near_tie[kGroups];
  for (size_t g = 0; g < kGroups; ++g) {
    best[g] = V{} + kInf;
    second[g] = V{} + kInf;
    index[g] = M{};
    near_tie[g] = M{};
  }
  for (size_t c = 0; c < k; ++c) {
    V sum[kGroups];
    SumOfSquares<V, kDims>(tile, dims, centers + c * dims, sum);
    const M center = M{} + static_cast<int64_t>(c);
    for (size_t g = 0; g < kGroups; ++g) {
      const M less = sum[g] < best[g];
      // A new minimum within a relative 2^-50 of the previous one: an earlier center may have
      // the same sqrt (see TileNearest::needs_exact_mask and NearestCenter's proof).
      near_tie[g] |= less & (best[g] <= sum[g] * gate_factor);
      second[g] = Select<V, M>(less, best[g], Select<V, M>(sum[g] < second[g], sum[g], second[g]));
      best[g] = Select<V, M>(less, sum[g], best[g]);
      index[g] = (center & less) | (index[g] & ~less);
    }
  }
  uint32_t mask = 0;
  for (size_t g = 0; g < kGroups; ++g) {
    for (size_t l = 0; l < kLanes; ++l) {
      const size_t lane = g * kLanes + l;
      out.nearest[lane] = static_cast<int32_t>(index[g][l]);
      out.nearest_sum[lane] = best[g][l];
      out.second_sum[lane] = second[g][l];
      if (near_tie[g][l] != 0) mask |= 1u << lane;
    }
  }
  out.needs_exact_mask = mask;
}

template <typename V>
[[gnu::always_inline]] inline void NearestDispatchDims(const double* tile, size_t dims,
                                                       const double* centers, size_t k,
                                                       TileNearest& out) {
  switch (dims) {
    case 1:
      return NearestBody<V, 1>(tile, dims, centers, k, out);
    case 2:
      return NearestBody<V, 2>(tile, dims, centers, k, out);
    case 3:
      return NearestBody<V, 3>(tile, dims, centers, k, out);
    case 4:
      return NearestBody<V, 4>(tile, dims, centers, k, out);
    default:
      return NearestBody<V, 0>(tile, dims, centers, k, out);
  }
}

// The squared sums of the seeding kernel (sqrt and square follow per ISA).
template <typename V>
[[gnu::always_inline]] inline void SeedSums(const double* tile, size_t dims, const double* center,
                                            double* out) {
  V sum[kTileWidth * sizeof(double) / sizeof(V)];
  SumOfSquares<V, 0>(tile, dims, center, sum);
  std::memcpy(out, sum, sizeof sum);
}

// The sum of squares of each lane against its own center (`centers` is a tile too): the
// tightening of Hamerly's upper bounds, 8 points at a time.
template <typename V>
[[gnu::always_inline]] inline void OwnDistancesBody(const double* tile, const double* centers,
                                                    size_t dims, double* out) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  V sum[kTileWidth / kLanes];
  SumOfSquaresBy<V, 0>(
      tile, dims,
      [centers](size_t j, size_t g) __attribute__((always_inline)) {
        return Load<V>(centers + j * kTileWidth + g * kLanes);
      },
      sum);
  std::memcpy(out, sum, sizeof sum);
}

template <typename V>
struct FloatsOf;
template <>
struct FloatsOf<V2> {
  using type = float __attribute__((vector_size(8)));
};
template <>
struct FloatsOf<V4> {
  using type = float __attribute__((vector_size(16)));
};

template <typename V>
[[gnu::always_inline]] inline uint32_t BoundsBody(const int32_t* assignments, float* upper,
                                                  float* lower, const ClusterDrifts& drifts) {
  using M = typename MaskOf<V>::type;
  using F = typename FloatsOf<V>::type;
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  constexpr size_t kGroups = kTileWidth / kLanes;
  const double grow = 1.0 + drifts.eps;
  const double shrink = 1.0 - drifts.eps;
  uint32_t fail = 0;
  for (size_t g = 0; g < kGroups; ++g) {
    V drift;
    V other;
    V separation;
    for (size_t l = 0; l < kLanes; ++l) {
      const auto a = static_cast<size_t>(assignments[g * kLanes + l]);
      drift[l] = drifts.drift[a];
      other[l] = drifts.other_drift[a];
      separation[l] = drifts.separation[a];
    }
    F up_f;
    F low_f;
    std::memcpy(&up_f, upper + g * kLanes, sizeof up_f);
    std::memcpy(&low_f, lower + g * kLanes, sizeof low_f);
    const V u = __builtin_convertvector(up_f, V) + drift;
    const V lo = __builtin_convertvector(low_f, V) - other;
    const V from_separation = separation - u;
    const V bound = Select<V, M>(lo > from_separation, lo, from_separation);
    const M keep = (u * grow + kUnderflowSlack) < (bound * shrink - kUnderflowSlack);
    // UpperF / LowerF of exact_bounds.h, lane-wise (LowerF's clamp to [0, FLT_MAX] by Select).
    const V up_out = u * (1.0 + 0x1.0p-20) + 0x1.0p-120;
    V low_out = lo * (1.0 - 0x1.0p-20) - 0x1.0p-120;
    const V flt_max = V{} + static_cast<double>(std::numeric_limits<float>::max());
    low_out = Select<V, M>(low_out < flt_max, low_out, flt_max);
    low_out = Select<V, M>(low_out > 0.0, low_out, V{});  // NaN and negatives: 0
    up_f = __builtin_convertvector(up_out, F);
    low_f = __builtin_convertvector(low_out, F);
    std::memcpy(upper + g * kLanes, &up_f, sizeof up_f);
    std::memcpy(lower + g * kLanes, &low_f, sizeof low_f);
    for (size_t l = 0; l < kLanes; ++l) {
      if (keep[l] == 0) fail |= 1u << (g * kLanes + l);
    }
  }
  return fail;
}

void NearestBaseline(const double* tile, size_t dims, const double* centers, size_t k,
                     TileNearest& out) {
  NearestDispatchDims<V2>(tile, dims, centers, k, out);
}

// out = sqrt(sum)^2 per lane; the sqrt is IEEE correctly rounded on every path (sqrtpd,
// vsqrtpd, fsqrt), as Java's Math.sqrt.
void SeedBaseline(const double* tile, size_t dims, const double* center, double* out) {
  double sums[kTileWidth];
  SeedSums<V2>(tile, dims, center, sums);
  for (size_t l = 0; l < kTileWidth; l += 2) {
#if defined(__SSE2__)
    const __m128d root = _mm_sqrt_pd(_mm_loadu_pd(sums + l));
    _mm_storeu_pd(out + l, _mm_mul_pd(root, root));
#else
    for (size_t i = l; i < l + 2; ++i) {
      const double root = std::sqrt(sums[i]);
      out[i] = root * root;
    }
#endif
  }
}

void OwnBaseline(const double* tile, const double* centers, size_t dims, double* out) {
  OwnDistancesBody<V2>(tile, centers, dims, out);
  for (size_t l = 0; l < kTileWidth; ++l) out[l] = std::sqrt(out[l]);
}

uint32_t BoundsBaseline(const int32_t* assignments, float* upper, float* lower,
                        const ClusterDrifts& drifts) {
  return BoundsBody<V2>(assignments, upper, lower, drifts);
}

#if defined(__x86_64__)
// The same bodies compiled for AVX2 (4 doubles per instruction). target("avx2") enables AVX
// and AVX2 only, not FMA; with -ffp-contract=off no multiply-add is fused either way.
__attribute__((target("avx2"))) void NearestAvx2(const double* tile, size_t dims,
                                                 const double* centers, size_t k,
                                                 TileNearest& out) {
  NearestDispatchDims<V4>(tile, dims, centers, k, out);
}

__attribute__((target("avx2"))) void SeedAvx2(const double* tile, size_t dims,
                                              const double* center, double* out) {
  double sums[kTileWidth];
  SeedSums<V4>(tile, dims, center, sums);
  const __m256d r0 = _mm256_sqrt_pd(_mm256_loadu_pd(sums));
  const __m256d r1 = _mm256_sqrt_pd(_mm256_loadu_pd(sums + 4));
  _mm256_storeu_pd(out, _mm256_mul_pd(r0, r0));
  _mm256_storeu_pd(out + 4, _mm256_mul_pd(r1, r1));
}

__attribute__((target("avx2"))) void OwnAvx2(const double* tile, const double* centers,
                                             size_t dims, double* out) {
  OwnDistancesBody<V4>(tile, centers, dims, out);
  _mm256_storeu_pd(out, _mm256_sqrt_pd(_mm256_loadu_pd(out)));
  _mm256_storeu_pd(out + 4, _mm256_sqrt_pd(_mm256_loadu_pd(out + 4)));
}

__attribute__((target("avx2"))) uint32_t BoundsAvx2(const int32_t* assignments, float* upper,
                                                    float* lower, const ClusterDrifts& drifts) {
  return BoundsBody<V4>(assignments, upper, lower, drifts);
}

bool UseAvx2() {
  static const bool use = [] {
    __builtin_cpu_init();  // idempotent; needed if called before libgcc's constructor ran
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return use;
}
#endif

}  // namespace

void NearestInTile(const double* tile, size_t dims, const double* centers, size_t k,
                   TileNearest& out) {
#if defined(__x86_64__)
  if (UseAvx2()) return NearestAvx2(tile, dims, centers, k, out);
#endif
  NearestBaseline(tile, dims, centers, k, out);
}

void SeedDistancesInTile(const double* tile, size_t dims, const double* center, double* out) {
#if defined(__x86_64__)
  if (UseAvx2()) return SeedAvx2(tile, dims, center, out);
#endif
  SeedBaseline(tile, dims, center, out);
}

void OwnDistancesInTile(const double* tile, const double* centers, size_t dims, double* out) {
#if defined(__x86_64__)
  if (UseAvx2()) return OwnAvx2(tile, centers, dims, out);
#endif
  OwnBaseline(tile, centers, dims, out);
}

uint32_t UpdateBoundsInTile(const int32_t* assignments, float* upper, float* lower,
                            const ClusterDrifts& drifts) {
#if defined(__x86_64__)
  if (UseAvx2()) return BoundsAvx2(assignments, upper, lower, drifts);
#endif
  return BoundsBaseline(assignments, upper, lower, drifts);
}

std::string_view DistanceKernelIsa() {
#if defined(__x86_64__)
  if (UseAvx2()) return "avx2";
#endif
  return "baseline";
}

}  // namespace zerostart::kmeans
