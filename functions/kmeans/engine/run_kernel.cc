#include "functions/kmeans/engine/run_kernel.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "functions/kmeans/engine/distance_kernel.h"
#include "functions/kmeans/engine/scan_avx512.h"

namespace zerostart::kmeans {
namespace {

#if defined(__x86_64__)
using scan_avx512::BoundsOfSums;
using scan_avx512::RunColumns;
using scan_avx512::RunSum;
using scan_avx512::ScanAvx512;

// As distance_kernel.cc's NearestOfRowsAvx512: the centers in two halves scanned as two
// independent chains and merged. The assignments are compared and stored 8 at a time under
// the mask of settled lanes.
template <size_t kDims, bool kBounds>
__attribute__((target("avx512f,avx512dq,avx512vl"))) RunScan NearestRunAvx512(
    const double* coords, size_t tiles, const double* centers, size_t k, double eps,
    int32_t* assignments, float* upper, float* lower, uint32_t* flagged) {
  RunScan result;
  const size_t half = (k + 1) / 2;
  for (size_t t = 0; t < tiles; ++t) {
    const double* p = coords + t * kTileWidth * kDims;
    __m512d x[kDims];
    RunColumns<kDims>(p, x);
    ScanAvx512 low;
    ScanAvx512 high;
    low.Start();
    high.Start();
    for (size_t c = 0; c < half; ++c) {
      low.Add<kBounds>(RunSum<kDims>(x, centers + c * kDims), c);
      if (half + c < k) {
        high.Add<kBounds>(RunSum<kDims>(x, centers + (half + c) * kDims), half + c);
      }
    }
    low.Merge(high);
    const __mmask8 tie = low.NearTie();
    const auto settled = static_cast<__mmask8>(~tie);
    const __m256i nearest = _mm512_maskz_cvtepi64_epi32(0xff, low.index);
    int32_t* a = assignments + t * kTileWidth;
    const __mmask8 moved = _mm256_mask_cmpneq_epi32_mask(
        settled, nearest, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)));
    result.changes += static_cast<size_t>(__builtin_popcount(moved));
    _mm256_mask_storeu_epi32(a, settled, nearest);
    if constexpr (kBounds) {
      __m256 u;
      __m256 l;
      BoundsOfSums(low.best, low.second, eps, &u, &l);
      _mm256_storeu_ps(upper + t * kTileWidth, u);
      _mm256_storeu_ps(lower + t * kTileWidth, l);
    }
    if (tie != 0) [[unlikely]] {
      for (unsigned bits = tie; bits != 0; bits &= bits - 1) {
        flagged[result.flagged++] =
            static_cast<uint32_t>(t * kTileWidth + static_cast<size_t>(__builtin_ctz(bits)));
      }
    }
  }
  return result;
}
#endif

}  // namespace

bool RunScanServes(size_t dims, KernelIsa isa) {
#if defined(__x86_64__)
  return isa == KernelIsa::kAvx512 && dims >= 1 && dims <= 4;
#else
  (void)dims, (void)isa;
  return false;
#endif
}

#if defined(__x86_64__)
// NearestRunAvx512 with the bounds computed or not (a scan without them skips the second
// smallest sum too).
template <size_t kDims>
RunScan NearestRunBounded(const double* coords, size_t tiles, const double* centers, size_t k,
                          double eps, int32_t* assignments, float* upper, float* lower,
                          uint32_t* flagged) {
  return upper != nullptr ? NearestRunAvx512<kDims, true>(coords, tiles, centers, k, eps,
                                                          assignments, upper, lower, flagged)
                          : NearestRunAvx512<kDims, false>(coords, tiles, centers, k, eps,
                                                           assignments, upper, lower, flagged);
}
#endif

RunScan NearestOfRun(const double* coords, size_t tiles, size_t dims, const double* centers,
                     size_t k, double eps, int32_t* assignments, float* upper, float* lower,
                     uint32_t* flagged) {
#if defined(__x86_64__)
  switch (dims) {
    case 1:
      return NearestRunBounded<1>(coords, tiles, centers, k, eps, assignments, upper, lower,
                                 flagged);
    case 2:
      return NearestRunBounded<2>(coords, tiles, centers, k, eps, assignments, upper, lower,
                                 flagged);
    case 3:
      return NearestRunBounded<3>(coords, tiles, centers, k, eps, assignments, upper, lower,
                                 flagged);
    default:
      return NearestRunBounded<4>(coords, tiles, centers, k, eps, assignments, upper, lower,
                                 flagged);
  }
#else
  (void)coords, (void)tiles, (void)dims, (void)centers, (void)k, (void)eps, (void)assignments,
      (void)upper, (void)lower, (void)flagged;
  return {};
#endif
}

}  // namespace zerostart::kmeans
