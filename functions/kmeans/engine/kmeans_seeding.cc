#include "functions/kmeans/engine/kmeans_seeding.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "functions/kmeans/engine/distance_kernel.h"
#include "functions/kmeans/engine/engine_pool.h"
#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/exact_math.h"

namespace zerostart::kmeans {
namespace {

// Owners are uint16_t: beyond this many centers every point is measured at every step.
constexpr size_t kMaxTrackedCenters = 65536;

// The skip threshold of the points owned by center a when center b is added, from the
// computed distance D(a, b) between the two centers: a point x with min_dist_squared m < T is
// provably not nearer to b, i.e. Java's `d2 < minDistSquared` is false, so it need not be
// measured. Notation and Claim 1 as in exact_bounds.h (ε = PruneEpsilon(dims) >= ε_d,
// η = 2^-500, u = 2^-53).
// Proof. m = fl(D_a^2), where D_a is the computed distance from x to its owner a, so
// D_a <= sqrt(m)(1 + u) + 2^-537 (rounding of the square, relative or, below 2^-1022,
// absolute 2^-1075). Claim 1 bounds the exact distance δ_a <= U := (D_a + η)/(1 - ε); the
// triangle inequality gives δ_b >= L - δ_a with L = ExactLowerFromComputed(D(a, b)) <= δ(a, b);
// Claim 1 again gives D_b >= δ_b(1 - ε) - η >= (L - U)(1 - ε) - η. That is >= D_a as soon as
// L(1 - ε) >= U(2 - ε) + η, which holds when sqrt(m) <= H := L(1/2 - 2ε) - 2^-400 (the 2ε
// margin covers (1 - ε)^-2, (1 + u) and the roundings of H, all below 4u when ε >= 2^-40; the
// 2^-400 covers η and 2^-537). m < T := fl(fl(H·H)(1 - 2^-40)) implies m < H^2, so sqrt(m) < H.
// Then D_b >= D_a, so fl(D_b^2) >= fl(D_a^2) = m (rounding is monotone): the strict `<` fails.
// H <= 0 gives T = 0, which no m (>= +0, or NaN) is below.
double SkipBelow(double center_distance, double eps) {
  const double lower = ExactLowerFromComputed(center_distance, eps);
  const double half = lower * (0.5 - 2.0 * eps) - 0x1.0p-400;
  if (!(half > 0.0)) return 0.0;  // also NaN
  return half * half * (1.0 - 0x1.0p-40);
}

// sum + v[0] + v[1] + ... in that order: one dependent chain of additions, the floor of a
// seeding step. A function of its own so that the sum stays in a register (inlined into the
// step, GCC kept the running total in memory across the kernel call, adding a store-to-load
// forwarding delay to every addition).
[[gnu::noinline]] double AddInOrder(double sum, const double* v, size_t count) {
  for (size_t i = 0; i < count; ++i) sum += v[i];
  return sum;
}

}  // namespace

std::vector<size_t> ChooseInitialCenters(const Points& points, size_t k, MersenneTwister& rng,
                                         const SeedingOptions& options) {
  const size_t n = points.count;
  const size_t dims = points.dims;
  const size_t blocks = (n + kSeedBlock - 1) / kSeedBlock;
  const size_t parts =
      options.pool == nullptr
          ? 1
          : std::clamp<size_t>(options.parts, 1, std::min(blocks, options.pool->threads()));
  // Owners and the triangle-inequality skip need moderate finite coordinates (Claim 1). From
  // kCompactBoundsPoints points on no owners are kept: seeding then needs 8 bytes and a bit per
  // point, no more than the pruned passes after it (exact_bounds.h).
  const bool track = options.accelerate && k > 1 && k <= kMaxTrackedCenters &&
                     n < kCompactBoundsPoints && PrunableCoordinates(points.coords);
  const double eps = PruneEpsilon(dims);
  std::vector<double> min_dist_squared(k > 1 ? n : 0);  // taken points hold 0.0
  std::vector<uint16_t> owner(track ? n : 0, 0);        // index in `chosen` of the nearest
  std::vector<bool> taken(n, false);
  std::vector<double> checkpoint(blocks + 1);  // the running total before each block, then it
  std::vector<double> skip_below(track ? k : 0, 0.0);
  struct Part {
    std::vector<uint32_t> listed;  // offsets in a block of the points to measure
    std::vector<double> tile;
    SeedingStats stats;
  };
  std::vector<Part> part_scratch(parts);
  for (Part& part : part_scratch) {
    part.listed.resize(kSeedBlock);
    part.tile.resize(dims * kTileWidth);
  }
  // A block whose every point is measured lists them all: offsets 0, 1, 2, ...
  std::vector<uint32_t> every_point(kSeedBlock);
  for (size_t i = 0; i < kSeedBlock; ++i) every_point[i] = static_cast<uint32_t>(i);
  std::vector<size_t> chosen;
  chosen.reserve(k);

  // Measures the points of blocks [first_block, end_block) against the new center
  // chosen[center] (all of them on the first step, else those the skip test leaves). The skip
  // test costs a lookup per point and leaves gaps in the stream of points; on data where it
  // skips little (uniform data in many dimensions) it costs more than it saves, so the range's
  // first block decides for the rest: below 1/2 skipped, every point is measured (whole tiles
  // of consecutive points also take a faster update than scattered ones). `test` starts true
  // and carries the decision across the calls of one range (with one part the range is the
  // whole pass, updated block by block: deciding again on every block kept the test on).
  // With `chain` (one block, one part), a block whose every point is measured carries the
  // running total on in SeedRows and the call returns true; else the caller adds the block.
  auto update = [&](size_t center, size_t first_block, size_t end_block, bool decide,
                    bool& test, Part& part, double* chain) {
    bool chained = false;
    const double* c = points.Row(chosen[center]);
    const bool first = center == 0;
    test = test && track && !first;
    for (size_t block = first_block; block < end_block; ++block) {
      const size_t begin = block * kSeedBlock;
      const size_t end = std::min(n, begin + kSeedBlock);
      // Offsets from `begin`: SeedRows gets the block's rows, minima and owners.
      const uint32_t* listed = every_point.data();
      size_t count = end - begin;
      if (test) {
        uint32_t* some = part.listed.data();
        count = 0;
        for (size_t i = begin; i < end; ++i) {  // a branch-free append
          some[count] = static_cast<uint32_t>(i - begin);
          count += min_dist_squared[i] < skip_below[owner[i]] ? size_t{0} : size_t{1};
        }
        listed = some;
      }
      if (decide && block == first_block && test && 2 * (end - begin - count) < end - begin) {
        test = false;
      }
      // On the first step the chosen point's 0.0 is written after the kernel (its distance
      // to itself is NaN for infinite coordinates), so its block is summed afterwards.
      const bool holds_first = first && chosen[0] >= begin && chosen[0] < end;
      chained = chain != nullptr && !holds_first && count == end - begin;
      SeedRows(points.Row(begin), dims, listed, count, c, first, static_cast<uint16_t>(center),
               min_dist_squared.data() + begin, track ? owner.data() + begin : nullptr,
               part.tile.data(), chained ? chain : nullptr, options.isa);
      if (first && chosen[0] >= begin && chosen[0] < end) min_dist_squared[chosen[0]] = 0.0;
      part.stats.distances += static_cast<int64_t>(count);
      part.stats.skipped += static_cast<int64_t>(end - begin - count);
    }
    return chained;
  };
  // Java's distSqSum after the update for chosen[center]: the minimum squared distances added
  // in index order, one chain from 0.0, checkpointed per block. Taken points add their 0.0,
  // which changes no sum (the chain starts at +0.0 and adds values >= +0 or NaN). With one
  // part, each block is summed right after its update (still in cache); with more, the parts
  // update their ranges in parallel and the chain follows on the calling thread.
  auto pass = [&](size_t center) {
    if (track && center > 0) {
      const double* c = points.Row(chosen[center]);
      for (size_t a = 0; a < center; ++a) {
        skip_below[a] = SkipBelow(Distance(points.Row(chosen[a]), c, dims), eps);
      }
    }
    double total = 0.0;
    auto chain = [&](size_t block) {
      const size_t begin = block * kSeedBlock;
      checkpoint[block] = total;
      total = AddInOrder(total, min_dist_squared.data() + begin,
                         std::min(n, begin + kSeedBlock) - begin);
    };
    if (parts == 1) {
      bool test = true;
      for (size_t block = 0; block < blocks; ++block) {
        checkpoint[block] = total;
        if (!update(center, block, block + 1, block == 0, test, part_scratch[0], &total)) {
          chain(block);
        }
      }
    } else {
      options.pool->Run(parts, [&](size_t p) {
        bool test = true;
        update(center, blocks * p / parts, blocks * (p + 1) / parts, true, test,
               part_scratch[p], nullptr);
      });
      for (size_t block = 0; block < blocks; ++block) chain(block);
    }
    checkpoint[blocks] = total;
    return total;
  };

  chosen.push_back(static_cast<size_t>(rng.NextInt(static_cast<int32_t>(n))));
  taken[chosen[0]] = true;
  if (k == 1) return chosen;  // Java measures the points, but no draw reads them
  double dist_sq_sum = pass(0);

  while (chosen.size() < k) {
    const double r = rng.NextDouble() * dist_sq_sum;

    // Java's draw: the first point not taken where the running sum reaches r. That sum is the
    // chain that gave dist_sq_sum (same values, same order), so the first block whose final
    // value is not below r holds the point: the block is summed again from its checkpoint.
    // (The chain only grows, or becomes NaN and stays so: earlier blocks stay below r. If a
    // NaN ends the block before any sum reaches r, no later one does either.) When none
    // reaches r (rounding, infinite or NaN sums), Java takes the last point not yet taken.
    std::optional<size_t> next;
    size_t block = 0;
    while (block < blocks && checkpoint[block + 1] < r) ++block;
    if (block < blocks) {
      double sum = checkpoint[block];
      const size_t end = std::min(n, (block + 1) * kSeedBlock);
      for (size_t i = block * kSeedBlock; i < end; ++i) {
        sum += min_dist_squared[i];
        if (sum >= r && !taken[i]) {
          next = i;
          break;
        }
      }
    }
    for (size_t i = n; !next && i > 0; --i) {
      if (!taken[i - 1]) next = i - 1;
    }
    if (!next) break;  // unreachable while n >= k; Java stops with fewer centers then

    chosen.push_back(*next);
    taken[*next] = true;
    min_dist_squared[*next] = 0.0;
    if (chosen.size() < k) dist_sq_sum = pass(chosen.size() - 1);
  }
  if (options.stats != nullptr) {
    for (const Part& part : part_scratch) {
      options.stats->distances += part.stats.distances;
      options.stats->skipped += part.stats.skipped;
    }
  }
  return chosen;
}

}  // namespace zerostart::kmeans
