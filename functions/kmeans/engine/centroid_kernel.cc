#include "functions/kmeans/engine/centroid_kernel.h"

#include <cstring>

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
  const size_t chunks = stride / kLanes;
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
  // Point i's vector loads read coords[i*d .. i*d + stride): within the array for i < safe.
  const size_t total = count * d;
  const size_t safe = vector_chunks == 0 || total < stride ? 0 : (total - stride) / d + 1;
  auto add_point = [&](size_t i) __attribute__((always_inline)) {
    double* s = sums + static_cast<size_t>(assignments[i]) * stride;
    const double* p = coords + i * d;
    if (i < safe) {
      for (size_t ch = 0; ch < vector_chunks; ++ch) {
        const V v = reinterpret_cast<V>(
            (reinterpret_cast<M>(Load<V>(p + ch * kLanes)) & keep[ch]) |
            reinterpret_cast<M>(fill[ch]));
        const V sum = Load<V>(s + ch * kLanes) + v;
        std::memcpy(s + ch * kLanes, &sum, sizeof sum);
      }
    } else {  // the last rows (their vector loads would run past the array)
      for (size_t j = 0; j < d; ++j) s[j] += p[j];
      s[d] += 1.0;
    }
  };
  if (mine == nullptr) {
    for (size_t i = 0; i < count; ++i) add_point(i);
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

#endif

}  // namespace

void SumClusterRows(const double* coords, size_t count, size_t dims, const int32_t* assignments,
                    const uint8_t* mine, double* sums, KernelIsa isa) {
#if defined(__x86_64__)
  if (isa != KernelIsa::kBaseline) {
    return SumRowsAvx2(coords, count, dims, assignments, mine, sums);
  }
#endif
  (void)isa;
  SumRowsBaseline(coords, count, dims, assignments, mine, sums);
}

}  // namespace zerostart::kmeans
