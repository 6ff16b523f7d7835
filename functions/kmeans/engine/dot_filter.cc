#include "functions/kmeans/engine/dot_filter.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/simd.h"

namespace zerostart::kmeans {

bool DotFilterServes(KernelIsa isa) {
#if defined(__x86_64__)
  return isa == KernelIsa::kAvx512;
#else
  (void)isa;
  return false;
#endif
}

void BuildDotCenters(const double* centers, size_t k, size_t dims, DotCenters& out) {
  out.dims = dims;
  out.k = k;
  out.reference.resize(dims);
  out.median_scratch.resize(k);
  for (size_t j = 0; j < dims; ++j) {
    for (size_t c = 0; c < k; ++c) out.median_scratch[c] = centers[c * dims + j];
    const auto middle = out.median_scratch.begin() + static_cast<std::ptrdiff_t>(k / 2);
    std::nth_element(out.median_scratch.begin(), middle, out.median_scratch.end());
    out.reference[j] = *middle;
  }
  out.error_scale = static_cast<double>(16 * dims + 64) * 0x1.0p-53;
  out.scaled.resize(k * dims);
  out.starts.resize(k);
  out.errors.resize(k);
  for (size_t c = 0; c < k; ++c) {
    double norm = 0.0;
    for (size_t j = 0; j < dims; ++j) {
      const double t = centers[c * dims + j] - out.reference[j];
      out.scaled[c * dims + j] = -2.0 * t;
      norm += t * t;
    }
    out.errors[c] = out.error_scale * norm;
    out.starts[c] = norm - out.errors[c];
  }
}

#if defined(__x86_64__)
namespace {

#define ZS_DOT __attribute__((target("avx512f,avx512dq,avx512vl")))

using simd::MaxPd;
using simd::MinPd;
using simd::V8;

// One chain of the scan over centers: the smallest and second smallest chain value per lane,
// the first center giving the smallest, and that center's ε. Equal values leave second ==
// best, so the margin test flags the lane whichever index was kept.
struct DotScan {
  __m512d best;
  __m512d second;
  __m512d best_error;
  __m512i index;

