#include "functions/kmeans/engine/fast_assignment.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "functions/kmeans/engine/engine_pool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace zerostart::kmeans {
namespace {

constexpr size_t kTile = FastAssignmentStep::kTile;
constexpr size_t kBlock = FastAssignmentStep::kCenterBlock;

// Writes, for each of the kTile points of `tile` (dims-major), the index of the center with the
// smallest norms[c] - 2 * dot(point, center c); the first such center on ties, as Java's strict
// `<` scan picks.
using NearestFn = void (*)(const float* tile, size_t dims, const float* centers,
                           const float* norms, size_t padded_k, int32_t* best);

void NearestPortable(const float* tile, size_t dims, const float* centers, const float* norms,
                     size_t padded_k, int32_t* best) {
  float best_score[kTile];
  std::fill_n(best_score, kTile, std::numeric_limits<float>::infinity());
  std::fill_n(best, kTile, 0);
  for (size_t c = 0; c < padded_k; ++c) {
    const float* center = centers + c * dims;
    float dot[kTile] = {};
    for (size_t d = 0; d < dims; ++d) {
      for (size_t p = 0; p < kTile; ++p) dot[p] += tile[d * kTile + p] * center[d];
    }
    for (size_t p = 0; p < kTile; ++p) {
      const float score = norms[c] - 2.0f * dot[p];
      if (score < best_score[p]) {
        best_score[p] = score;
        best[p] = static_cast<int32_t>(c);
      }
    }
  }
}

#if defined(__x86_64__)
// 16 points x 4 centers per block: 8 accumulators, two point vectors and one broadcast live at a
// time, so the loop is bound by the two FMA ports rather than by loads.
__attribute__((target("avx2,fma"))) void NearestAvx2Fma(const float* tile, size_t dims,
                                                          const float* centers,
                                                          const float* norms, size_t padded_k,
                                                          int32_t* best) {
  const __m256 minus_two = _mm256_set1_ps(-2.0f);
  __m256 best0 = _mm256_set1_ps(std::numeric_limits<float>::infinity());
  __m256 best1 = best0;
  __m256i index0 = _mm256_setzero_si256();
  __m256i index1 = index0;
  for (size_t c = 0; c < padded_k; c += kBlock) {
    const float* r0 = centers + c * dims;
    const float* r1 = r0 + dims;
    const float* r2 = r1 + dims;
    const float* r3 = r2 + dims;
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00;
    __m256 a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (size_t d = 0; d < dims; ++d) {
      const __m256 x0 = _mm256_loadu_ps(tile + d * kTile);
      const __m256 x1 = _mm256_loadu_ps(tile + d * kTile + 8);
      __m256 b = _mm256_broadcast_ss(r0 + d);
      a00 = _mm256_fmadd_ps(x0, b, a00);
      a01 = _mm256_fmadd_ps(x1, b, a01);
      b = _mm256_broadcast_ss(r1 + d);
      a10 = _mm256_fmadd_ps(x0, b, a10);
      a11 = _mm256_fmadd_ps(x1, b, a11);
      b = _mm256_broadcast_ss(r2 + d);
      a20 = _mm256_fmadd_ps(x0, b, a20);
      a21 = _mm256_fmadd_ps(x1, b, a21);
      b = _mm256_broadcast_ss(r3 + d);
      a30 = _mm256_fmadd_ps(x0, b, a30);
      a31 = _mm256_fmadd_ps(x1, b, a31);
    }
    const __m256 acc[kBlock][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
    for (size_t j = 0; j < kBlock; ++j) {
      const __m256 norm = _mm256_set1_ps(norms[c + j]);
      const __m256 s0 = _mm256_fmadd_ps(acc[j][0], minus_two, norm);
      const __m256 s1 = _mm256_fmadd_ps(acc[j][1], minus_two, norm);
      const __m256 less0 = _mm256_cmp_ps(s0, best0, _CMP_LT_OQ);
      const __m256 less1 = _mm256_cmp_ps(s1, best1, _CMP_LT_OQ);
      best0 = _mm256_blendv_ps(best0, s0, less0);
      best1 = _mm256_blendv_ps(best1, s1, less1);
      const __m256i index = _mm256_set1_epi32(static_cast<int32_t>(c + j));
      index0 = _mm256_blendv_epi8(index0, index, _mm256_castps_si256(less0));
      index1 = _mm256_blendv_epi8(index1, index, _mm256_castps_si256(less1));
    }
  }
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(best), index0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(best + 8), index1);
}
#endif

NearestFn ChooseNearest() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return NearestAvx2Fma;
#endif
  return NearestPortable;
}

}  // namespace

