#include "functions/kmeans/engine/distance_kernel.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/scan_avx512.h"
#include "functions/kmeans/engine/simd.h"

namespace zerostart::kmeans {
namespace {

using simd::Load;
using simd::MaskOf;
using simd::Select;
using simd::Transpose;
using simd::V2;
using simd::V4;
using simd::V8;

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

// Lanes [g*L, g*L + L) of coordinate j of the points at `rows`, as one vector: built in
// registers (element loads and inserts) and stored whole by BuildTile, so that the kernels'
// vector loads of the tile are forwarded from same-sized stores (8-byte stores read back by
// a 32-byte load stall the pipeline on every tile).
template <typename V>
[[gnu::always_inline]] inline V Column(const double* const* rows, size_t g, size_t j) {
  if constexpr (sizeof(V) == 2 * sizeof(double)) {
    return V{rows[2 * g][j], rows[2 * g + 1][j]};
  } else if constexpr (sizeof(V) == 4 * sizeof(double)) {
    return V{rows[4 * g][j], rows[4 * g + 1][j], rows[4 * g + 2][j], rows[4 * g + 3][j]};
  } else {
    return V{rows[0][j], rows[1][j], rows[2][j], rows[3][j],
             rows[4][j], rows[5][j], rows[6][j], rows[7][j]};
  }
}

// tile = the points at rows[0..kTileWidth) in structure-of-arrays form. Whole blocks of L
// coordinates are loaded as vectors (each row's coordinates are contiguous) and transposed in
// registers; the remaining coordinates are gathered element by element (Column).
template <typename V, size_t kDims>
[[gnu::always_inline]] inline void BuildTile(const double* const* rows, size_t dims,
                                             double* tile) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  const size_t n = kDims > 0 ? kDims : dims;
  size_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (size_t g = 0; g < kTileWidth / kLanes; ++g) {
      V block[kLanes];
      for (size_t p = 0; p < kLanes; ++p) block[p] = Load<V>(rows[g * kLanes + p] + j);
      Transpose(block);
      for (size_t q = 0; q < kLanes; ++q) {
        std::memcpy(tile + (j + q) * kTileWidth + g * kLanes, &block[q], sizeof block[q]);
      }
    }
  }
  for (; j < n; ++j) {
    for (size_t g = 0; g < kTileWidth / kLanes; ++g) {
      const V column = Column<V>(rows, g, j);
      std::memcpy(tile + j * kTileWidth + g * kLanes, &column, sizeof column);
    }
  }
}

template <typename V, size_t kDims>
[[gnu::always_inline]] inline void NearestBody(const double* tile, size_t dims,
                                               const double* centers, size_t k,
                                               TileNearest& out) {
  using M = typename MaskOf<V>::type;
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  constexpr size_t kGroups = kTileWidth / kLanes;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const V gate_factor = V{} + kNearTieGate;
  V best[kGroups];
  V second[kGroups];
  // The smallest sum among the centers before the current minimum's (+inf while that is
  // center 0 or none): when the minimum moves to a new center, the old minimum is exactly
  // that. It decides the near-tie flag once, after the scan.
  V below[kGroups];
  M index[kGroups];
  for (size_t g = 0; g < kGroups; ++g) {
    best[g] = V{} + kInf;
    second[g] = V{} + kInf;
    below[g] = V{} + kInf;
    index[g] = M{};
  }
  for (size_t c = 0; c < k; ++c) {
    V sum[kGroups];
    SumOfSquares<V, kDims>(tile, dims, centers + c * dims, sum);
    const M center = M{} + static_cast<int64_t>(c);
    for (size_t g = 0; g < kGroups; ++g) {
      const M less = sum[g] < best[g];
      below[g] = less ? best[g] : below[g];
      // second = less ? best : (sum < second ? sum : second), as min(max(best, sum), second)
      // in the operand order of x86's maxpd/minpd (`a > b ? a : b`, `a < b ? a : b`), which
      // GCC emits for these ternaries: a NaN sum gives max = NaN, then min keeps second.
      const V larger = best[g] > sum[g] ? best[g] : sum[g];
      second[g] = larger < second[g] ? larger : second[g];
      best[g] = sum[g] < best[g] ? sum[g] : best[g];  // minpd: a NaN sum keeps best
      index[g] = less ? center : index[g];
    }
  }
  uint32_t mask = 0;
  for (size_t g = 0; g < kGroups; ++g) {
    // An earlier center within a relative 2^-50 of the minimum may have the same sqrt (see
    // TileNearest::needs_exact_mask and NearestCenter's proof). below and best are never NaN.
    // With best = +inf no sum was finite: Java's scan from Double.MAX_VALUE keeps index 0, as
    // the tile does, so there is nothing to resolve (flagging it would send every such point
    // to the scalar path on every pass).
    const M near_tie = (below[g] <= best[g] * gate_factor) & (best[g] < kInf);
    for (size_t l = 0; l < kLanes; ++l) {
      const size_t lane = g * kLanes + l;
      out.nearest[lane] = static_cast<int32_t>(index[g][l]);
      out.nearest_sum[lane] = best[g][l];
      out.second_sum[lane] = second[g][l];
      if (near_tie[l] != 0) mask |= 1u << lane;
    }
  }
  out.needs_exact_mask = mask;
}

