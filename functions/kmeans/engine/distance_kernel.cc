#include "functions/kmeans/engine/distance_kernel.h"

#include <cmath>
#include <cstring>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/simd.h"

namespace zerostart::kmeans {
namespace {

using simd::Load;
using simd::MaskOf;
using simd::Select;
using simd::V2;
using simd::V4;

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
  } else {
    return V{rows[4 * g][j], rows[4 * g + 1][j], rows[4 * g + 2][j], rows[4 * g + 3][j]};
  }
}

// tile = the points at rows[0..kTileWidth) in structure-of-arrays form.
template <typename V, size_t kDims>
[[gnu::always_inline]] inline void BuildTile(const double* const* rows, size_t dims,
                                             double* tile) {
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  const size_t n = kDims > 0 ? kDims : dims;
  for (size_t j = 0; j < n; ++j) {
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

// The tile of the points at `rows`, then their nearest centers.
template <typename V, size_t kDims>
[[gnu::always_inline]] inline void NearestOfRows(const double* const* rows, size_t dims,
                                                 const double* centers, size_t k, double* tile,
                                                 TileNearest& out) {
  BuildTile<V, kDims>(rows, dims, tile);
  NearestBody<V, kDims>(tile, dims, centers, k, out);
}

template <typename V>
[[gnu::always_inline]] inline void NearestDispatchDims(const double* const* rows, size_t dims,
                                                       const double* centers, size_t k,
                                                       double* tile, TileNearest& out) {
  switch (dims) {
    case 1:
      return NearestOfRows<V, 1>(rows, dims, centers, k, tile, out);
    case 2:
      return NearestOfRows<V, 2>(rows, dims, centers, k, tile, out);
    case 3:
      return NearestOfRows<V, 3>(rows, dims, centers, k, tile, out);
    case 4:
      return NearestOfRows<V, 4>(rows, dims, centers, k, tile, out);
    default:
      return NearestOfRows<V, 0>(rows, dims, centers, k, tile, out);
  }
}

// The per-tile tail of SeedPass once d2 (Java's sqrt(sum)^2) is known: the min update and
// the running total, lane by lane in index order (the total is Java's one dependent chain).
[[gnu::always_inline]] inline double SeedTileFinish(const double* d2, size_t base, size_t lanes,
                                                    bool first, size_t skip,
                                                    double* min_dist_squared, double total) {
  double* m = min_dist_squared + base;
  if (first) {
    for (size_t l = 0; l < lanes; ++l) m[l] = base + l == skip ? 0.0 : d2[l];
  } else {
    // A select, not a branch: whether the new center is nearer is a coin toss for many points.
    for (size_t l = 0; l < lanes; ++l) m[l] = d2[l] < m[l] ? d2[l] : m[l];
  }
  for (size_t l = 0; l < lanes; ++l) total += m[l];
  return total;
}

// SeedPass over all points for one ISA: V is its vector, Sqrt2 squares the sqrt of 8 sums.
template <typename V, size_t kDims, typename SqrtSquare>
[[gnu::always_inline]] inline double SeedPassBody(const double* coords, size_t count,
                                                  size_t dims, const double* center, bool first,
                                                  size_t skip, double* min_dist_squared,
                                                  double* t, SqrtSquare sqrt_square) {
  double total = 0.0;
  for (size_t base = 0; base < count; base += kTileWidth) {
    const size_t lanes = count - base < kTileWidth ? count - base : kTileWidth;
    const double* rows[kTileWidth];
    for (size_t l = 0; l < kTileWidth; ++l) rows[l] = coords + (base + (l < lanes ? l : 0)) * dims;
    BuildTile<V, kDims>(rows, dims, t);
    V sum[kTileWidth * sizeof(double) / sizeof(V)];
    SumOfSquares<V, kDims>(t, dims, center, sum);
    double d2[kTileWidth];
    std::memcpy(d2, sum, sizeof d2);
    sqrt_square(d2);
    total = SeedTileFinish(d2, base, lanes, first, skip, min_dist_squared, total);
  }
  return total;
}

void NearestBaseline(const double* const* rows, size_t dims, const double* centers, size_t k,
                     double* tile, TileNearest& out) {
  NearestDispatchDims<V2>(rows, dims, centers, k, tile, out);
}

// d2 = sqrt(sum)^2 per lane; the sqrt is IEEE correctly rounded on every path (sqrtpd,
// vsqrtpd, fsqrt), as Java's Math.sqrt.
[[gnu::always_inline]] inline void SqrtSquareBaseline(double* d2) {
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

template <size_t kDims>
double SeedPassBaseline(const double* coords, size_t count, size_t dims, const double* center,
                        bool first, size_t skip, double* min_dist_squared, double* tile) {
  return SeedPassBody<V2, kDims>(coords, count, dims, center, first, skip, min_dist_squared, tile,
                                 [](double* d2) { SqrtSquareBaseline(d2); });
}

#if defined(__x86_64__)
// The same bodies compiled for AVX2 (4 doubles per instruction). target("avx2") enables AVX
// and AVX2 only, not FMA; with -ffp-contract=off no multiply-add is fused either way.
__attribute__((target("avx2"))) void NearestAvx2(const double* const* rows, size_t dims,
                                                 const double* centers, size_t k, double* tile,
                                                 TileNearest& out) {
  NearestDispatchDims<V4>(rows, dims, centers, k, tile, out);
}

// The lambda of SeedPassBaseline would not inherit target("avx2"), so the AVX2 pass spells
// its sqrt step out as a functor whose call operator carries the attribute.
struct SqrtSquareAvx2 {
  __attribute__((target("avx2"))) void operator()(double* d2) const {
    const __m256d r0 = _mm256_sqrt_pd(_mm256_loadu_pd(d2));
    const __m256d r1 = _mm256_sqrt_pd(_mm256_loadu_pd(d2 + 4));
    _mm256_storeu_pd(d2, _mm256_mul_pd(r0, r0));
    _mm256_storeu_pd(d2 + 4, _mm256_mul_pd(r1, r1));
  }
};

template <size_t kDims>
__attribute__((target("avx2"))) double SeedPassAvx2(const double* coords, size_t count,
                                                    size_t dims, const double* center,
                                                    bool first, size_t skip,
                                                    double* min_dist_squared, double* tile) {
  return SeedPassBody<V4, kDims>(coords, count, dims, center, first, skip, min_dist_squared, tile,
                                 SqrtSquareAvx2{});
}

#endif

}  // namespace

void NearestInTile(const double* const* rows, size_t dims, const double* centers, size_t k,
                   double* tile, TileNearest& out) {
#if defined(__x86_64__)
  if (simd::CpuHasAvx2()) return NearestAvx2(rows, dims, centers, k, tile, out);
#endif
  NearestBaseline(rows, dims, centers, k, tile, out);
}

double SeedPass(const double* coords, size_t count, size_t dims, const double* center,
                bool first, size_t skip, double* min_dist_squared, double* tile) {
  // One instantiation per small dimension count (unrolled transposition and sums), 0 = any.
  auto run = [&]<size_t kDims>() {
#if defined(__x86_64__)
    if (simd::CpuHasAvx2()) {
      return SeedPassAvx2<kDims>(coords, count, dims, center, first, skip, min_dist_squared,
                                 tile);
    }
#endif
    return SeedPassBaseline<kDims>(coords, count, dims, center, first, skip, min_dist_squared,
                                   tile);
  };
  switch (dims) {
    case 1:
      return run.template operator()<1>();
    case 2:
      return run.template operator()<2>();
    case 3:
      return run.template operator()<3>();
    case 4:
      return run.template operator()<4>();
    default:
      return run.template operator()<0>();
  }
}

std::string_view DistanceKernelIsa() {
#if defined(__x86_64__)
  if (simd::CpuHasAvx2()) return "avx2";
#endif
  return "baseline";
}

}  // namespace zerostart::kmeans
