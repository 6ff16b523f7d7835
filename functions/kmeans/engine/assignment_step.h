// AssignmentStep: assignPointsToClusters of Commons Math 3.6.1, fast and exact. Every point goes
// to the center Java's getNearestCluster picks (strict `<` over sqrt distances in cluster order);
// the engine gets the same assignments bit for bit, only sooner:
//   - points whose Hamerly bounds prove that their center cannot change are skipped (the proof
//     that this keeps Java's argmin under rounding is in exact_bounds.h);
//   - the others are gathered 8 at a time into a structure-of-arrays tile and measured against
//     all centers by the vector kernel (distance_kernel.h), lanes in doubt fall back to the
//     scalar NearestCenter;
//   - the points are split into contiguous ranges, one per thread; the result does not depend on
//     the split.
// All memory is allocated by the constructor: Assign allocates nothing. From
// kCompactBoundsPoints points on, each bound takes 2 bytes instead of 4 (exact_bounds.h,
// CompactUp / CompactDown), so the pruned passes keep 4 bytes per point beside the
// assignments.
//
// Thread safety: one Assign at a time (it uses the pool's threads itself).
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_ASSIGNMENT_STEP_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_ASSIGNMENT_STEP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "functions/kmeans/engine/dot_filter.h"
#include "functions/kmeans/engine/engine_pool.h"
#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/engine/points.h"

namespace zerostart::kmeans {

// How AssignmentStep stores the bounds: kAuto = compact from kCompactBoundsPoints points on.
enum class BoundStorage { kAuto, kFloat, kCompact };

// Which kernel measures a point against every center: kAuto = the dot-product filter
// (dot_filter.h) from kDotFilterMinDims coordinates and kDotFilterMinCenters centers on, where
// it serves, else the exact kernel (distance_kernel.h). kDot asks for the filter wherever it
// serves (AVX-512, every coordinate finite and within kMaxPrunableMagnitude). The assignments
// are the same either way.
enum class ScanKernel { kAuto, kExact, kDot };

class AssignmentStep {
 public:
  // `points` must outlive the step. `pruning` asks for Hamerly bounds; they are used only when
  // every coordinate is finite and within kMaxPrunableMagnitude. `parts` >= 1 ranges. `isa`
  // names the kernels' build; REQUIRES: CpuRunsKernelIsa(isa).
  AssignmentStep(const Points& points, size_t k, bool pruning, size_t parts,
                 KernelIsa isa = BestKernelIsa(), BoundStorage storage = BoundStorage::kAuto,
                 ScanKernel scan = ScanKernel::kAuto);

  // Assigns every point to its nearest of `centers` (k * dims), writing `assignments` (n), and
  // returns how many points changed cluster against the old `assignments`.
  // Later calls use the bounds left by the earlier ones and the drift of each center since
  // then. `pool` runs the parts (nullptr: all on the caller).
  // With `centroid_rows` (used only when SumsCentroids(), ignored otherwise), the step also
  // adds every point to row assignments[i] of it as it finishes each chunk: the next pass's
  // centroid sums, in Java's order, as SumClusterRows computes them (centroid_kernel.h;
  // CentroidRowStride(dims) doubles per cluster, zeroed by the caller), from rows that the
  // pass has just read.
  int64_t Assign(const std::vector<double>& centers, std::vector<int32_t>& assignments,
                 EnginePool* pool, double* centroid_rows = nullptr);

  // Whether Assign can sum the centroids: with one part (one chain per cluster, in index order).
  bool SumsCentroids() const { return parts_.size() == 1; }

  // How many point-to-center distances the last Assign computed (tests, benchmarks).
  int64_t last_distance_count() const { return last_distance_count_; }
  bool pruning() const { return pruning_; }
  bool compact_bounds() const { return compact_; }
  bool dot_filter() const { return dot_filter_; }