// The tile of the points at `rows`, then their nearest centers.
template <typename V, size_t kDims>
[[gnu::always_inline]] inline void NearestOfRows(const double* const* rows, size_t dims,
                                                 const double* centers, size_t k, double* tile,
                                                 TileNearest& out) {
  BuildTile<V, kDims>(rows, dims, tile);
  NearestBody<V, kDims>(tile, dims, centers, k, out);
}

// Calls body(std::integral_constant<size_t, kDims>{}) with kDims = dims for the small
// dimension counts the kernels unroll (1 to 4), else kDims = 0 (dims read at run time).
template <typename Body>
[[gnu::always_inline]] inline void WithSmallDims(size_t dims, Body body) {
  switch (dims) {
    case 1:
      return body(std::integral_constant<size_t, 1>{});
    case 2:
      return body(std::integral_constant<size_t, 2>{});
    case 3:
      return body(std::integral_constant<size_t, 3>{});
    case 4:
      return body(std::integral_constant<size_t, 4>{});
    default:
      return body(std::integral_constant<size_t, 0>{});
  }
}

template <typename V>
[[gnu::always_inline]] inline void NearestDispatchDims(const double* const* rows, size_t dims,
                                                       const double* centers, size_t k,
                                                       double* tile, TileNearest& out) {
  WithSmallDims(dims, [&](auto d) __attribute__((always_inline)) {
    NearestOfRows<V, decltype(d)::value>(rows, dims, centers, k, tile, out);
  });
}

// m[l] = d2[l] < m[l] ? d2[l] : m[l], and owner[l] (when given) = center_index where it did,
// for l < count, as bit operations (no branch, no sign-of-zero or NaN surprises: the values
// are moved, never computed).
[[gnu::always_inline]] inline void UpdateNearer(const double* d2, size_t count,
                                                uint16_t center_index, double* m,
                                                uint16_t* owner) {
  uint64_t keep_new[kTileWidth];
  for (size_t l = 0; l < count; ++l) {
    keep_new[l] = 0 - static_cast<uint64_t>(d2[l] < m[l]);
    const auto old_bits = std::bit_cast<uint64_t>(m[l]);
    const auto new_bits = std::bit_cast<uint64_t>(d2[l]);
    m[l] = std::bit_cast<double>(old_bits ^ ((old_bits ^ new_bits) & keep_new[l]));
  }
  if (owner == nullptr) return;
  for (size_t l = 0; l < count; ++l) {
    owner[l] = static_cast<uint16_t>(owner[l] ^ ((owner[l] ^ center_index) & keep_new[l]));
  }
}

// How many tiles ahead SeedRowsBody prefetches its points' rows. A seeding step streams every
// point once (at n = 1M, d = 16: 128 MB per step) and the hardware prefetcher alone left the
// kernel waiting on its row loads: prefetching 4 tiles (32 points) ahead took the step from
// ~11-12 ms to ~7-8 ms on an AMD EPYC (Zen 5) with AVX-512 (BM_Seeding/1000000/16/32; 2 and 8
// tiles ahead were no better).
constexpr size_t kSeedPrefetchTiles = 4;

