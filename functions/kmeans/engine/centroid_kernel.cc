#include "functions/kmeans/engine/centroid_kernel.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "functions/kmeans/engine/simd.h"

namespace zerostart::kmeans {
namespace {

using simd::Load;
using simd::MaskOf;
using simd::V2;
using simd::V4;

template <typename V, size_t kDims>
[[gnu::always_inline]] inline void SumRowsBody(const double* coords, size_t count, size_t dims,
                                               const int32_t* assignments, const uint8_t* mine,
                                               double* sums) {
  using M = typename MaskOf<V>::type;
  constexpr size_t kLanes = sizeof(V) / sizeof(double);
  const size_t d = kDims > 0 ? kDims : dims;
  const size_t stride = CentroidRowStride(d);
  const size_t chunks = CentroidRowWidth(d) / kLanes;
  // Per chunk of a row: which lanes take the point's coordinates, and the count lane's 1.0
  // (bit operations, not arithmetic: no sign of zero can change).
  constexpr size_t kMaxChunks = 64;
  M keep[kMaxChunks];
  V fill[kMaxChunks];
  const size_t vector_chunks = chunks <= kMaxChunks ? chunks : 0;  // else all scalar
  for (size_t ch = 0; ch < vector_chunks; ++ch) {
    for (size_t l = 0; l < kLanes; ++l) {
      const size_t j = ch * kLanes + l;
      keep[ch][l] = j < d ? -1 : 0;
      fill[ch][l] = j == d ? 1.0 : 0.0;
    }
  }
  // Point i's vector loads read coords[i*d .. i*d + width): within the array for i < safe.
  const size_t width = chunks * kLanes;
  const size_t total = count * d;
  const size_t safe = vector_chunks == 0 || total < width ? 0 : (total - width) / d + 1;
  auto add_vector = [&](size_t i) __attribute__((always_inline)) {
    double* s = sums + static_cast<size_t>(assignments[i]) * stride;
    const double* p = coords + i * d;
    for (size_t ch = 0; ch < vector_chunks; ++ch) {
      const V v = reinterpret_cast<V>(
          (reinterpret_cast<M>(Load<V>(p + ch * kLanes)) & keep[ch]) |
          reinterpret_cast<M>(fill[ch]));
      const V sum = Load<V>(s + ch * kLanes) + v;
      std::memcpy(s + ch * kLanes, &sum, sizeof sum);
    }
  };
  // The last rows (their vector loads would run past the array).
  auto add_scalar = [&](size_t i) __attribute__((always_inline)) {
    double* s = sums + static_cast<size_t>(assignments[i]) * stride;
    const double* p = coords + i * d;
    for (size_t j = 0; j < d; ++j) s[j] += p[j];
    s[d] += 1.0;
  };
  auto add_point = [&](size_t i) __attribute__((always_inline)) {
    if (i < safe) {
      add_vector(i);
    } else {
      add_scalar(i);
    }
  };
  if (mine == nullptr) {
    // Two loops instead of a test per point, the first unrolled: 13 % faster at k = 8.
    const size_t vector_end = safe < count ? safe : count;
    size_t i = 0;
#pragma GCC unroll 4
    for (; i < vector_end; ++i) add_vector(i);
    for (; i < count; ++i) add_scalar(i);
    return;
  }
  constexpr size_t kChunk = 1024;
  uint32_t listed[kChunk];
  for (size_t begin = 0; begin < count; begin += kChunk) {
    const size_t end = count - begin < kChunk ? count : begin + kChunk;
    size_t n = 0;
    for (size_t i = begin; i < end; ++i) {
      listed[n] = static_cast<uint32_t>(i - begin);
      n += mine[static_cast<size_t>(assignments[i])] != 0 ? 1 : 0;
    }
    for (size_t t = 0; t < n; ++t) add_point(begin + listed[t]);
  }
}

template <typename V>
[[gnu::always_inline]] inline void SumRowsDispatch(const double* coords, size_t count,
                                                   size_t dims, const int32_t* assignments,
                                                   const uint8_t* mine,
                                                   double* sums) {
  switch (dims) {
    case 2:
      return SumRowsBody<V, 2>(coords, count, dims, assignments, mine, sums);
    case 3:
      return SumRowsBody<V, 3>(coords, count, dims, assignments, mine, sums);
    default:
      return SumRowsBody<V, 0>(coords, count, dims, assignments, mine, sums);
  }
}

void SumRowsBaseline(const double* coords, size_t count, size_t dims, const int32_t* assignments,
                     const uint8_t* mine, double* sums) {
  SumRowsDispatch<V2>(coords, count, dims, assignments, mine, sums);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void SumRowsAvx2(const double* coords, size_t count,
                                                 size_t dims, const int32_t* assignments,
                                                 const uint8_t* mine,
                                                 double* sums) {
  SumRowsDispatch<V4>(coords, count, dims, assignments, mine, sums);
}


// Point i's row vector: its coordinates, then `fill` (1.0 in the count lane, 0.0 after). (A
// function of its own: a lambda would not inherit the target attribute.)
template <size_t kDims>
__attribute__((always_inline, target("avx512f,avx512dq,avx512vl,avx2"))) inline __m256d
RowOfPoint(const double* coords, uint32_t i, __mmask8 coords_on, __m256d fill) {
  return _mm256_or_pd(_mm256_maskz_loadu_pd(coords_on, coords + size_t{i} * kDims), fill);
}

// SumRowsBody for kK <= 4 clusters of kDims <= 3 coordinates and all clusters (AVX-512): per
// chunk of points, the indices of each cluster's points are compressed into its list (16
// assignments per compare, in index order), then the lists are added, one register chain per
// cluster, the k chains interleaved up to the shortest list and each one's rest after it. A
// point is added as its row vector: its coordinates (a masked load, so the last point reads
// nothing past the array), 1.0 in the count lane, 0.0 in the padding, so every lane rounds as
// Java's `centroid[j] += p[j]` (and the count is exact). The chains run in index order within
// and across chunks: Java's order.
template <size_t kDims, size_t kK>
__attribute__((target("avx512f,avx512dq,avx512vl,avx2,popcnt"))) void SumRowsListsAvx512(
    const double* coords, size_t count, const int32_t* assignments, double* sums) {
  static_assert(kDims + 1 <= 4 && kK >= 1 && kK <= 4);
  constexpr size_t kChunk = 2048;  // 4 lists of 8 KiB: in L1 with the points they index
  alignas(64) uint32_t lists[kK][kChunk + 16];  // + 16: a compressed store's overhang
  __m256d acc[kK];
  constexpr size_t kStride = CentroidRowStride(kDims);
  for (size_t c = 0; c < kK; ++c) acc[c] = _mm256_loadu_pd(sums + c * kStride);
  const auto coords_on = static_cast<__mmask8>((1u << kDims) - 1);
  const __m256d fill = _mm256_setr_pd(kDims == 0 ? 1.0 : 0.0, kDims == 1 ? 1.0 : 0.0,
                                      kDims == 2 ? 1.0 : 0.0, kDims == 3 ? 1.0 : 0.0);
  const __m512i lane_ids =
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (size_t begin = 0; begin < count; begin += kChunk) {
    const size_t end = count - begin < kChunk ? count : begin + kChunk;
    size_t sizes[kK] = {};
    size_t i = begin;
    for (; i + 16 <= end; i += 16) {
      const __m512i a = _mm512_loadu_si512(assignments + i);
      const __m512i ids = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(i)), lane_ids);
      for (size_t c = 0; c < kK; ++c) {
        const __mmask16 in_c = _mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(static_cast<int32_t>(c)));
        _mm512_storeu_si512(lists[c] + sizes[c], _mm512_maskz_compress_epi32(in_c, ids));
        sizes[c] += static_cast<size_t>(__builtin_popcount(in_c));
      }
    }
    for (; i < end; ++i) {
      const auto c = static_cast<size_t>(assignments[i]);
      lists[c][sizes[c]++] = static_cast<uint32_t>(i);
    }
    size_t shortest = sizes[0];
    for (size_t c = 1; c < kK; ++c) shortest = sizes[c] < shortest ? sizes[c] : shortest;
    for (size_t t = 0; t < shortest; ++t) {
      for (size_t c = 0; c < kK; ++c) {
        acc[c] = _mm256_add_pd(acc[c], RowOfPoint<kDims>(coords, lists[c][t], coords_on, fill));
      }
    }
    // Each rest in a local register: indexing `acc` by a loop variable here made GCC keep
    // the whole array in memory, every addition then waiting on a store.
    for (size_t c = 0; c < kK; ++c) {
      __m256d chain = acc[c];
      for (size_t t = shortest; t < sizes[c]; ++t) {
        chain = _mm256_add_pd(chain, RowOfPoint<kDims>(coords, lists[c][t], coords_on, fill));
      }
      acc[c] = chain;
    }
  }
  for (size_t c = 0; c < kK; ++c) _mm256_storeu_pd(sums + c * kStride, acc[c]);
}

