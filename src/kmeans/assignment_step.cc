#include "src/kmeans/assignment_step.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "src/kmeans/distance_kernel.h"
#include "src/kmeans/exact_bounds.h"
#include "src/kmeans/exact_math.h"

namespace zerostart::kmeans {
namespace {

// Claim 1 of exact_bounds.h needs every coordinate finite and moderate; centers are means of
// points (or points), so they inherit the limit.
bool Prunable(const Points& points) {
  bool ok = true;
  for (const double x : points.coords) ok &= std::fabs(x) <= kMaxPrunableMagnitude;  // NaN: false
  return ok;
}

// Lane l of `tile` (structure of arrays, distance_kernel.h) takes point indices[l]; lanes at
// and beyond `lanes` repeat the first point, so the kernels always see 8 valid points.
void GatherTile(const Points& points, const size_t* indices, size_t lanes, double* tile) {
  const size_t dims = points.dims;
  for (size_t l = 0; l < kTileWidth; ++l) {
    const double* row = points.Row(indices[l < lanes ? l : 0]);
    for (size_t j = 0; j < dims; ++j) tile[j * kTileWidth + l] = row[j];
  }
}

}  // namespace

AssignmentStep::AssignmentStep(const Points& points, size_t k, bool pruning, size_t parts)
    : points_(points), k_(k), pruning_(pruning && Prunable(points)) {
  const size_t dims = points.dims;
  eps_ = PruneEpsilon(dims);
  if (pruning_) {
    upper_.resize(points.count);
    lower_.resize(points.count);
    old_centers_.resize(k * dims);
    drift_.resize(k);
    other_drift_.resize(k);
    separation_.resize(k);
  }
  parts_.resize(std::max<size_t>(parts, 1));
  for (Part& part : parts_) {
    part.tile.resize(dims * kTileWidth);
    part.own_tile.resize(dims * kTileWidth);
    part.scratch.resize(k);
  }
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
  }
}

int64_t AssignmentStep::Assign(const std::vector<double>& centers,
                               std::vector<int32_t>& assignments, EnginePool* pool) {
  if (pruning_ && bounds_valid_) UpdateDrifts(centers);
  const size_t n = points_.count;
  const size_t parts = parts_.size();
  auto run_part = [&](size_t p) {
    AssignRange(n * p / parts, n * (p + 1) / parts, centers, assignments, parts_[p]);
  };
  if (pool != nullptr && parts > 1) {
    pool->Run(parts, run_part);
  } else {
    for (size_t p = 0; p < parts; ++p) run_part(p);
  }
  if (pruning_) {
    std::copy(centers.begin(), centers.end(), old_centers_.begin());
    bounds_valid_ = true;
  }
  int64_t changes = 0;
  last_distance_count_ = 0;
  for (const Part& part : parts_) {
    changes += part.changes;
    last_distance_count_ += part.distances;
  }
  return changes;
}

void AssignmentStep::AssignRange(size_t begin, size_t end, const std::vector<double>& centers,
                                 std::vector<int32_t>& assignments, Part& part) {
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
  if (!bounds_valid_) {
    for (size_t i = begin; i < end; ++i) scan_later(i);
    if (count > 0) ScanTile(pending, count, centers, assignments, part);
    return;
  }
  // Hamerly: the bounds follow the centers' moves (triangle inequality on exact distances); a
  // point is skipped when exact_bounds.h's Claim 2 proves that Java's scan would keep its
  // center. A point that fails gets its upper bound tightened to the actual distance and is
  // tested again; only then is it measured against every center.
  const ClusterDrifts drifts{drift_.data(), other_drift_.data(), separation_.data(), eps_};
  // Points that failed the test wait here until kTileWidth of them can be measured against their
  // own centers at once (one vector pass and two vector sqrts instead of 8 dependent scalar
  // chains of sqrt latency).
  size_t to_tighten[kTileWidth];
  size_t tighten_count = 0;
  auto tighten_all = [&]() {
    GatherTile(points_, to_tighten, tighten_count, part.tile.data());
    double* own = part.own_tile.data();
    for (size_t l = 0; l < kTileWidth; ++l) {  // each lane's center, lanes as in GatherTile
      const size_t i = to_tighten[l < tighten_count ? l : 0];
      const double* center = centers.data() + static_cast<size_t>(assignments[i]) * dims;
      for (size_t j = 0; j < dims; ++j) own[j * kTileWidth + l] = center[j];
    }
    double computed[kTileWidth];
    OwnDistancesInTile(part.tile.data(), own, dims, computed);
    part.distances += static_cast<int64_t>(tighten_count);
    for (size_t l = 0; l < tighten_count; ++l) {
      const size_t i = to_tighten[l];
      const auto a = static_cast<size_t>(assignments[i]);
      const double upper = ExactUpperFromComputed(computed[l], eps_);
      const double lower = static_cast<double>(lower_[i]);  // already moved by the drift
      if (PruneTest(upper, std::max(lower, separation_[a] - upper), eps_)) {
        upper_[i] = UpperF(upper);
      } else {
        scan_later(i);
      }
    }
    tighten_count = 0;
  };
  auto tighten = [&](size_t i) {
    to_tighten[tighten_count++] = i;
    if (tighten_count == kTileWidth) tighten_all();
  };
  size_t i = begin;
  for (; i + kTileWidth <= end; i += kTileWidth) {
    uint32_t fail = UpdateBoundsInTile(&assignments[i], &upper_[i], &lower_[i], drifts);
    while (fail != 0) {
      tighten(i + static_cast<size_t>(__builtin_ctz(fail)));
      fail &= fail - 1;
    }
  }
  for (; i < end; ++i) {  // the last few points, one at a time
    const auto a = static_cast<size_t>(assignments[i]);
    const double upper = static_cast<double>(upper_[i]) + drift_[a];
    const double lower = static_cast<double>(lower_[i]) - other_drift_[a];
    lower_[i] = LowerF(lower);
    if (PruneTest(upper, std::max(lower, separation_[a] - upper), eps_)) {
      upper_[i] = UpperF(upper);
    } else {
      tighten(i);
    }
  }
  if (tighten_count > 0) tighten_all();
  if (count > 0) ScanTile(pending, count, centers, assignments, part);
}

void AssignmentStep::ScanTile(const size_t* indices, size_t lanes,
                              const std::vector<double>& centers,
                              std::vector<int32_t>& assignments, Part& part) {
  const size_t dims = points_.dims;
  GatherTile(points_, indices, lanes, part.tile.data());
  TileNearest out;
  NearestInTile(part.tile.data(), dims, centers.data(), k_, out);
  part.distances += static_cast<int64_t>(lanes * k_);
  for (size_t l = 0; l < lanes; ++l) {
    const size_t i = indices[l];
    int32_t nearest = out.nearest[l];
    if ((out.needs_exact_mask >> l) & 1u) {
      nearest = static_cast<int32_t>(
          NearestCenter(points_.Row(i), centers.data(), k_, dims, part.scratch));
      if (pruning_) {  // no bounds for a near tie: the point is measured again next pass
        upper_[i] = std::numeric_limits<float>::infinity();
        lower_[i] = 0.0f;
      }
    } else if (pruning_) {
      upper_[i] = UpperF(ExactUpperFromComputed(std::sqrt(out.nearest_sum[l]), eps_));
      lower_[i] = LowerF(ExactLowerFromComputed(std::sqrt(out.second_sum[l]), eps_));
    }
    if (nearest != assignments[i]) ++part.changes;
    assignments[i] = nearest;
  }
}

}  // namespace zerostart::kmeans