// SeedRows for one ISA: V is its vector, sqrt_square(d2) squares the sqrt of 8 sums in place.
template <typename V, size_t kDims, typename SqrtSquare>
[[gnu::always_inline]] inline void SeedRowsBody(const double* coords, size_t dims,
                                                const uint32_t* rows, size_t count,
                                                const double* center, bool first,
                                                uint16_t center_index, double* min_dist_squared,
                                                uint16_t* owner, double* t, double* chain,
                                                SqrtSquare sqrt_square) {
  // The running sum, in a register for the whole call (see SeedRows).
  double total = chain != nullptr ? *chain : 0.0;
  // The center's coordinates, each repeated across a vector once per call: a tile's distances
  // then load them, where broadcasting each from the scalar cost an addition and a shuffle
  // per coordinate and tile.
  constexpr size_t kMaxWideDims = 32;
  const size_t n = kDims > 0 ? kDims : dims;
  alignas(64) double wide[kMaxWideDims * kTileWidth];
  const bool widened = n <= kMaxWideDims;
  if (widened) {
    for (size_t j = 0; j < n; ++j) {
      for (size_t l = 0; l < kTileWidth; ++l) wide[j * kTileWidth + l] = center[j];
    }
  }
  // Whether the kTileWidth listed rows from `at` on are consecutive.
  auto consecutive_at = [](const uint32_t* at) {
    return at[kTileWidth - 1] == at[0] + (kTileWidth - 1);
  };
  for (size_t base = 0; base < count; base += kTileWidth) {
    const size_t lanes = count - base < kTileWidth ? count - base : kTileWidth;
    if (base + (kSeedPrefetchTiles + 1) * kTileWidth <= count) {
      const uint32_t* ahead_rows = rows + base + kSeedPrefetchTiles * kTileWidth;
      if (consecutive_at(ahead_rows)) {
        // Consecutive rows: each cache line of their span once.
        const char* ahead = reinterpret_cast<const char*>(coords + size_t{ahead_rows[0]} * dims);
        for (size_t b = 0; b < kTileWidth * dims * sizeof(double); b += 64) {
          __builtin_prefetch(ahead + b);
        }
      } else {
        for (size_t l = 0; l < kTileWidth; ++l) {
          const char* ahead =
              reinterpret_cast<const char*>(coords + size_t{ahead_rows[l]} * dims);
          for (size_t b = 0; b < dims * sizeof(double); b += 64) __builtin_prefetch(ahead + b);
        }
      }
    }
    const bool consecutive = lanes == kTileWidth && consecutive_at(rows + base);
    V sum[kTileWidth * sizeof(double) / sizeof(V)];
    // 8 consecutive rows: whole-vector loads and permutes, where the ISA has them.
    if (!consecutive ||
        !sqrt_square.template SumRun<kDims>(coords + size_t{rows[base]} * n, center, sum)) {
      const double* row[kTileWidth];
      for (size_t l = 0; l < kTileWidth; ++l) {
        row[l] = coords + size_t{rows[base + (l < lanes ? l : 0)]} * dims;
      }
      BuildTile<V, kDims>(row, dims, t);
      if (widened) {
        SumOfSquaresBy<V, kDims>(
            t, dims,
            [&wide](size_t j, size_t) __attribute__((always_inline)) {
              return Load<V>(wide + j * kTileWidth);
            },
            sum);
      } else {
        SumOfSquares<V, kDims>(t, dims, center, sum);
      }
    }
    if (!first && consecutive &&
        sqrt_square.UpdateConsecutive(sum, center_index, min_dist_squared + rows[base],
                                      owner != nullptr ? owner + rows[base] : nullptr,
                                      chain != nullptr, total)) {
      continue;
    }
    double d2[kTileWidth];
    std::memcpy(d2, sum, sizeof d2);
    sqrt_square(d2);
    if (first) {
      if (consecutive) {  // one store (GCC made the loop a scatter, slow on AMD)
        std::memcpy(min_dist_squared + rows[base], d2, sizeof d2);
      } else {
        for (size_t l = 0; l < lanes; ++l) min_dist_squared[rows[base + l]] = d2[l];
      }
    } else {
      // Selects by bit masks, not branches: whether the new center is nearer is a coin toss
      // for many points. The owner follows the distance. A whole tile of consecutive points
      // (every point listed) takes the loop GCC vectorises.
      if (consecutive) {
        UpdateNearer(d2, kTileWidth, center_index, min_dist_squared + rows[base],
                     owner != nullptr ? owner + rows[base] : nullptr);
      } else {
        for (size_t l = 0; l < lanes; ++l) {
          const uint32_t i = rows[base + l];
          UpdateNearer(d2 + l, 1, center_index, min_dist_squared + i,
                       owner != nullptr ? owner + i : nullptr);
        }
      }
    }
    if (chain != nullptr) {
      for (size_t l = 0; l < lanes; ++l) total += min_dist_squared[rows[base + l]];
    }
  }
  if (chain != nullptr) *chain = total;
}

