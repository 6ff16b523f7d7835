// FastAssignmentStep: the assignment step of ClustererOptions::mode == kFast, for users who
// want raw speed and accept that the result may differ from Commons Math's.
//
// Each point goes to the center with the smallest float32 score ‖c‖² − 2·x·c (the GEMM form of
// the squared distance without the point's own ‖x‖², which does not change the argmin), computed
// with fused multiply-adds, 16 points × 4 centers per register block on AVX2+FMA CPUs (a
// portable loop elsewhere). Before the conversion to float32 every coordinate has the mean of
// the current centers subtracted (in double), so the GEMM form does not cancel catastrophically
// on data far from the origin.
//
// What can differ from the exact step: a point whose two nearest centers are within float32
// rounding of each other may take the other one, and from there the passes, sizes, centers and
// sse can drift apart (usually not at all or by a few points; see docs/benchmarks/kmeans.md).
// What does not: the result is independent of the thread count, and identical between runs on
// CPUs of the same kind (AVX2 or not).
//
// Usable() is false when the data's extent (largest coordinate range of any dimension) exceeds
// kMaxFastExtent: squares of such values overflow float32, and the caller must use the exact
// step instead.
//
// Thread safety: one Assign at a time; Assign runs its parts on `pool` when given.
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_FAST_ASSIGNMENT_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_FAST_ASSIGNMENT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "functions/kmeans/engine/points.h"

namespace zerostart::kmeans {

class EnginePool;

class FastAssignmentStep {
 public:
  // Points per register block (two AVX vectors of floats).
  static constexpr size_t kTile = 16;
  // Centers per register block.
  static constexpr size_t kCenterBlock = 4;
  // Coordinate ranges beyond this make ‖c‖² overflow float32 (1e15² = 1e30 < 3.4e38, with room
  // for the sum over dimensions).
  static constexpr double kMaxFastExtent = 1e15;

  // `points` must outlive the step. `parts` >= 1 contiguous ranges, one per thread.
  FastAssignmentStep(const Points& points, size_t k, size_t parts);

  // Whether the data is within kMaxFastExtent (decided once, at construction).
  bool Usable() const { return usable_; }

  // Assigns every point to its nearest center by the float32 score; returns how many
  // assignments changed. `centers` is k * dims, row-major; `assignments` has one entry per point.
  // REQUIRES: Usable().
  int64_t Assign(const std::vector<double>& centers, std::vector<int32_t>& assignments,
                 EnginePool* pool);

 private:
  struct Part {
    std::vector<float> tile;  // dims * kTile, the block's coordinates, dimension-major
    int64_t changes = 0;
  };
  void AssignRange(size_t begin, size_t end, std::vector<int32_t>& assignments, Part& part) const;

  const Points& points_;
  size_t k_;
  size_t padded_k_;                 // k rounded up to kCenterBlock
  bool usable_ = true;
  std::vector<double> shift_;       // dims: the mean of the current centers
  std::vector<float> centers_f_;    // padded_k * dims, shifted, row-major
  std::vector<float> norms_f_;      // padded_k: ‖c‖² of the shifted centers; +inf for padding
  std::vector<Part> parts_;
};

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_FAST_ASSIGNMENT_H_
