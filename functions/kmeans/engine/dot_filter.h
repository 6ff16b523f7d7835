// The dot-product filter of the k-means assignment step: the nearest center of a point found
// from ‖c‖² − 2x·c (one fused multiply-add per coordinate and center, 8 points across the
// vector lanes) instead of Java's Σ(x_j − c_j)² (a subtract, a multiply and an add), with a
// proven error bound deciding when that answer is Java's. Internal to zs_kmeans.
//
// Why it is exact. For a point x and center c, with r a reference point (the centers' mean),
// x̃ = fl(x − r) and c̃ = fl(c − r), the kernel computes a_c = fl(s_c + X̃), where s_c is the FMA
// chain ‖c̃‖² − 2x̃·c̃ and X̃ the computed ‖x̃‖². Let e_c be the sum Java computes (Commons Math's
// EuclideanDistance before its sqrt) and D_c the exact squared distance. With u = 2^-53:
//   |a_c − D_c| <= ((4d + 8)u)(X + C) and |e_c − D_c| <= ((2d + 5)u)(X + C),
// X = ‖x − r‖², C = ‖c − r‖² (recursive-summation bounds for the chain and for Java's sum,
// Higham, "Accuracy and Stability of Numerical Algorithms", §3.1; the rounding of x − r and
// c − r moves D_c by at most 4u(X + C), as 2|ab| <= a² + b²). The kernel uses the larger
// E = (16d + 64)·u·(X̃ + C̃max) + 2^-900 (a factor 2 to spare, and an absolute term for
// subnormal products). So when the second smallest a exceeds the smallest by the margin
//   a_second − E > (a_best + E) · kNearTieGate,
// every other center's e_c is above e_best · kNearTieGate, its sqrt is strictly larger
// (exact_math.h), and Java's strict `<` scan picks the same center. Lanes without that margin
// are flagged for the scalar NearestCenter, as the exact kernel flags its near ties.
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
  std::vector<double> reference;  // dims: r, the centers' mean
  std::vector<double> scaled;     // k * dims: row c is −2·c̃ (exact: a power-of-2 scaling)
  std::vector<double> norms;      // k: ‖c̃‖²
  double norm_max = 0.0;          // the largest of the k norms
  double error_scale = 0.0;       // (16 dims + 64) · 2^-53
};

// Whether the filter serves `isa`: AVX-512 only (8-double FMA chains are what makes it pay).
bool DotFilterServes(KernelIsa isa);

// Fills `out` from `centers` (k rows of dims doubles, all finite). Allocates only when the
// shape grows.
void BuildDotCenters(const double* centers, size_t k, size_t dims, DotCenters& out);

// The nearest center of each of the kTileWidth points rows[l] (finite coordinates; pad a short
// tile by repeating a point), as NearestInTile, except for what the two sums mean:
//   out.nearest[l]      Java's getNearestCluster index, unless the lane is flagged;
//   out.nearest_sum[l]  >= the exact squared distance to that center;
//   out.second_sum[l]   <= the exact squared distance to every other center (>= 0);
//   out.needs_exact_mask  lanes whose margin the bound above does not prove (resolve them
//                         with NearestCenter, as for NearestInTile's near ties).
// So TileBounds gives valid Hamerly bounds from `out`. `scratch` holds dims * kTileWidth
// doubles. REQUIRES: DotFilterServes(kAvx512) on this CPU, centers.k >= 1.
void NearestByDot(const double* const* rows, const DotCenters& centers, double* scratch,
                  TileNearest& out);

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_DOT_FILTER_H_