// SeedRowsBody with the dimension count unrolled for small dims (0 = any).
template <typename V, typename SqrtSquare>
[[gnu::always_inline]] inline void SeedRowsDispatchDims(
    const double* coords, size_t dims, const uint32_t* rows, size_t count, const double* center,
    bool first, uint16_t center_index, double* min_dist_squared, uint16_t* owner, double* t,
    double* chain, SqrtSquare sqrt_square) {
  WithSmallDims(dims, [&](auto d) __attribute__((always_inline)) {
    SeedRowsBody<V, decltype(d)::value>(coords, dims, rows, count, center, first, center_index,
                                        min_dist_squared, owner, t, chain, sqrt_square);
  });
}

void NearestBaseline(const double* const* rows, size_t dims, const double* centers, size_t k,
                     double* tile, TileNearest& out) {
  NearestDispatchDims<V2>(rows, dims, centers, k, tile, out);
}

// d2 = sqrt(sum)^2 per lane; the sqrt is IEEE correctly rounded on every path (sqrtpd,
// vsqrtpd, fsqrt), as Java's Math.sqrt.
struct SqrtSquareBaseline {
  // SeedRowsBody's sums for 8 consecutive rows from whole-vector loads, where the ISA has a
  // kernel for it (AVX-512, 1 to 4 coordinates); false: the caller builds a tile.
  template <size_t kDims>
  [[gnu::always_inline]] bool SumRun(const double*, const double*, V2*) const {
    return false;
  }
  // SeedRowsBody's update of a whole tile of consecutive points from its sums, where the ISA
  // has a fused one (AVX-512); false: the caller does it through operator() and UpdateNearer.
  [[gnu::always_inline]] bool UpdateConsecutive(const V2*, uint16_t, double*, uint16_t*, bool,
                                                double&) const {
    return false;
  }
  [[gnu::always_inline]] void operator()(double* d2) const {
    for (size_t l = 0; l < kTileWidth; l += 2) {
#if defined(__SSE2__)
      const __m128d root = _mm_sqrt_pd(_mm_loadu_pd(d2 + l));
      _mm_storeu_pd(d2 + l, _mm_mul_pd(root, root));
#else
      for (size_t i = l; i < l + 2; ++i) {
        const double root = std::sqrt(d2[i]);
        d2[i] = root * root;
      }
#endif
    }
  }
};

void SeedRowsBaseline(const double* coords, size_t dims, const uint32_t* rows, size_t count,
                      const double* center, bool first, uint16_t center_index,
                      double* min_dist_squared, uint16_t* owner, double* tile, double* chain) {
  SeedRowsDispatchDims<V2>(coords, dims, rows, count, center, first, center_index,
                           min_dist_squared, owner, tile, chain, SqrtSquareBaseline{});
}

// TileBounds' definition, lane by lane (the baseline build; the vector builds below repeat
// these operations in this order).
void TileBoundsBaseline(const TileNearest& in, double eps, float* upper, float* lower) {
  for (size_t l = 0; l < kTileWidth; ++l) {
    upper[l] = UpperF(ExactUpperFromComputed(std::sqrt(in.nearest_sum[l]), eps));
    lower[l] = LowerF(ExactLowerFromComputed(std::sqrt(in.second_sum[l]), eps));
  }
}