  ZS_DOT inline void Start() {
    best = _mm512_set1_pd(std::numeric_limits<double>::infinity());
    second = best;
    best_error = _mm512_setzero_pd();
    index = _mm512_setzero_si512();
  }
  ZS_DOT inline void Add(__m512d value, double error, size_t c) {
    const __mmask8 less = _mm512_cmp_pd_mask(value, best, _CMP_LT_OQ);
    second = MinPd(MaxPd(best, value), second);
    best = MinPd(value, best);
    best_error = _mm512_mask_mov_pd(best_error, less, _mm512_set1_pd(error));
    index = _mm512_mask_mov_epi64(index, less, _mm512_set1_epi64(static_cast<int64_t>(c)));
  }
  ZS_DOT inline void Merge(const DotScan& other) {
    const __mmask8 less = _mm512_cmp_pd_mask(other.best, best, _CMP_LT_OQ);
    second = MinPd(MaxPd(best, other.best), MinPd(other.second, second));
    best = MinPd(other.best, best);
    best_error = _mm512_mask_mov_pd(best_error, less, other.best_error);
    index = _mm512_mask_mov_epi64(index, less, other.index);
  }
};

// Centers per group: 8 independent FMA chains cover the FMA latency on two pipes.
constexpr size_t kGroup = 8;

template <size_t kDims>
ZS_DOT void NearestByDotDims(const double* const* rows, const DotCenters& centers,
                             double* tile, TileNearest& out) {
  const size_t dims = kDims > 0 ? kDims : centers.dims;
  const double* reference = centers.reference.data();
  // x̃ = fl(x − r) across the 8 lanes, 8 coordinates at a time (a register transpose: gathers
  // are slow on AMD), and its norm in any order: the bound covers every order of summing
  // non-negative terms.
  __m512d norm = _mm512_setzero_pd();
  for (size_t j0 = 0; j0 < dims; j0 += 8) {
    const size_t width = dims - j0 < 8 ? dims - j0 : 8;
    const auto on = static_cast<__mmask8>((1u << width) - 1);
    V8 block[8];
    // Whole blocks of 8 by plain loads (AMD runs masked loads that miss the cache much
    // slower); only a last block of fewer coordinates is masked.
    for (size_t l = 0; l < kTileWidth; ++l) {
      block[l] = width == 8 ? simd::Load<V8>(rows[l] + j0)
                            : reinterpret_cast<V8>(_mm512_maskz_loadu_pd(on, rows[l] + j0));
    }
    simd::Transpose(block);
    for (size_t q = 0; q < width; ++q) {
      const __m512d shifted = _mm512_sub_pd(reinterpret_cast<__m512d>(block[q]),
                                            _mm512_set1_pd(reference[j0 + q]));
      _mm512_storeu_pd(tile + (j0 + q) * kTileWidth, shifted);
      norm = _mm512_fmadd_pd(shifted, shifted, norm);
    }
  }
  DotScan scan[4];
  for (DotScan& s : scan) s.Start();
  const size_t k = centers.k;
  const double* scaled = centers.scaled.data();
  size_t c = 0;
  for (; c + kGroup <= k; c += kGroup) {
    __m512d chain[kGroup];
    for (size_t g = 0; g < kGroup; ++g) chain[g] = _mm512_set1_pd(centers.starts[c + g]);
    for (size_t j = 0; j < dims; ++j) {
      const __m512d x = _mm512_loadu_pd(tile + j * kTileWidth);
      for (size_t g = 0; g < kGroup; ++g) {
        chain[g] = _mm512_fmadd_pd(x, _mm512_set1_pd(scaled[(c + g) * dims + j]), chain[g]);
      }
    }
    for (size_t g = 0; g < kGroup; ++g) scan[g % 4].Add(chain[g], centers.errors[c + g], c + g);
  }
  for (; c < k; ++c) {
    __m512d chain = _mm512_set1_pd(centers.starts[c]);
    for (size_t j = 0; j < dims; ++j) {
      chain = _mm512_fmadd_pd(_mm512_loadu_pd(tile + j * kTileWidth),
                              _mm512_set1_pd(scaled[c * dims + j]), chain);
    }
    scan[c % 4].Add(chain, centers.errors[c], c);
  }
  scan[0].Merge(scan[1]);
  scan[2].Merge(scan[3]);
  scan[0].Merge(scan[2]);
  // The margin test of dot_filter.h: lower bound of the others against the upper bound of the
  // smallest, with the point's error term (16d + 64)u·X̃ + 2^-900 on both sides.
  const __m512d point_error = _mm512_add_pd(
      _mm512_mul_pd(norm, _mm512_set1_pd(centers.error_scale)), _mm512_set1_pd(0x1.0p-900));
  const __m512d high = _mm512_add_pd(
      _mm512_add_pd(_mm512_add_pd(scan[0].best, _mm512_add_pd(scan[0].best_error,
                                                              scan[0].best_error)),
                    norm),
      point_error);
  const __m512d low = _mm512_sub_pd(_mm512_add_pd(scan[0].second, norm), point_error);
  const __mmask8 proven = _mm512_cmp_pd_mask(
      low, _mm512_mul_pd(high, _mm512_set1_pd(kNearTieGate)), _CMP_GT_OQ);
  alignas(64) int64_t lanes[kTileWidth];
  _mm512_store_si512(lanes, scan[0].index);
  for (size_t l = 0; l < kTileWidth; ++l) out.nearest[l] = static_cast<int32_t>(lanes[l]);
  _mm512_storeu_pd(out.nearest_sum, high);
  _mm512_storeu_pd(out.second_sum, MaxPd(low, _mm512_setzero_pd()));
  out.needs_exact_mask = static_cast<uint32_t>(static_cast<uint8_t>(~proven));
}

#undef ZS_DOT

}  // namespace

void NearestByDot(const double* const* rows, const DotCenters& centers, double* scratch,
                  TileNearest& out) {
  switch (centers.dims) {
    case 8:
      return NearestByDotDims<8>(rows, centers, scratch, out);
    case 16:
      return NearestByDotDims<16>(rows, centers, scratch, out);
    default:
      return NearestByDotDims<0>(rows, centers, scratch, out);
  }
}
#else
void NearestByDot(const double* const*, const DotCenters&, double*, TileNearest&) {}
#endif

}  // namespace zerostart::kmeans
