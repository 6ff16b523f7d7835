#include "functions/kmeans/engine/assignment_step.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "functions/kmeans/engine/bounds_kernel.h"
#include "functions/kmeans/engine/centroid_kernel.h"
#include "functions/kmeans/engine/distance_kernel.h"
#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/run_kernel.h"

namespace zerostart::kmeans {

AssignmentStep::AssignmentStep(const Points& points, size_t k, bool pruning, size_t parts,
                               KernelIsa isa, BoundStorage storage, ScanKernel scan)
    : points_(points),
      k_(k),
      // One pass over the coordinates, only when pruning or the filter could use it.
      prunable_((pruning || WantsDotFilter(points.dims, k, isa, scan)) &&
                PrunableCoordinates(points.coords)),
      pruning_(pruning && FloatBoundsOk(points.dims) && prunable_),
      compact_(pruning_ && (storage == BoundStorage::kCompact ||
                            (storage == BoundStorage::kAuto &&
                             points.count >= kCompactBoundsPoints))),
      isa_(isa),
      // The filter's bound needs finite coordinates whose squares cannot overflow: the
      // pruning's check.
      dot_filter_(prunable_ && WantsDotFilter(points.dims, k, isa, scan)),
      run_scan_(!dot_filter_ && RunScanServes(points.dims, isa)) {
  const size_t dims = points.dims;
  eps_ = PruneEpsilon(dims);
  if (pruning_) {
    if (compact_) {
      upper_compact_.resize(points.count);
      lower_compact_.resize(points.count);
    } else {
      upper_.resize(points.count);
      lower_.resize(points.count);
    }
    old_centers_.resize(k * dims);
    drift_.resize(k);
    other_drift_.resize(k);
    separation_.resize(k);
    drift_f_.resize(k);
    other_drift_f_.resize(k);
    separation_f_.resize(k);
  }
  parts_.resize(std::max<size_t>(parts, 1));
  for (Part& part : parts_) {
    part.tile.resize(dims * kTileWidth);
    part.scratch.resize(k);
    if (run_scan_) {
      part.flagged.resize(kBoundsChunk);
      if (compact_) {
        part.run_upper.resize(kBoundsChunk);
        part.run_lower.resize(kBoundsChunk);
      }
    }
    if (pruning_) {  // + 16 and + 8: the kernels' overhang
      part.failed.resize(kBoundsChunk + 16);
      part.to_scan.resize(kBoundsChunk + 8);
    }
  }
}

bool AssignmentStep::WantsDotFilter(size_t dims, size_t k, KernelIsa isa, ScanKernel scan) {
  if (!DotFilterServes(isa)) return false;
  switch (scan) {
    case ScanKernel::kExact:
      return false;
    case ScanKernel::kDot:
      return true;
    case ScanKernel::kAuto:
      return dims >= kDotFilterMinDims && k >= kDotFilterMinCenters;
  }
  return false;
}

// Hamerly's per-pass center quantities, as exact bounds (Claim 1 turns a computed distance into
// a bound on the exact one): how far each center moved, the largest move among the others, and
// how far the nearest other center is.
void AssignmentStep::UpdateDrifts(const std::vector<double>& centers) {
  const size_t dims = points_.dims;
  double max1 = 0.0;
  double max2 = 0.0;
  size_t argmax = 0;
  for (size_t c = 0; c < k_; ++c) {
    const double moved = Distance(old_centers_.data() + c * dims, centers.data() + c * dims, dims);
    drift_[c] = ExactUpperFromComputed(moved, eps_);
    if (drift_[c] > max1) {
      max2 = max1;
      max1 = drift_[c];
      argmax = c;
    } else if (drift_[c] > max2) {
      max2 = drift_[c];
    }
  }
  for (size_t c = 0; c < k_; ++c) {
    other_drift_[c] = c == argmax ? max2 : max1;
    double nearest = std::numeric_limits<double>::infinity();
    for (size_t o = 0; o < k_; ++o) {
      if (o == c) continue;
      const double apart = Distance(centers.data() + c * dims, centers.data() + o * dims, dims);
      nearest = std::min(nearest, ExactLowerFromComputed(apart, eps_));
    }
    separation_[c] = nearest;
    drift_f_[c] = UpperF(drift_[c]);
    other_drift_f_[c] = UpperF(other_drift_[c]);
    separation_f_[c] = LowerF(separation_[c]);
  }
}

int64_t AssignmentStep::Assign(const std::vector<double>& centers,
                               std::vector<int32_t>& assignments, EnginePool* pool,
                               double* centroid_rows) {
  // While the passes still move many points, nearly every chunk fails the bound test and is
  // scanned whole (see AssignRange): then the whole pass is scanned, without updating the
  // bounds first.
  dense_pass_ = run_scan_ && last_changes_ * kDensePassDenominator > points_.count;
  // A scanned pass sets every point's bounds for the next one; when that one will most likely
  // be scanned whole again (this pass follows one that moved over 1 / kBoundlessDenominator of
  // the points, or is the first), they are not computed, and the next pass scans whole.
  const bool scanned_whole = !bounds_valid_ || dense_pass_;
  skip_bounds_ = run_scan_ && scanned_whole &&
                 (!bounds_valid_ && last_changes_ == 0 ? k_ > 1
                                                       : last_changes_ * kBoundlessDenominator >
                                                             points_.count);
  if (pruning_ && bounds_valid_ && !dense_pass_) UpdateDrifts(centers);
  if (dot_filter_) BuildDotCenters(centers.data(), k_, points_.dims, dot_centers_);
  const size_t n = points_.count;
  const size_t parts = parts_.size();
  auto run_part = [&](size_t p) {
    AssignRange(n * p / parts, n * (p + 1) / parts, centers, assignments, parts_[p],
                parts == 1 ? centroid_rows : nullptr);
  };
  if (pool != nullptr && parts > 1) {
    pool->Run(parts, run_part);
  } else {
    for (size_t p = 0; p < parts; ++p) run_part(p);
  }
  if (pruning_) {
    std::copy(centers.begin(), centers.end(), old_centers_.begin());
    bounds_valid_ = !skip_bounds_;
  }
  int64_t changes = 0;
  last_distance_count_ = 0;
  for (const Part& part : parts_) {
    changes += part.changes;
    last_distance_count_ += part.distances;
  }
  last_changes_ = static_cast<size_t>(changes);
  return changes;
}

void AssignmentStep::AssignRange(size_t begin, size_t end, const std::vector<double>& centers,
                                 std::vector<int32_t>& assignments, Part& part,
                                 double* centroid_rows) {
  const size_t dims = points_.dims;
  part.changes = 0;
  part.distances = 0;
  size_t pending[kTileWidth];
  size_t count = 0;
  auto scan_later = [&](size_t i) {
    pending[count++] = i;
    if (count == kTileWidth) {
      ScanTile(pending, count, centers, assignments, part);
      count = 0;
    }
  };
  // The centroid sums follow the assignments closely: after each chunk, every point before
  // the first one still pending (pending points are in index order) is final, and its row was
  // recently read (tightened or scanned), so the sums take the rows from cache rather than
  // from a pass of their own. They run once the final points hold kSumBatchCoordinates
  // coordinates. (Flushing the pending points instead would scan many partial tiles.)
  size_t summed = begin;
  auto sum_final = [&](size_t final_end) {
    if (centroid_rows == nullptr || final_end <= summed) return;
    SumClusterRows(points_.Row(summed), final_end - summed, dims, &assignments[summed], nullptr,
                   centroid_rows, k_, isa_);
    summed = final_end;
  };
  auto finish_chunk = [&](size_t chunk_end) {
    const size_t final_end = count > 0 ? pending[0] : chunk_end;
    if ((final_end - summed) * dims >= kSumBatchCoordinates) sum_final(final_end);
  };
  auto finish_range = [&] {
    if (count > 0) ScanTile(pending, count, centers, assignments, part);
    count = 0;
    sum_final(end);
  };
  // Every point of [chunk, chunk_end) measured against every center: whole tiles by the run
  // scan where it serves, the rest through tiles of listed points.
  auto scan_chunk = [&](size_t chunk, size_t chunk_end) {
    size_t i = chunk;
    if (run_scan_) i += ScanRun(chunk, chunk_end - chunk, centers, assignments, part);
    for (; i < chunk_end; ++i) scan_later(i);
    finish_chunk(chunk_end);
  };
  if (!bounds_valid_ || dense_pass_) {
    for (size_t chunk = begin; chunk < end; chunk += kBoundsChunk) {
      scan_chunk(chunk, std::min(chunk + kBoundsChunk, end));
    }
    finish_range();
    return;
  }
  // Hamerly: the bounds follow the centers' moves (triangle inequality on exact distances); a
  // point is skipped when exact_bounds.h's Claim 2 proves that Java's scan would keep its
  // center. A point that fails gets its upper bound tightened to the actual distance and is
  // tested again; only then is it measured against every center. Each stage runs over a chunk
  // of points and hands the next a list, so every stage is a branch-free vector loop.
  const FloatDrifts float_drifts{drift_f_.data(), other_drift_f_.data(), separation_f_.data(),
                                 k_};
  uint32_t* failed = part.failed.data();
  uint32_t* to_scan = part.to_scan.data();
  for (size_t chunk = begin; chunk < end; chunk += kBoundsChunk) {
    const size_t chunk_size = std::min(kBoundsChunk, end - chunk);
    const size_t fails =
        compact_ ? UpdateBounds(&assignments[chunk], &upper_compact_[chunk],
                                &lower_compact_[chunk], chunk_size, float_drifts, failed)
                 : UpdateBounds(&assignments[chunk], &upper_[chunk], &lower_[chunk], chunk_size,
                                float_drifts, failed, isa_);
    if (run_scan_ && fails * kRunScanDenominator > chunk_size * kRunScanNumerator) {
      scan_chunk(chunk, chunk + chunk_size);
      continue;
    }
    part.distances += static_cast<int64_t>(fails);
    const TightenInputs inputs{points_.Row(chunk), dims, centers.data(), separation_.data(), eps_,
                               k_};
    const size_t scans =
        compact_ ? TightenBounds(&assignments[chunk], &upper_compact_[chunk],
                                 &lower_compact_[chunk], failed, fails, inputs, to_scan)
                 : TightenBounds(&assignments[chunk], &upper_[chunk], &lower_[chunk], failed,
                                 fails, inputs, to_scan, isa_);
    for (size_t f = 0; f < scans; ++f) scan_later(chunk + to_scan[f]);
    finish_chunk(chunk + chunk_size);
  }
  finish_range();
}

size_t AssignmentStep::ScanRun(size_t begin, size_t count, const std::vector<double>& centers,
                               std::vector<int32_t>& assignments, Part& part) {
  const size_t dims = points_.dims;
  const size_t tiles = count / kTileWidth;
  const size_t scanned = tiles * kTileWidth;
  float* upper = nullptr;
  float* lower = nullptr;
  const bool bounds = pruning_ && !skip_bounds_;
  if (bounds) {
    upper = compact_ ? part.run_upper.data() : &upper_[begin];
    lower = compact_ ? part.run_lower.data() : &lower_[begin];
  }
  const RunScan run = NearestOfRun(points_.Row(begin), tiles, dims, centers.data(), k_, eps_,
                                   &assignments[begin], upper, lower, part.flagged.data());
  int64_t changes = static_cast<int64_t>(run.changes);
  for (size_t f = 0; f < run.flagged; ++f) {
    const size_t offset = part.flagged[f];
    const size_t i = begin + offset;
    const auto nearest = static_cast<int32_t>(
        NearestCenter(points_.Row(i), centers.data(), k_, dims, part.scratch));
    changes += nearest != assignments[i] ? 1 : 0;
    assignments[i] = nearest;
    if (bounds) {  // a near tie is measured again next pass
      upper[offset] = std::numeric_limits<float>::infinity();
      lower[offset] = 0.0f;
    }
  }
  if (bounds && compact_) {
    for (size_t l = 0; l < scanned; ++l) SetBounds(begin + l, upper[l], lower[l]);
  }
  part.changes += changes;
  part.distances += static_cast<int64_t>(scanned * k_);
  return scanned;
}

void AssignmentStep::SetBounds(size_t i, float upper, float lower) {
  if (compact_) {
    upper_compact_[i] = CompactUp(upper);
    lower_compact_[i] = CompactDown(lower);
  } else {
    upper_[i] = upper;
    lower_[i] = lower;
  }
}

void AssignmentStep::ScanTile(const size_t* indices, size_t lanes,
                              const std::vector<double>& centers,
                              std::vector<int32_t>& assignments, Part& part) {
  const size_t dims = points_.dims;
  const double* rows[kTileWidth];
  for (size_t l = 0; l < kTileWidth; ++l) rows[l] = points_.Row(indices[l < lanes ? l : 0]);
  TileNearest out;
  if (dot_filter_) {
    NearestByDot(rows, dot_centers_, part.tile.data(), out);
  } else {
    NearestInTile(rows, dims, centers.data(), k_, part.tile.data(), out, isa_);
  }
  part.distances += static_cast<int64_t>(lanes * k_);
  // The new bounds of all 8 lanes at once (vector sqrt and roundings); lanes in doubt get no
  // bounds (+inf, 0): a near tie is measured again next pass.
  float upper[kTileWidth];
  float lower[kTileWidth];
  if (pruning_) TileBounds(out, eps_, upper, lower, isa_);
  int64_t changes = 0;
  for (size_t l = 0; l < lanes; ++l) {
    const size_t i = indices[l];
    int32_t nearest = out.nearest[l];
    if ((out.needs_exact_mask >> l) & 1u) [[unlikely]] {
      nearest = static_cast<int32_t>(
          NearestCenter(points_.Row(i), centers.data(), k_, dims, part.scratch));
      upper[l] = std::numeric_limits<float>::infinity();
      lower[l] = 0.0f;
    }
    changes += nearest != assignments[i] ? 1 : 0;
    assignments[i] = nearest;
  }
  part.changes += changes;
  if (!pruning_) return;
  if (compact_) {
    for (size_t l = 0; l < lanes; ++l) SetBounds(indices[l], upper[l], lower[l]);
  } else {
    for (size_t l = 0; l < lanes; ++l) {
      upper_[indices[l]] = upper[l];
      lower_[indices[l]] = lower[l];
    }
  }
}

}  // namespace zerostart::kmeans