#if defined(__x86_64__)
// The same bodies compiled for AVX2 (4 doubles per instruction) and AVX-512 (8). Neither
// target enables FMA; with -ffp-contract=off no multiply-add is fused either way. (A lambda
// would not inherit the target attribute, so the sqrt steps are functors whose call operators
// carry it.)
__attribute__((target("avx2"))) void NearestAvx2(const double* const* rows, size_t dims,
                                                 const double* centers, size_t k, double* tile,
                                                 TileNearest& out) {
  NearestDispatchDims<V4>(rows, dims, centers, k, tile, out);
}

struct SqrtSquareAvx2 {
  template <size_t kDims>
  [[gnu::always_inline]] bool SumRun(const double*, const double*, V4*) const {
    return false;
  }
  [[gnu::always_inline]] bool UpdateConsecutive(const V4*, uint16_t, double*, uint16_t*, bool,
                                                double&) const {
    return false;
  }
  __attribute__((target("avx2"))) void operator()(double* d2) const {
    const __m256d r0 = _mm256_sqrt_pd(_mm256_loadu_pd(d2));
    const __m256d r1 = _mm256_sqrt_pd(_mm256_loadu_pd(d2 + 4));
    _mm256_storeu_pd(d2, _mm256_mul_pd(r0, r0));
    _mm256_storeu_pd(d2 + 4, _mm256_mul_pd(r1, r1));
  }
};

__attribute__((target("avx2"))) void SeedRowsAvx2(const double* coords, size_t dims,
                                                  const uint32_t* rows, size_t count,
                                                  const double* center, bool first,
                                                  uint16_t center_index,
                                                  double* min_dist_squared, uint16_t* owner,
                                                  double* tile, double* chain) {
  SeedRowsDispatchDims<V4>(coords, dims, rows, count, center, first, center_index,
                           min_dist_squared, owner, tile, chain, SqrtSquareAvx2{});
}

// TileBoundsBaseline on 4 lanes per instruction. LowerF's `!(v > 0) ? 0` is a blend to +0.0
// before the conversion ((float)+0.0 is +0.0f), its cap at FLT_MAX a blend on `shrunk < cap`
// (false for NaN and +inf, as the scalar ternary).
__attribute__((target("avx2"))) void TileBoundsAvx2(const TileNearest& in, double eps,
                                                    float* upper, float* lower) {
  const __m256d slack = _mm256_set1_pd(kUnderflowSlack);
  const __m256d grow = _mm256_set1_pd(1.0 + 2.0 * eps);
  const __m256d shrink = _mm256_set1_pd(1.0 - 2.0 * eps);
  const __m256d f_grow = _mm256_set1_pd(kUpperFGrow);
  const __m256d f_shrink = _mm256_set1_pd(kLowerFShrink);
  const __m256d f_slack = _mm256_set1_pd(kBoundFSlack);
  const __m256d cap = _mm256_set1_pd(static_cast<double>(std::numeric_limits<float>::max()));
  const __m256d zero = _mm256_setzero_pd();
  for (size_t l = 0; l < kTileWidth; l += 4) {
    const __m256d u = _mm256_mul_pd(
        _mm256_add_pd(_mm256_sqrt_pd(_mm256_loadu_pd(in.nearest_sum + l)), slack), grow);
    _mm_storeu_ps(upper + l,
                  _mm256_cvtpd_ps(_mm256_add_pd(_mm256_mul_pd(u, f_grow), f_slack)));
    const __m256d v = _mm256_mul_pd(
        _mm256_sub_pd(_mm256_sqrt_pd(_mm256_loadu_pd(in.second_sum + l)), slack), shrink);
    const __m256d shrunk = _mm256_sub_pd(_mm256_mul_pd(v, f_shrink), f_slack);
    const __m256d capped =
        _mm256_blendv_pd(cap, shrunk, _mm256_cmp_pd(shrunk, cap, _CMP_LT_OQ));
    const __m256d positive = _mm256_cmp_pd(v, zero, _CMP_GT_OQ);
    _mm_storeu_ps(lower + l, _mm256_cvtpd_ps(_mm256_blendv_pd(zero, capped, positive)));
  }
}

#define ZS_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

using scan_avx512::BoundsOfSums;
using scan_avx512::RunColumns;
using scan_avx512::RunSum;
using scan_avx512::ScanAvx512;

