// The floating-point primitives of Commons Math 3.6.1 that k-means results depend on, written
// so that they round exactly as Java does. Internal to zs_kmeans (and its tests).
//
// REQUIRES of every includer: compile with -ffp-contract=off. Java never fuses `a * b + c`
// into one FMA; a contracted `sum += dp * dp` rounds once instead of twice and changes bits.
// functions/kmeans/engine/CMakeLists.txt sets the flag on zs_kmeans and on its tests.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EXACT_MATH_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EXACT_MATH_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace zerostart::kmeans {

// MathArrays.distance(a, b) (what EuclideanDistance computes): the squares of the differences
// added in dimension order, then sqrt (FastMath.sqrt is Math.sqrt, IEEE correctly rounded).
inline double SquaredDistanceSum(const double* a, const double* b, size_t dims) {
  double sum = 0.0;
  for (size_t i = 0; i < dims; ++i) {
    const double dp = a[i] - b[i];
    sum += dp * dp;
  }
  return sum;
}

inline double Distance(const double* a, const double* b, size_t dims) {
  return std::sqrt(SquaredDistanceSum(a, b, dims));
}

// The near-tie gate of NearestCenter (below), which the vector kernels apply too: a sum within
// this relative factor of the minimum may have the same sqrt.
inline constexpr double kNearTieGate = 1.0 + 0x1.0p-50;

// KMeansPlusPlusClusterer.getNearestCluster: the index of the center nearest to `point` among
// `k` centers (row-major, `dims` each), exactly as Java picks it, without a sqrt per center.
// Java keeps the first center whose sqrt(sum) is smallest by a strict `<` from
// Double.MAX_VALUE: NaN never wins, an infinite distance never wins (all infinite: 0), and of
// equal distances the lowest index wins. sqrt is monotone, so the first center c* with the
// smallest *sum* has the smallest distance; but a lower index whose larger sum rounds to the
// same sqrt wins in Java. Such a tie needs sum_c <= sum_min * (1 + 2^-51) (sqrt's rounding
// interval), so only centers before c* inside the wider gate (1 + 2^-50) are compared by
// their actual sqrt. REQUIRES: scratch.size() >= k >= 1.
inline size_t NearestCenter(const double* point, const double* centers, size_t k, size_t dims,
                            std::span<double> scratch) {
  double min_sum = std::numeric_limits<double>::infinity();
  size_t nearest = 0;
  for (size_t c = 0; c < k; ++c) {
    const double sum = SquaredDistanceSum(point, centers + c * dims, dims);
    scratch[c] = sum;
    if (sum < min_sum) {
      min_sum = sum;
      nearest = c;
    }
  }
  if (!(min_sum < std::numeric_limits<double>::infinity())) return 0;  // all inf or NaN
  const double gate = min_sum * kNearTieGate;
  const double min_distance = std::sqrt(min_sum);
  for (size_t c = 0; c < nearest; ++c) {
    if (scratch[c] <= gate && std::sqrt(scratch[c]) == min_distance) return c;
  }
  return nearest;
}

// org.apache.commons.math3.stat.descriptive.moment.Variance with its default bias correction,
// fed by increment(): FirstMoment/SecondMoment's running updates, in their exact order.
class CommonsVariance {
 public:
  void Increment(double x) {
    ++n_;
    const double n = static_cast<double>(n_);
    const double dev = x - m1_;
    const double n_dev = dev / n;
    m1_ += n_dev;
    m2_ += (n - 1.0) * dev * n_dev;  // Java: ((double) n - 1) * dev * nDev, left to right
  }
  // NaN without values, 0 for one value, else m2 / (n - 1).
  double Result() const {
    if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
    if (n_ == 1) return 0.0;
    return m2_ / (static_cast<double>(n_) - 1.0);
  }

 private:
  int64_t n_ = 0;
  double m1_ = 0.0;
  double m2_ = 0.0;
};

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_EXACT_MATH_H_