template <size_t kDims>
void SumRowsListsDispatchK(const double* coords, size_t count, const int32_t* assignments,
                           size_t k, double* sums) {
  switch (k) {
    case 1:
      return SumRowsListsAvx512<kDims, 1>(coords, count, assignments, sums);
    case 2:
      return SumRowsListsAvx512<kDims, 2>(coords, count, assignments, sums);
    case 3:
      return SumRowsListsAvx512<kDims, 3>(coords, count, assignments, sums);
    default:
      return SumRowsListsAvx512<kDims, 4>(coords, count, assignments, sums);
  }
}

// Whether SumRowsListsAvx512 serves this call.
bool SumRowsLists(const double* coords, size_t count, size_t dims, const int32_t* assignments,
                  const uint8_t* mine, double* sums, size_t k, KernelIsa isa) {
  if (isa != KernelIsa::kAvx512 || mine != nullptr || k < 1 || k > 4) return false;
  switch (dims) {
    case 1:
      SumRowsListsDispatchK<1>(coords, count, assignments, k, sums);
      return true;
    case 2:
      SumRowsListsDispatchK<2>(coords, count, assignments, k, sums);
      return true;
    case 3:
      SumRowsListsDispatchK<3>(coords, count, assignments, k, sums);
      return true;
    default:
      return false;
  }
}
#endif

}  // namespace

void SumClusterRows(const double* coords, size_t count, size_t dims, const int32_t* assignments,
                    const uint8_t* mine, double* sums, size_t k, KernelIsa isa) {
#if defined(__x86_64__)
  if (SumRowsLists(coords, count, dims, assignments, mine, sums, k, isa)) return;
  if (isa != KernelIsa::kBaseline) {
    return SumRowsAvx2(coords, count, dims, assignments, mine, sums);
  }
#endif
  (void)isa, (void)k;
  SumRowsBaseline(coords, count, dims, assignments, mine, sums);
}

}  // namespace zerostart::kmeans