// NearestBody for AVX-512. A tile is one vector, so one scan over the centers would be one
// dependent chain of compare-and-select (latency-bound); the centers are split in two halves
// scanned as two independent chains and merged (ScanAvx512::Merge), which gives the same
// result as one scan in center order.
template <size_t kDims>
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl"))) inline void
NearestOfRowsAvx512(const double* const* rows, size_t dims, const double* centers, size_t k,
                    double* tile, TileNearest& out) {
  const size_t half = (k + 1) / 2;
  ScanAvx512 low;
  ScanAvx512 high;
  low.Start();
  high.Start();
  if constexpr (kDims > 0) {
    // The columns stay in registers, and each center coordinate is broadcast from memory
    // into its subtraction (RunSum).
    (void)tile;
    __m512d x[kDims];
    for (size_t j = 0; j < kDims; ++j) x[j] = reinterpret_cast<__m512d>(Column<V8>(rows, 0, j));
    for (size_t c = 0; c < half; ++c) {
      low.Add(RunSum<kDims>(x, centers + c * kDims), c);
      if (half + c < k) high.Add(RunSum<kDims>(x, centers + (half + c) * kDims), half + c);
    }
  } else {
    BuildTile<V8, kDims>(rows, dims, tile);
    for (size_t c = 0; c < half; ++c) {
      V8 sum_low;
      SumOfSquares<V8, kDims>(tile, dims, centers + c * dims, &sum_low);
      low.Add(reinterpret_cast<__m512d>(sum_low), c);
      if (half + c < k) {
        V8 sum_high;
        SumOfSquares<V8, kDims>(tile, dims, centers + (half + c) * dims, &sum_high);
        high.Add(reinterpret_cast<__m512d>(sum_high), half + c);
      }
    }
  }
  low.Merge(high);
  alignas(64) int64_t lanes[kTileWidth];
  _mm512_store_si512(lanes, low.index);
  for (size_t l = 0; l < kTileWidth; ++l) out.nearest[l] = static_cast<int32_t>(lanes[l]);
  _mm512_storeu_pd(out.nearest_sum, low.best);
  _mm512_storeu_pd(out.second_sum, low.second);
  out.needs_exact_mask = low.NearTie();
}

ZS_AVX512 void NearestAvx512(const double* const* rows, size_t dims, const double* centers,
                             size_t k, double* tile, TileNearest& out) {
  switch (dims) {
    case 1:
      return NearestOfRowsAvx512<1>(rows, dims, centers, k, tile, out);
    case 2:
      return NearestOfRowsAvx512<2>(rows, dims, centers, k, tile, out);
    case 3:
      return NearestOfRowsAvx512<3>(rows, dims, centers, k, tile, out);
    case 4:
      return NearestOfRowsAvx512<4>(rows, dims, centers, k, tile, out);
    default:
      return NearestOfRowsAvx512<0>(rows, dims, centers, k, tile, out);
  }
}

