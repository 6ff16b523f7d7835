// The dense scan of a run of consecutive points (the k-means engine's first pass, and every
// chunk of a later pass whose bound test fails widely): NearestInTile and TileBounds
// (distance_kernel.h) for 8 points at a time, with the tile built from whole-vector loads of
// the rows by permutes in registers rather than element by element, and each center coordinate
// broadcast from memory into its subtraction. The sums, the scan order, the near-tie flag and
// the bounds are NearestInTile's and TileBounds', operation for operation, so every result is
// theirs bit for bit. Internal to zs_kmeans.
//
// Built for AVX-512 only, 1 to 4 coordinates (rows of up to 4 doubles: 8 of them are at most 4
// vectors); elsewhere the engine builds tiles (RunScanServes says which).
//
// Thread safety: pure functions; the caller gives each thread its own points.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_RUN_KERNEL_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_RUN_KERNEL_H_

#include <cstddef>
#include <cstdint>

#include "functions/kmeans/engine/kernel_isa.h"

namespace zerostart::kmeans {

// The result of NearestOfRun.
struct RunScan {
  size_t changes = 0;  // settled points whose assignment changed
  size_t flagged = 0;  // offsets written to `flagged`
};

// Whether NearestOfRun serves this shape and ISA (AVX-512, 1 to 4 coordinates).
bool RunScanServes(size_t dims, KernelIsa isa);

// For each of the 8 * tiles consecutive points of `coords` (row-major, dims each): Java's
// nearest of the k `centers` (row-major), as NearestInTile picks it, is written to
// assignments[i]; with `upper` (and `lower`, both 8 * tiles floats), the point's bounds as
// TileBounds gives them, to upper[i] and lower[i]. A point NearestInTile would flag (a near
// tie) has its offset written to `flagged` (increasing; room for 8 * tiles) and its assignment
// left as it was, so that the caller can settle it with NearestCenter and count its change;
// its bounds are written as the tile gave them. Returns how many settled points changed
// cluster and how many were flagged. REQUIRES: RunScanServes(dims, the ISA it runs on),
// k >= 1, eps = PruneEpsilon(dims).
RunScan NearestOfRun(const double* coords, size_t tiles, size_t dims, const double* centers,
                     size_t k, double eps, int32_t* assignments, float* upper, float* lower,
                     uint32_t* flagged);

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_RUN_KERNEL_H_
