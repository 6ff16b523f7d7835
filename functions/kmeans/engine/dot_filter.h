// The dot-product filter of the k-means assignment step: the nearest center of a point found
// from ‖c‖² − 2x·c (one fused multiply-add per coordinate and center, 8 points across the
// vector lanes) instead of Java's Σ(x_j − c_j)² (a subtract, a multiply and an add), with a
// proven error bound deciding when that answer is Java's. Internal to zs_kmeans.
//
// Why it is exact. For a point x and center c, with r a reference point (the centers'
// coordinate-wise median), x̃ = fl(x − r) and c̃ = fl(c − r), the kernel's approximation of the
// squared distance is a_c = w_c + X̃ + ε_c, where w_c is the FMA chain started at
// fl(‖c̃‖² − ε_c) that subtracts 2x̃·c̃, X̃ the computed ‖x̃‖² and ε_c = (16d + 64)·u·‖c̃‖², with
// u = 2^-53. Let e_c be the sum Java computes (Commons Math's EuclideanDistance before its
// sqrt) and D_c the exact squared distance. Then
//   |a_c − D_c| <= ((4d + 8)u)(X + C_c) and |e_c − D_c| <= ((2d + 5)u)(X + C_c),
// X = ‖x − r‖², C_c = ‖c − r‖² (recursive-summation bounds for the chain and for Java's sum,
// Higham, "Accuracy and Stability of Numerical Algorithms", §3.1; the rounding of x − r and
// c − r moves D_c by at most 4u(X + C_c), as 2|ab| <= a² + b²). The kernel uses each center's
// own, larger E_c = (16d + 64)·u·(X̃ + C̃_c) + 2^-900 (a factor 2 to spare, covering the
// roundings of the test itself, and an absolute term for subnormal products), so a far-away
// center does not blur the near ones. Then
//   lower_c = a_c − E_c = w_c + X̃(1 − (16d + 64)u) − 2^-900   (the same X̃ term for every c),
//   upper_c = a_c + E_c = w_c + 2ε_c + X̃(1 + (16d + 64)u) + 2^-900.
// With b the center of the smallest w (so of the smallest lower bound): when every other
// center's lower bound exceeds b's upper bound times the near-tie gate,
//   min over c != b of lower_c > upper_b · kNearTieGate,
// every other center's e_c is above e_b · kNearTieGate, its sqrt is strictly larger
// (exact_math.h), and Java's strict `<` scan picks b. Lanes without that margin (exact ties
// included: two equal smallest w fail it) are flagged for the scalar NearestCenter, as the
// exact kernel flags its near ties. The reference is the median, not the mean, so that one
// far-away center (k-means++ seeding picks outliers) does not move it away from the points
// and make X̃, and every bound, large.
//
// Thread safety: DotCenters is built by one thread, then read by any number.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DOT_FILTER_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DOT_FILTER_H_

#include <cstddef>
#include <vector>

#include "functions/kmeans/engine/distance_kernel.h"

namespace zerostart::kmeans {

// One pass's centers in the filter's layout.
struct DotCenters {
  size_t dims = 0;
  size_t k = 0;
  std::vector<double> reference;  // dims: r, the centers' coordinate-wise median
  std::vector<double> scaled;     // k * dims: row c is −2·c̃ (exact: a power-of-2 scaling)
  std::vector<double> starts;     // k: fl(‖c̃‖² − ε_c), where each chain starts
  std::vector<double> errors;     // k: ε_c = fl(error_scale · ‖c̃‖²)
  double error_scale = 0.0;       // (16 dims + 64) · 2^-53
  std::vector<double> median_scratch;  // k: BuildDotCenters' buffer
};

// Whether the filter serves `isa`: AVX-512 only (8-double FMA chains are what makes it pay).
bool DotFilterServes(KernelIsa isa);

// Fills `out` from `centers` (k >= 1 rows of dims doubles, each coordinate finite and within
// kMaxPrunableMagnitude, as every center made from such points is). Allocates only when the
// shape grows.
void BuildDotCenters(const double* centers, size_t k, size_t dims, DotCenters& out);

// The nearest center of each of the kTileWidth points rows[l] (each coordinate finite and
// within kMaxPrunableMagnitude, exact_bounds.h: no intermediate sum can overflow; pad a short
// tile by repeating a point), as NearestInTile, except for what the two sums mean:
//   out.nearest[l]      Java's getNearestCluster index, unless the lane is flagged;
//   out.nearest_sum[l]  >= the exact squared distance to that center;
//   out.second_sum[l]   <= the exact squared distance to every other center (>= 0);
//   out.needs_exact_mask  lanes whose margin the bound above does not prove (resolve them
//                         with NearestCenter, as for NearestInTile's near ties).
// So TileBounds gives valid Hamerly bounds from `out`. `scratch` holds dims * kTileWidth
// doubles. REQUIRES: CpuRunsKernelIsa(kAvx512) on an x86-64 build (DotFilterServes), centers
// from BuildDotCenters with k >= 1 and dims >= 1.
void NearestByDot(const double* const* rows, const DotCenters& centers, double* scratch,
                  TileNearest& out);

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DOT_FILTER_H_
