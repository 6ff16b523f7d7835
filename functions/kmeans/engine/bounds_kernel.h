// The Hamerly bound update of the k-means engine's pruned passes, in floats, 8 points per
// instruction: the loop every point runs through on every pass once the bounds are valid, so
// it is kept to a few vector instructions per 8 points. Internal to zs_kmeans.
//
// Per point i with a = assignments[i] (exact_bounds.h, Claim 3, proves the roundings safe):
//   u = Up(upper[i] + drift[a])                      >= the exact distance to center a
//   l = Down(lower[i] - other_drift[a])              <= the exact distance to every other center
//   keep_i = FloatPruneTest(u, max(l, Down(separation[a] - u)))
// upper[i] and lower[i] are overwritten with u and l whether the test holds or not.
//
// Dispatch by the caller's KernelIsa: AVX-512 code, 16 points per instruction, for avx512 with
// k <= 16 (the per-cluster values fetched with one vpermps); else AVX2 code for avx2 and avx512
// (one vpermps for k <= 8, a vgatherdps otherwise); else portable code (the baseline: SSE2 /
// NEON).
//
// Thread safety: pure function; the caller gives each thread its own range of points.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_BOUNDS_KERNEL_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_BOUNDS_KERNEL_H_

#include <cstddef>
#include <cstdint>

#include "functions/kmeans/engine/kernel_isa.h"

namespace zerostart::kmeans {

// One pass's per-cluster inputs, k floats each, rounded outward from the exact-bound doubles
// (UpperF for the drifts, LowerF for the separations, exact_bounds.h).
struct FloatDrifts {
  const float* drift;        // >= exact distance each center moved
  const float* other_drift;  // >= the largest drift among the other centers
  const float* separation;   // <= exact distance to the nearest other center
  size_t k;
};

// Updates the bounds of points [0, count) of the three arrays (see above) and writes the index
// of every point whose test fails to `failed`, in increasing order; returns how many it wrote
// (<= count). REQUIRES: every assignments[i] in [0, drifts.k);
// `failed` holds count + 16 values (the vector code stores 16 at a time); the pruning ε of the
// data's dimension count is at most 2^-22 (exact_bounds.h, FloatBoundsOk).
size_t UpdateBounds(const int32_t* assignments, float* upper, float* lower, size_t count,
                    const FloatDrifts& drifts, uint32_t* failed,
                    KernelIsa isa = BestKernelIsa());

// Hamerly's second chance for the points UpdateBounds failed: the upper bound tightened to the
// actual distance. For each offset i of `offsets` (count of them), with a = assignments[i]:
//   U = ExactUpperFromComputed(D(point i, center a), eps)      (Java's distance, Claim 1)
//   keep_i = PruneTest(U, max(lower[i], separation[a] - U), eps)   (Claim 2, in doubles)
// upper[i] becomes UpperF(U) (a valid bound either way), and the offsets that fail are written
// to `to_scan`, in order; returns how many. Offsets index `assignments`, `upper`, `lower` and
// the rows of `coords` (dims doubles each). REQUIRES: offsets < 2^31; a in [0, k) with
// `centers` k * dims and `separation` k doubles; `to_scan` holds count + 8 values.
struct TightenInputs {
  const double* coords;      // the points' rows, row-major
  size_t dims;
  const double* centers;     // this pass's centers, row-major
  const double* separation;  // <= exact distance from each center to its nearest other
  double eps;                // PruneEpsilon(dims)
  // The number of centers, or 0 when not known. With 1 <= k <= 8 and dims <= 4 the AVX-512
  // build keeps the centers and separations in registers and measures 8 points at a time.
  size_t k = 0;
};
size_t TightenBounds(const int32_t* assignments, float* upper, const float* lower,
                     const uint32_t* offsets, size_t count, const TightenInputs& in,
                     uint32_t* to_scan, KernelIsa isa = BestKernelIsa());

// UpdateBounds and TightenBounds on compact bounds (exact_bounds.h, CompactUp/CompactDown):
// each bound is decoded to its float, used as above, and stored rounded outward again.
// Portable code (the per-pass update is a small part of a pass on data this large).
size_t UpdateBounds(const int32_t* assignments, uint16_t* upper, uint16_t* lower, size_t count,
                    const FloatDrifts& drifts, uint32_t* failed);
size_t TightenBounds(const int32_t* assignments, uint16_t* upper, const uint16_t* lower,
                     const uint32_t* offsets, size_t count, const TightenInputs& in,
                     uint32_t* to_scan);

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_BOUNDS_KERNEL_H_