struct SqrtSquareAvx512 {
  template <size_t kDims>
  ZS_AVX512 bool SumRun(const double* p, const double* center, V8* sum) const {
    if constexpr (kDims == 0) {
      return false;
    } else {
      __m512d x[kDims];
      RunColumns<kDims>(p, x);
      sum[0] = reinterpret_cast<V8>(RunSum<kDims>(x, center));
      return true;
    }
  }
  // UpdateNearer on 8 consecutive points in registers: d2 = sqrt(sum)^2, then where
  // d2 < m (ordered: NaN never replaces) m takes d2 and the owner the center's index (a
  // blend each: the bits move; the compare's mask widened to 16-bit lanes for the owners).
  // Per lane, in scalar code, the update cost as much as the distances.
  // With `add`, the 8 new minima are then added to `total` in index order from the register
  // (SeedRows' running sum). `total` is a reference, not a pointer that may be null: so the
  // caller's sum stays in a register (through a conditional pointer GCC kept it in memory,
  // and every tile's additions waited on the previous tile's store).
  ZS_AVX512 bool UpdateConsecutive(const V8* sum, uint16_t center_index, double* m,
                                   uint16_t* owner, bool add, double& total) const {
    const __m512d root = _mm512_maskz_sqrt_pd(0xff, reinterpret_cast<__m512d>(sum[0]));
    const __m512d d2 = _mm512_mul_pd(root, root);
    const __m512d old_m = _mm512_loadu_pd(m);
    const __mmask8 nearer = _mm512_cmp_pd_mask(d2, old_m, _CMP_LT_OQ);
    const __m512d new_m = _mm512_mask_blend_pd(nearer, old_m, d2);
    _mm512_storeu_pd(m, new_m);
    if (add) {
      const auto lanes = reinterpret_cast<V8>(new_m);
      for (size_t l = 0; l < kTileWidth; ++l) total += lanes[l];
    }
    if (owner != nullptr) {
      const __m128i lanes = _mm512_maskz_cvtepi64_epi16(0xff, _mm512_movm_epi64(nearer));
      const __m128i old = _mm_loadu_si128(reinterpret_cast<const __m128i*>(owner));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(owner),
                       _mm_blendv_epi8(old, _mm_set1_epi16(static_cast<int16_t>(center_index)),
                                       lanes));
    }
    return true;
  }
  ZS_AVX512 void operator()(double* d2) const {
    // Masked with every lane on: the unmasked intrinsic starts from an undefined register,
    // which GCC 12 reports as maybe-uninitialized.
    const __m512d root = _mm512_maskz_sqrt_pd(0xff, _mm512_loadu_pd(d2));
    _mm512_storeu_pd(d2, _mm512_mul_pd(root, root));
  }
};

// TileBoundsAvx2 on one 8-lane vector.
ZS_AVX512 void TileBoundsAvx512(const TileNearest& in, double eps, float* upper, float* lower) {
  __m256 u;
  __m256 l;
  BoundsOfSums(_mm512_loadu_pd(in.nearest_sum), _mm512_loadu_pd(in.second_sum), eps, &u, &l);
  _mm256_storeu_ps(upper, u);
  _mm256_storeu_ps(lower, l);
}

ZS_AVX512 void SeedRowsAvx512(const double* coords, size_t dims, const uint32_t* rows,
                              size_t count, const double* center, bool first,
                              uint16_t center_index, double* min_dist_squared, uint16_t* owner,
                              double* tile, double* chain) {
  SeedRowsDispatchDims<V8>(coords, dims, rows, count, center, first, center_index,
                           min_dist_squared, owner, tile, chain, SqrtSquareAvx512{});
}

#undef ZS_AVX512
#endif

}  // namespace

void NearestInTile(const double* const* rows, size_t dims, const double* centers, size_t k,
                   double* tile, TileNearest& out, KernelIsa isa) {
#if defined(__x86_64__)
  if (isa == KernelIsa::kAvx512) return NearestAvx512(rows, dims, centers, k, tile, out);
  if (isa == KernelIsa::kAvx2) return NearestAvx2(rows, dims, centers, k, tile, out);
#endif
  (void)isa;
  NearestBaseline(rows, dims, centers, k, tile, out);
}

void SeedRows(const double* coords, size_t dims, const uint32_t* rows, size_t count,
              const double* center, bool first, uint16_t center_index, double* min_dist_squared,
              uint16_t* owner, double* tile, double* chain, KernelIsa isa) {
#if defined(__x86_64__)
  if (isa == KernelIsa::kAvx512) {
    return SeedRowsAvx512(coords, dims, rows, count, center, first, center_index,
                          min_dist_squared, owner, tile, chain);
  }
  if (isa == KernelIsa::kAvx2) {
    return SeedRowsAvx2(coords, dims, rows, count, center, first, center_index,
                        min_dist_squared, owner, tile, chain);
  }
#endif
  (void)isa;
  SeedRowsBaseline(coords, dims, rows, count, center, first, center_index, min_dist_squared,
                   owner, tile, chain);
}

void TileBounds(const TileNearest& in, double eps, float* upper, float* lower, KernelIsa isa) {
#if defined(__x86_64__)
  if (isa == KernelIsa::kAvx512) return TileBoundsAvx512(in, eps, upper, lower);
  if (isa == KernelIsa::kAvx2) return TileBoundsAvx2(in, eps, upper, lower);
#endif
  (void)isa;
  TileBoundsBaseline(in, eps, upper, lower);
}

}  // namespace zerostart::kmeans