FastAssignmentStep::FastAssignmentStep(const Points& points, size_t k, size_t parts)
    : points_(points),
      k_(k),
      padded_k_((k + kBlock - 1) / kBlock * kBlock),
      shift_(points.dims),
      centers_f_(padded_k_ * points.dims),
      norms_f_(padded_k_, std::numeric_limits<float>::infinity()),
      parts_(std::max<size_t>(parts, 1)) {
  const size_t dims = points.dims;
  for (Part& part : parts_) part.tile.assign(dims * kTile, 0.0f);
  std::vector<double> low(dims, std::numeric_limits<double>::infinity());
  std::vector<double> high(dims, -std::numeric_limits<double>::infinity());
  for (size_t i = 0; i < points.count; ++i) {
    const double* row = points.Row(i);
    for (size_t d = 0; d < dims; ++d) {
      low[d] = std::min(low[d], row[d]);
      high[d] = std::max(high[d], row[d]);
    }
  }
  for (size_t d = 0; d < dims; ++d) {
    if (!(high[d] - low[d] <= kMaxFastExtent)) usable_ = false;  // also false for NaN
  }
}

int64_t FastAssignmentStep::Assign(const std::vector<double>& centers,
                                   std::vector<int32_t>& assignments, EnginePool* pool) {
  const size_t dims = points_.dims;
  // Shifting by the centers' mean keeps the shifted points and centers within the data's extent,
  // which Usable() bounds, and near zero where float32 is densest.
  std::fill(shift_.begin(), shift_.end(), 0.0);
  for (size_t c = 0; c < k_; ++c) {
    for (size_t d = 0; d < dims; ++d) shift_[d] += centers[c * dims + d];
  }
  for (double& s : shift_) s /= static_cast<double>(k_);
  for (size_t c = 0; c < k_; ++c) {
    float norm = 0.0f;
    for (size_t d = 0; d < dims; ++d) {
      const float value = static_cast<float>(centers[c * dims + d] - shift_[d]);
      centers_f_[c * dims + d] = value;
      norm += value * value;
    }
    norms_f_[c] = norm;
  }

  const size_t n = points_.count;
  const size_t parts = parts_.size();
  // Part boundaries on tile multiples, so every tile but the last is full.
  auto boundary = [&](size_t p) { return p == parts ? n : n * p / parts / kTile * kTile; };
  auto run_part = [&](size_t p) { AssignRange(boundary(p), boundary(p + 1), assignments, parts_[p]); };
  if (pool != nullptr && parts > 1) {
    pool->Run(parts, run_part);
  } else {
    for (size_t p = 0; p < parts; ++p) run_part(p);
  }
  int64_t changes = 0;
  for (const Part& part : parts_) changes += part.changes;
  return changes;
}

void FastAssignmentStep::AssignRange(size_t begin, size_t end, std::vector<int32_t>& assignments,
                                     Part& part) const {
  static const NearestFn nearest = ChooseNearest();
  const size_t dims = points_.dims;
  float* tile = part.tile.data();
  part.changes = 0;
  int32_t best[kTile];
  for (size_t i = begin; i < end; i += kTile) {
    const size_t lanes = std::min(kTile, end - i);
    if (lanes < kTile) std::fill(part.tile.begin(), part.tile.end(), 0.0f);
    for (size_t p = 0; p < lanes; ++p) {
      const double* row = points_.Row(i + p);
      for (size_t d = 0; d < dims; ++d) tile[d * kTile + p] = static_cast<float>(row[d] - shift_[d]);
    }
    nearest(tile, dims, centers_f_.data(), norms_f_.data(), padded_k_, best);
    for (size_t p = 0; p < lanes; ++p) {
      if (assignments[i + p] != best[p]) {
        assignments[i + p] = best[p];
        ++part.changes;
      }
    }
  }
}

}  // namespace zerostart::kmeans