 private:
  // Points per call of the bound update: its list of failed points stays in L1.
  static constexpr size_t kBoundsChunk = 512;
  // From this many coordinates and centers on, ScanKernel::kAuto runs the dot-product filter:
  // one FMA per coordinate and center instead of three operations outweighs its per-tile
  // transpose and margin test reliably there; below, it lost or tied on most shapes measured
  // (BM_AssignDense, docs/DESIGN.md).
  static constexpr size_t kDotFilterMinDims = 4;
  static constexpr size_t kDotFilterMinCenters = 16;
  // A chunk whose bound update fails more than this fraction of its points is scanned whole
  // by NearestOfRun (measured, docs/DESIGN.md).
  static constexpr size_t kRunScanNumerator = 1;
  static constexpr size_t kRunScanDenominator = 8;
  // After a pass that moved more than 1 / kDensePassDenominator of the points, the next one
  // scans every point by NearestOfRun, without a bound update (measured, docs/DESIGN.md).
  static constexpr size_t kDensePassDenominator = 32;
  static constexpr size_t kBoundlessDenominator = 24;
  // The fused centroid sum runs once the final points hold this many coordinates (96 KiB of
  // rows, still in L2): a call per chunk of 512 points measured 2-3 % slower at n=100,000
  // d=3 k=8 (docs/DESIGN.md).
  static constexpr size_t kSumBatchCoordinates = 12288;

  struct Part {
    std::vector<double> tile;       // dims * kTileWidth
    std::vector<double> scratch;    // k, for NearestCenter
    std::vector<uint32_t> failed;   // offsets in a chunk whose bound test failed
    std::vector<uint32_t> to_scan;  // offsets in a chunk that failed the tightened test too
    std::vector<uint32_t> flagged;  // offsets of a run scan's near ties
    std::vector<float> run_upper;   // a run scan's bounds, when compact_
    std::vector<float> run_lower;
    int64_t changes = 0;
    int64_t distances = 0;
  };

  // Whether `scan` asks for the dot-product filter on this shape and ISA (it also needs
  // PrunableCoordinates).
  static bool WantsDotFilter(size_t dims, size_t k, KernelIsa isa, ScanKernel scan);
  void UpdateDrifts(const std::vector<double>& centers);
  void SetBounds(size_t i, float upper, float lower);
  void AssignRange(size_t begin, size_t end, const std::vector<double>& centers,
                   std::vector<int32_t>& assignments, Part& part, double* centroid_rows);
  // Scans the whole tiles of points [begin, begin + count) with NearestOfRun, setting their
  // assignments and (when pruning) bounds; returns how many points it scanned (a multiple of
  // kTileWidth).
  size_t ScanRun(size_t begin, size_t count, const std::vector<double>& centers,
                 std::vector<int32_t>& assignments, Part& part);
  void ScanTile(const size_t* indices, size_t lanes, const std::vector<double>& centers,
                std::vector<int32_t>& assignments, Part& part);

  const Points& points_;
  size_t k_;
  bool prunable_;  // PrunableCoordinates(points), where pruning or the filter could use it
  bool pruning_;
  bool compact_;
  KernelIsa isa_;
  bool dot_filter_;  // full scans use NearestByDot
  bool run_scan_;    // consecutive points can be scanned by NearestOfRun
  bool bounds_valid_ = false;
  double eps_ = 0.0;
  std::vector<float> upper_;          // n: >= exact distance to the assigned center
  std::vector<float> lower_;          // n: <= exact distance to every other center
  std::vector<uint16_t> upper_compact_;  // the same two, compact (when compact_)
  std::vector<uint16_t> lower_compact_;
  std::vector<double> old_centers_;   // k * dims, the centers of the previous Assign
  std::vector<double> drift_;         // k: >= exact distance each center moved
  std::vector<double> other_drift_;   // k: the largest drift among the other centers
  std::vector<double> separation_;    // k: <= exact distance to the nearest other center
  // The same three as floats rounded outward, for the vector bound update (bounds_kernel.h).
  std::vector<float> drift_f_;
  std::vector<float> other_drift_f_;
  std::vector<float> separation_f_;
  DotCenters dot_centers_;  // this pass's centers, when dot_filter_
  std::vector<Part> parts_;
  int64_t last_distance_count_ = 0;
  size_t last_changes_ = 0;  // the previous Assign's changes
  bool dense_pass_ = false;   // this Assign scans every point (see Assign)
  bool skip_bounds_ = false;  // and computes no bounds (see Assign)
};

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_ASSIGNMENT_STEP_H_
