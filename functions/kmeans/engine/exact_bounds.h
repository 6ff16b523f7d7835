// Rigorous bounds for Hamerly pruning that keep Commons Math's argmin bit-identical.
// Internal to zs_kmeans.
//
// Notation. For a point x and a center c, δ(x,c) is the exact (real) Euclidean distance and
// D(x,c) the distance Java computes: sqrt(fl(...fl(fl(x_0-c_0)^2) + ... + fl(fl(x_{d-1}-c_{d-1})^2)))
// with every operation rounded to nearest (unit roundoff u = 2^-53).
//
// Claim 1 (forward error). If every coordinate has |x_j| <= 2^330 (so nothing overflows; the
// engine checks a stricter limit, kMaxPrunableMagnitude, and disables pruning otherwise), then
//     δ(1 - ε_d) - η  <=  D  <=  δ(1 + ε_d) + η,    ε_d = (d + 8)·2^-52,   η = 2^-500.
// Proof. fl(x_j - c_j) = (x_j - c_j)(1+a_j) with |a_j| <= u (exact when the result is
// subnormal). Its square is rounded once more: (x_j-c_j)^2 (1+a_j)^2 (1+b_j) + t_j, where t_j
// is an underflow error with |t_j| <= 2^-1075. The d-1 additions of nonnegative terms each
// multiply the running sum by (1+e), |e| <= u. So the computed sum is
// S~ = Σ s_j (1+θ_j) + t with |θ_j| <= γ_{d+2} = (d+2)u/(1-(d+2)u) and |t| <= d·2^-1074:
// S(1 - γ) - t <= S~ <= S(1 + γ) + t (all terms are nonnegative, so the relative errors do
// not cancel badly). Then D = sqrt(S~)(1+r), |r| <= u, and sqrt(a + b) <= sqrt(a) + sqrt(b):
// D <= δ sqrt(1+γ)(1+u) + sqrt(t)(1+u) <= δ(1 + γ/2 + 2u) + η, since sqrt(d·2^-1074)(1+u) < η
// for any d < 2^70. The lower side is symmetric: sqrt(max(0, S(1-γ) - t)) >= δ sqrt(1-γ) -
// sqrt(t). Finally γ/2 + 2u <= (d+8)·2^-52 = ε_d for d < 2^40. ∎
//
// Claim 2 (the pruning test is exact). Let a be x's assigned center and suppose
//     U >= δ(x,a)   and   L <= min over c != a of δ(x,c)
// (the Hamerly bounds, on exact distances: the triangle inequality δ(x,c') >= δ(x,c) - δ(c,c')
// holds exactly for them, which is why the bounds are kept on δ and not on D). If
//     U(1 + ε) + η  <  L(1 - ε) - η        with ε >= ε_d,
// then D(x,a) <= δ(x,a)(1+ε) + η <= U(1+ε) + η < L(1-ε) - η <= δ(x,c)(1-ε) - η <= D(x,c) for
// every c != a: D(x,a) is *strictly* smaller than every other computed distance, so Java's
// strict `<` scan over clusters picks a whatever the order, the ties and the rounding. ∎
// PruneTest evaluates the inequality in doubles with ε = ε_d + 2^-40; its own few roundings
// (relative 2^-53 each, on both sides) are far inside the extra 2^-40.
//
// Claim 3 (the float pass is safe). The per-pass update of the bounds runs in floats
// (bounds_kernel.h). For every float op under round to nearest, fl(z) lies within
// |z|·2^-24 + 2^-150 of z (relative error, or half a subnormal step). With m = 2^-120:
//   Up(x) = fl(fl(x·(1 + 2^-21)) + m) >= x' for every x = fl(x') with x' >= 0, i.e. Up of a
//     rounded sum bounds the exact sum: x >= x'(1-2^-24) - 2^-150, and the two steps lose at most
//     (1-2^-24)^2 relative and 2^-149 absolute, while (1+2^-21)(1-2^-24)^3 > 1 and m > 2^-148.
//   Down(x) = max(fl(fl(x·(1 - 2^-21)) - m), 0) <= max(x', 0) for x = fl(x'): for x' > 0 the
//     relative part (1-2^-21)(1+2^-24)^3 < 1 and m covers the absolute 2^-149; when the inner
//     product is below m the subtraction of two floats gives a result <= 0 (round to nearest
//     never changes sign), clamped to 0, a valid bound since distances are >= 0.
// So u = Up(fl(U + drift)) and l = Down(fl(L - other_drift)), s = Down(fl(separation - u)) are
// again valid bounds when U, L, drift (>=), other_drift (>=) and separation (<=) are, and the
// float test
//   FloatPruneTest(u, L) := fl(fl(u·(1 + 2^-20)) + h) < fl(fl(L·(1 - 2^-20)) - h),  h = 2^-100,
// implies Claim 2's premise when ε <= 2^-22 (any d < 2^29): the left side is at least
// u(1+2^-20)(1-2^-24)^2 + h(1-2^-24) - 2^-149 >= u(1+ε) + η, and the right side, when positive
// (else the test fails since the left side is > 0), is at most L(1-2^-20)(1+2^-24)^2 -
// h(1+2^-24) + 2^-149 <= L(1-ε) - η. ∎
//
// Storage. Bounds are floats (8 B per point instead of 16), always rounded outward: UpperF(v)
// >= v and LowerF(v) <= v for the double v handed to them, with a relative slack of 2^-20 that
// also absorbs one rounding of the double arithmetic that produced v (<= 2^-53 relative).
//   UpperF: (float)(v(1 + 2^-20) + 2^-120): the double steps lose at most 2^-52 relative, the
//     conversion to float at most 2^-24 (the value is >= 2^-120 > FLT_MIN, so normal), and
//     (1+2^-20)(1-2^-52)(1-2^-24) > 1. Overflow gives +inf: no pruning, still correct.
//   LowerF: 0 for v <= 0 (distances are >= 0); else (float)min(v(1 - 2^-20) - 2^-120, FLT_MAX):
//     when that is normal, (1-2^-20)(1+2^-52)(1+2^-24) < 1; when it is subnormal or negative,
//     the conversion moves it by at most 2^-150 < 2^-120.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EXACT_BOUNDS_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EXACT_BOUNDS_H_

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace zerostart::kmeans {

// Pruning is used only when every coordinate's magnitude is at most this (and finite): the
// sums of squares then stay far from overflow for any d < 2^40 (d·(2·10^100)^2 < 10^214), and
// centers (means of points) obey the same limit.
inline constexpr double kMaxPrunableMagnitude = 1e100;

inline constexpr double kUnderflowSlack = 0x1.0p-500;  // η of Claim 1

// Whether every coordinate is finite and within kMaxPrunableMagnitude (NaN: false), so that
// the claims apply to the data and to every center made from it.
// Computed on the magnitudes' bits: for doubles >= +0 their order as unsigned integers is
// their order as values, and every NaN's bits lie above +inf's; so kLimit - bits wraps (its
// top bit set) exactly for the coordinates beyond the limit or NaN. Integer operations
// vectorise; GCC keeps the floating-point comparison loop scalar (one compare per coordinate,
// run twice per clustering: seeding and the assignment step).
inline bool PrunableCoordinates(std::span<const double> coords) {
  constexpr uint64_t kLimit = std::bit_cast<uint64_t>(kMaxPrunableMagnitude);
  constexpr uint64_t kMagnitude = ~(uint64_t{1} << 63);
  uint64_t wrapped = 0;
  for (const double x : coords) wrapped |= kLimit - (std::bit_cast<uint64_t>(x) & kMagnitude);
  return (wrapped >> 63) == 0;
}

// ε of Claim 2 for d dimensions.
inline double PruneEpsilon(size_t dims) {
  return static_cast<double>(dims + 8) * 0x1.0p-52 + 0x1.0p-40;
}

// An upper bound on δ given a computed distance D: Claim 1 gives δ <= (D + η) / (1 - ε); this
// multiplies instead of dividing (a division is ~15 cycles on the pruning hot path):
// (1 + 2ε)(1 - ε) = 1 + ε - 2ε² >= 1 + ε/2 for ε <= 1/4, a margin of at least 2^-41 that
// covers the three roundings (the sum, 1 + 2ε, the product: 3·2^-53 relative).
inline double ExactUpperFromComputed(double computed, double eps) {
  return (computed + kUnderflowSlack) * (1.0 + 2.0 * eps);
}
// A lower bound on δ given a computed distance D: Claim 1 gives δ >= (D - η) / (1 + ε); for
// D - η >= 0, (1 - 2ε)(1 + ε) = 1 - ε - 2ε² <= 1 - ε, a margin of at least 2^-40 over the
// three roundings. For D - η < 0 the result is negative, a valid (useless) bound since δ >= 0.
inline double ExactLowerFromComputed(double computed, double eps) {
  return (computed - kUnderflowSlack) * (1.0 - 2.0 * eps);
}

// UpperF's and LowerF's outward factors and absolute slack (the vector kernels repeat these
// operations with the same constants).
inline constexpr double kUpperFGrow = 1.0 + 0x1.0p-20;
inline constexpr double kLowerFShrink = 1.0 - 0x1.0p-20;
inline constexpr double kBoundFSlack = 0x1.0p-120;

inline float UpperF(double v) { return static_cast<float>(v * kUpperFGrow + kBoundFSlack); }

inline float LowerF(double v) {
  if (!(v > 0.0)) return 0.0f;
  const double shrunk = v * kLowerFShrink - kBoundFSlack;
  const double capped = shrunk < static_cast<double>(std::numeric_limits<float>::max())
                            ? shrunk
                            : static_cast<double>(std::numeric_limits<float>::max());
  return static_cast<float>(capped);
}

// Claim 2's test: true when the assigned center provably stays Java's nearest.
inline bool PruneTest(double upper, double lower, double eps) {
  return upper * (1.0 + eps) + kUnderflowSlack < lower * (1.0 - eps) - kUnderflowSlack;
}

// Claim 3's operations (bounds_kernel.h runs them 8 lanes at a time, in this order).
// The factors and slacks are named once: the vector kernels use the same constants.
inline constexpr float kFloatGrow = 1.0f + 0x1.0p-21f;    // UpF's factor
inline constexpr float kFloatShrink = 1.0f - 0x1.0p-21f;  // DownF's factor
inline constexpr float kFloatSlack = 0x1.0p-120f;         // m of Claim 3
inline constexpr float kFloatTestGrow = 1.0f + 0x1.0p-20f;    // FloatPruneTest's, upper side
inline constexpr float kFloatTestShrink = 1.0f - 0x1.0p-20f;  // FloatPruneTest's, lower side
inline constexpr float kFloatTestSlack = 0x1.0p-100f;         // h of Claim 3
inline float UpF(float x) { return x * kFloatGrow + kFloatSlack; }
inline float DownF(float x) {
  const float shrunk = x * kFloatShrink - kFloatSlack;
  return shrunk > 0.0f ? shrunk : 0.0f;  // NaN: 0
}
inline bool FloatPruneTest(float upper, float lower) {
  return upper * kFloatTestGrow + kFloatTestSlack < lower * kFloatTestShrink - kFloatTestSlack;
}
// Claim 3 needs ε <= 2^-22.
inline bool FloatBoundsOk(size_t dims) { return PruneEpsilon(dims) <= 0x1.0p-22; }

// Compact storage (2 B per bound, for data sets of kCompactBoundsPoints points or more): a
// float bound >= +0 (or +inf) keeps bits 15-30 of its representation, 8 exponent and 8
// mantissa bits (its sign bit is 0), rounded outward once more. CompactUp(u) decodes to >= u:
// the dropped bits round the magnitude up, a carry moving into the exponent (the largest
// floats round to +inf, and +inf stays +inf). CompactDown(l) decodes to <= l: truncation.
// The relative step is 2^-8, so compact bounds prune somewhat less; the proofs above hold for
// any bounds on the right side of the exact distances.
inline constexpr size_t kCompactBoundsPoints = size_t{1} << 19;
inline uint16_t CompactUp(float u) {
  return static_cast<uint16_t>((std::bit_cast<uint32_t>(u) + 0x7fffu) >> 15);
}
inline uint16_t CompactDown(float l) {
  return static_cast<uint16_t>(std::bit_cast<uint32_t>(l) >> 15);
}
inline float FromCompact(uint16_t h) { return std::bit_cast<float>(uint32_t{h} << 15); }

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EXACT_BOUNDS_H_
