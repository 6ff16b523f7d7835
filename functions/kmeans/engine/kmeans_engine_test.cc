// The fast engine against itself and against a plain scalar transcription of Commons Math:
// Hamerly pruning on and off, 1, 2, 3 and 8 threads, every kernel ISA this CPU runs (baseline,
// AVX2, AVX-512), seeding with and without its triangle-inequality skip, on random and
// adversarial data sets
// (duplicates, grid points, exact ties, near ties, huge and tiny magnitudes). Everything is
// compared bit for bit: assignments, sizes, centers, sse, iterations and the generator's state
// afterwards. (tests/oracle compares with the real Commons Math jar.)
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "functions/kmeans/engine/assignment_step.h"
#include "functions/kmeans/engine/centroid_kernel.h"
#include "functions/kmeans/engine/distance_kernel.h"
#include "functions/kmeans/engine/dot_filter.h"
#include "functions/kmeans/engine/engine_pool.h"
#include "functions/kmeans/engine/exact_bounds.h"
#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/engine/kmeans_plus_plus.h"
#include "functions/kmeans/engine/kmeans_seeding.h"

namespace zerostart::kmeans {
namespace {

struct Outcome {
  bool ok = false;
  std::string status;
  Clustering c;
  uint32_t rng_after = 0;  // the generator's next output: same consumption
};

Outcome Cluster(const Points& points, ClustererOptions options, int32_t seed) {
  MersenneTwister rng(seed);
  Result<Clustering> result = ClusterKMeansPlusPlus(points, options, rng);
  Outcome run;
  run.ok = result.ok();
  run.status = result.status().ToString();
  if (result.ok()) run.c = std::move(result).value();
  run.rng_after = rng.NextUint32();
  return run;
}

std::vector<uint64_t> Bits(const std::vector<double>& v) {
  std::vector<uint64_t> bits;
  for (const double x : v) bits.push_back(std::bit_cast<uint64_t>(x));
  return bits;
}

void ExpectIdentical(const Outcome& want, const Outcome& got, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(want.ok, got.ok) << want.status << " vs " << got.status;
  EXPECT_EQ(want.status, got.status);
  EXPECT_EQ(want.rng_after, got.rng_after);
  if (!want.ok) return;
  EXPECT_EQ(want.c.iterations, got.c.iterations);
  EXPECT_EQ(want.c.sizes, got.c.sizes);
  EXPECT_EQ(want.c.assignments, got.c.assignments);
  EXPECT_EQ(Bits(want.c.centers), Bits(got.c.centers));
  EXPECT_EQ(std::bit_cast<uint64_t>(want.c.sse), std::bit_cast<uint64_t>(got.c.sse));
  EXPECT_EQ(want.c.empty_cluster_events, got.c.empty_cluster_events);
}

// Commons Math's chooseInitialCenters transcribed naively: scalar distances, a taken array,
// the total and the draw's running sum as two separate loops over the points not taken.
std::vector<size_t> ReferenceSeeds(const Points& points, size_t k, MersenneTwister& rng) {
  const size_t n = points.count;
  std::vector<bool> taken(n, false);
  std::vector<double> min_dist_squared(n, 0.0);
  std::vector<size_t> chosen;
  const auto first = static_cast<size_t>(rng.NextInt(static_cast<int32_t>(n)));
  chosen.push_back(first);
  taken[first] = true;
  for (size_t i = 0; i < n; ++i) {
    if (i == first) continue;
    const double dist = Distance(points.Row(first), points.Row(i), points.dims);
    min_dist_squared[i] = dist * dist;
  }
  while (chosen.size() < k) {
    double dist_sq_sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      if (!taken[i]) dist_sq_sum += min_dist_squared[i];
    }
    const double r = rng.NextDouble() * dist_sq_sum;
    std::optional<size_t> next;
    double sum = 0.0;
    for (size_t i = 0; i < n && !next; ++i) {
      if (taken[i]) continue;
      sum += min_dist_squared[i];
      if (sum >= r) next = i;
    }
    for (size_t i = n; !next && i > 0; --i) {
      if (!taken[i - 1]) next = i - 1;
    }
    if (!next) break;
    chosen.push_back(*next);
    taken[*next] = true;
    if (chosen.size() == k) break;
    for (size_t i = 0; i < n; ++i) {
      if (taken[i]) continue;
      const double dist = Distance(points.Row(*next), points.Row(i), points.dims);
      const double d2 = dist * dist;
      if (d2 < min_dist_squared[i]) min_dist_squared[i] = d2;
    }
  }
  return chosen;
}

// Commons Math's cluster() with the ERROR strategy, transcribed naively: scalar distances,
// member lists, centroidOf over each list.
Outcome Reference(const Points& points, int32_t k, int32_t max_iterations, int32_t seed) {
  MersenneTwister rng(seed);
  Outcome run;
  const size_t n = points.count;
  const size_t d = points.dims;
  const auto kk = static_cast<size_t>(k);
  const std::vector<size_t> seeds = ReferenceSeeds(points, kk, rng);
  std::vector<double> centers;
  for (const size_t s : seeds) centers.insert(centers.end(), points.Row(s), points.Row(s) + d);
  std::vector<double> scratch(kk);
  std::vector<std::vector<size_t>> members(kk);
  std::vector<int32_t> assignments(n, 0);
  auto assign = [&] {
    int64_t changes = 0;
    for (auto& m : members) m.clear();
    for (size_t i = 0; i < n; ++i) {
      const size_t c = NearestCenter(points.Row(i), centers.data(), kk, d, scratch);
      if (static_cast<int32_t>(c) != assignments[i]) ++changes;
      assignments[i] = static_cast<int32_t>(c);
      members[c].push_back(i);
    }
    return changes;
  };
  assign();
  const int32_t max_passes = max_iterations < 0 ? std::numeric_limits<int32_t>::max() : max_iterations;
  for (int32_t pass = 0; pass < max_passes; ++pass) {
    for (size_t c = 0; c < kk; ++c) {
      if (members[c].empty()) {
        run.ok = false;
        run.status = FailedPreconditionError(std::string(kEmptyClusterMessage)).ToString();
        run.rng_after = rng.NextUint32();
        return run;
      }
      for (size_t j = 0; j < d; ++j) {
        double sum = 0.0;
        for (const size_t i : members[c]) sum += points.Row(i)[j];
        centers[c * d + j] = sum / static_cast<double>(members[c].size());
      }
    }
    const int64_t changes = assign();
    run.c.iterations = pass + 1;
    if (changes == 0) break;
  }
  run.ok = true;
  run.status = OkStatus().ToString();
  run.c.k = kk;
  run.c.dims = d;
  for (size_t c = 0; c < kk; ++c) {
    run.c.sizes.push_back(members[c].size());
    for (const size_t i : members[c]) {
      for (size_t j = 0; j < d; ++j) {
        const double dp = points.Row(i)[j] - centers[c * d + j];
        run.c.sse += dp * dp;
      }
    }
  }
  run.c.centers = centers;
  run.c.assignments = assignments;
  run.rng_after = rng.NextUint32();
  return run;
}

Points Make(size_t dims, std::vector<double> coords) {
  Result<Points> points = MakePoints(dims, std::move(coords));
  EXPECT_TRUE(points.ok());
  return points.ok() ? std::move(points).value() : Points{};
}

struct DataSet {
  std::string name;
  Points points;
  int32_t k;
};

std::vector<DataSet> DataSets() {
  std::vector<DataSet> sets;
  std::mt19937_64 gen(2026);
  auto uniform = [&](size_t n, size_t d, double scale) {
    std::vector<double> v(n * d);
    std::uniform_real_distribution<double> u(0.0, scale);
    for (double& x : v) x = u(gen);
    return v;
  };
  for (const size_t d : {1u, 2u, 3u, 4u, 5u, 8u, 16u}) {
    sets.push_back({"uniform_d" + std::to_string(d), Make(d, uniform(5000 + 37 * d, d, 1.0)),
                    static_cast<int32_t>(3 + d % 7)});
  }
  {  // well separated gaussian blobs: pruning skips almost everything
    std::vector<double> v;
    std::normal_distribution<double> noise(0.0, 0.05);
    for (int i = 0; i < 6000; ++i) {
      const int blob = i % 6;
      v.push_back(blob * 3.0 + noise(gen));
      v.push_back((blob % 2) * 5.0 + noise(gen));
      v.push_back(noise(gen));
    }
    sets.push_back({"blobs", Make(3, v), 6});
  }
  {  // integer grid: many exact distance ties between centers
    std::vector<double> v;
    for (int x = 0; x < 40; ++x)
      for (int y = 0; y < 40; ++y) {
        v.push_back(x);
        v.push_back(y);
      }
    sets.push_back({"grid40", Make(2, v), 9});
  }
  {  // heavy duplicates
    std::vector<double> v;
    for (int i = 0; i < 4000; ++i) {
      v.push_back(static_cast<double>(i % 7));
      v.push_back(static_cast<double>((i * 3) % 5));
    }
    sets.push_back({"duplicates", Make(2, v), 5});
  }
  {  // points on a line at binary fractions: equal sums of squares across centers
    std::vector<double> v;
    for (int i = 0; i < 3000; ++i) v.push_back(std::ldexp(static_cast<double>(i % 64), -6));
    sets.push_back({"dyadic_line", Make(1, v), 7});
  }
  {  // near ties: sums that differ in the last bits (sqrt rounds them together)
    std::vector<double> v;
    for (int i = 0; i < 3000; ++i) {
      const double base = 1.0 + static_cast<double>(i % 50) * 0x1.0p-50;
      v.push_back(i % 2 ? base : -base);
      v.push_back(static_cast<double>(i % 3) * 0x1.0p-30);
    }
    sets.push_back({"near_ties", Make(2, v), 4});
  }
  sets.push_back({"tiny", Make(3, uniform(4000, 3, 1e-160)), 5});
  sets.push_back({"subnormal", Make(2, uniform(3000, 2, 1e-310)), 4});
  sets.push_back({"huge", Make(2, uniform(3000, 2, 1e150)), 4});  // pruning disabled
  sets.push_back({"large", Make(4, uniform(3000, 4, 1e90)), 6});
  // Shapes where the dot-product filter runs (d >= 4, k >= 16 on AVX-512), with what strains
  // its error bound: data far from the origin, exact ties, near ties, subnormal squares.
  sets.push_back({"uniform_d12_k37", Make(12, uniform(2000, 12, 1.0)), 37});
  {
    std::vector<double> v = uniform(2500, 9, 1.0);
    for (double& x : v) x += 1e6;
    sets.push_back({"offset_d9", Make(9, v), 17});
  }
  {  // {0, 1, 2}^6, each point three times
    std::vector<double> v;
    for (int copy = 0; copy < 3; ++copy) {
      for (int i = 0; i < 729; ++i) {
        for (int j = 0, rest = i; j < 6; ++j, rest /= 3) v.push_back(rest % 3);
      }
    }
    sets.push_back({"grid_d6", Make(6, v), 16});
  }
  {
    std::vector<double> v;
    for (int i = 0; i < 2000; ++i) {
      const double base = 1.0 + static_cast<double>(i % 40) * 0x1.0p-50;
      v.push_back(i % 2 ? base : -base);
      for (int j = 1; j < 4; ++j) v.push_back(static_cast<double>((i + j) % 3) * 0x1.0p-30);
    }
    sets.push_back({"near_ties_d4", Make(4, v), 16});
  }
  sets.push_back({"tiny_d8", Make(8, uniform(2000, 8, 1e-160)), 16});
  sets.push_back({"large_d5", Make(5, uniform(2000, 5, 1e90)), 16});
  return sets;
}

TEST(KMeansEngineTest, MatchesTheScalarReferenceWithAndWithoutPruning) {
  for (const DataSet& set : DataSets()) {
    for (const int32_t max_iterations : {-1, 3}) {
      for (const int32_t seed : {1, 42, -7}) {
        const std::string what = set.name + " max " + std::to_string(max_iterations) + " seed " +
                                 std::to_string(seed);
        const Outcome want = Reference(set.points, set.k, max_iterations, seed);
        for (const KernelIsa isa : RunnableKernelIsas()) {
          for (const bool pruning : {true, false}) {
            const Outcome got = Cluster(set.points,
                                        {.k = set.k,
                                         .max_iterations = max_iterations,
                                         .empty_cluster_strategy = EmptyClusterStrategy::kError,
                                         .exact_pruning = pruning,
                                         .isa = isa},
                                        seed);
            ExpectIdentical(want, got,
                            what + " " + std::string(KernelIsaName(isa)) +
                                (pruning ? " pruned" : " unpruned"));
          }
        }
      }
    }
  }
}

TEST(KMeansEngineTest, ThreadCountsAndPruningGiveIdenticalBits) {
  std::vector<DataSet> sets = DataSets();
  MersenneTwister gen(42);
  sets.push_back({"n30000_d3", GeneratePoints(30000, 3, gen), 8});
  sets.push_back({"n10000_d16", GeneratePoints(10000, 16, gen), 20});
  EnginePool shared(3);
  for (const DataSet& set : sets) {
    for (const auto strategy :
         {EmptyClusterStrategy::kLargestVariance, EmptyClusterStrategy::kFarthestPoint}) {
      // The plainest run is the yardstick: one thread scanning every center. Every other
      // combination of thread count (3 on a shared pool) and pruning must give its bits.
      const ClustererOptions base = {.k = set.k, .max_iterations = 30,
                                     .empty_cluster_strategy = strategy, .threads = 1,
                                     .exact_pruning = false, .isa = KernelIsa::kBaseline};
      const Outcome want = Cluster(set.points, base, 5);
      const std::vector<KernelIsa> isas = RunnableKernelIsas();
      for (const int threads : {1, 2, 3, 8}) {
        for (const bool pruning : {true, false}) {
          if (threads == base.threads && pruning == base.exact_pruning) continue;  // `want`
          ClustererOptions options = base;
          options.threads = threads;
          options.exact_pruning = pruning;
          // Each ISA meets several thread counts (and the yardstick is the baseline's).
          options.isa = isas[static_cast<size_t>(threads + (pruning ? 1 : 0)) % isas.size()];
          if (threads == 3) options.pool = &shared;
          ExpectIdentical(want, Cluster(set.points, options, 5),
                          set.name + " threads " + std::to_string(threads) +
                              (pruning ? " pruned " : " unpruned ") +
                              std::string(KernelIsaName(*options.isa)));
        }
      }
    }
  }
}

// The seeds alone, on every data set and more shapes (k up to 40, so late centers skip most
// points): every ISA, with and without the triangle-inequality skip, equal to Java's loop,
// and the generator left in the same state.
TEST(KMeansEngineTest, SeedingMatchesJavasLoopOnEveryPath) {
  std::vector<DataSet> sets = DataSets();
  MersenneTwister gen(7);
  sets.push_back({"n20000_d2_k40", GeneratePoints(20000, 2, gen), 40});
  sets.push_back({"n3000_d9_k25", GeneratePoints(3000, 9, gen), 25});
  sets.push_back({"n1500_d3_k1500", GeneratePoints(1500, 3, gen), 1500});  // k = n
  for (const DataSet& set : sets) {
    for (const int32_t seed : {1, 42}) {
      MersenneTwister want_rng(seed);
      const std::vector<size_t> want =
          ReferenceSeeds(set.points, static_cast<size_t>(set.k), want_rng);
      for (const KernelIsa isa : RunnableKernelIsas()) {
        for (const bool accelerate : {true, false}) {
          SCOPED_TRACE(set.name + " seed " + std::to_string(seed) + " " +
                       std::string(KernelIsaName(isa)) + (accelerate ? " skip" : " all"));
          MersenneTwister rng(seed);
          SeedingStats stats;
          EXPECT_EQ(ChooseInitialCenters(set.points, static_cast<size_t>(set.k), rng,
                                         {.isa = isa, .accelerate = accelerate, .stats = &stats}),
                    want);
          EXPECT_EQ(rng.NextUint32(), MersenneTwister(want_rng).NextUint32());
          if (!accelerate) {
            EXPECT_EQ(stats.skipped, 0);
          }
        }
      }
    }
  }
}

// The first center drawn has an infinite coordinate: its distance to itself is NaN, but Java
// leaves taken points out of the total (the others are +inf, so the total is +inf, not NaN,
// and the draw takes the first point, not the last). Every ISA, the chain carried through
// the kernel on the blocks without the taken point.
TEST(KMeansEngineTest, SeedingLeavesTheTakenInfinitePointOutOfTheTotal) {
  constexpr size_t kCount = 3000;
  for (const int32_t seed : {1, 42}) {
    std::vector<double> v;
    MersenneTwister gen(3);
    for (size_t i = 0; i < 2 * kCount; ++i) v.push_back(gen.NextDouble());
    const auto first = static_cast<size_t>(MersenneTwister(seed).NextInt(kCount));
    v[2 * first] = std::numeric_limits<double>::infinity();
    const Points points = Make(2, v);
    MersenneTwister want_rng(seed);
    const std::vector<size_t> want = ReferenceSeeds(points, 4, want_rng);
    ASSERT_EQ(want.front(), first);
    for (const KernelIsa isa : RunnableKernelIsas()) {
      SCOPED_TRACE(std::string(KernelIsaName(isa)) + " seed " + std::to_string(seed));
      MersenneTwister rng(seed);
      EXPECT_EQ(ChooseInitialCenters(points, 4, rng, {.isa = isa}), want);
    }
  }
}

TEST(KMeansEngineTest, SeedingSkipsPointsOfWellSeparatedBlobs) {
  std::vector<double> v;
  for (int i = 0; i < 4000; ++i) {
    v.push_back((i % 8) * 10.0 + (i % 13) * 1e-3);
    v.push_back((i % 5) * 1e-3);
  }
  const Points points = Make(2, v);
  MersenneTwister rng(3);
  SeedingStats stats;
  (void)ChooseInitialCenters(points, 8, rng, {.stats = &stats});
  EXPECT_GT(stats.skipped, stats.distances);
}

TEST(KMeansEngineTest, KernelIsaNamesAndAvailability) {
  for (const KernelIsa isa : {KernelIsa::kBaseline, KernelIsa::kAvx2, KernelIsa::kAvx512}) {
    EXPECT_EQ(ParseKernelIsa(KernelIsaName(isa)), isa);
  }
  EXPECT_EQ(ParseKernelIsa("AVX2"), std::nullopt);
  EXPECT_TRUE(CpuRunsKernelIsa(KernelIsa::kBaseline));
  EXPECT_TRUE(CpuRunsKernelIsa(BestKernelIsa()));
  EXPECT_EQ(RunnableKernelIsas().front(), KernelIsa::kBaseline);
  EXPECT_EQ(RunnableKernelIsas().back(), BestKernelIsa());
  for (const KernelIsa isa : {KernelIsa::kAvx2, KernelIsa::kAvx512}) {
    if (CpuRunsKernelIsa(isa)) continue;
    MersenneTwister rng(1);
    const Points points = GeneratePoints(100, 2, rng);
    const Result<Clustering> result = ClusterKMeansPlusPlus(points, {.k = 2, .isa = isa}, rng);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(KMeansEngineTest, NearestInTileFlagsNearTiesAndBreaksExactTiesLow) {
  for (const KernelIsa isa : RunnableKernelIsas()) {
    SCOPED_TRACE(KernelIsaName(isa));
    const size_t dims = 2;
    const double origin[dims] = {};
    const double* rows[kTileWidth];  // 8 points at the origin
    for (const double*& row : rows) row = origin;
    double tile[dims * kTileWidth];
    const double centers[6] = {1.0, 0.0, 1.0, 0.0, -1.0, 0.0};  // all at distance 1: exact ties
    TileNearest out;
    NearestInTile(rows, dims, centers, 3, tile, out, isa);
    for (size_t l = 0; l < kTileWidth; ++l) {
      EXPECT_EQ(out.nearest[l], 0) << l;  // the lowest index
      EXPECT_EQ(out.nearest_sum[l], 1.0);
      EXPECT_EQ(out.second_sum[l], 1.0);
  }
  EXPECT_EQ(out.needs_exact_mask, 0u);
  // Center 1's sum (1) is smaller than center 0's (1 + 2^-52) but both sqrt to 1.0: Java keeps
  // center 0, the sums alone say 1, so every lane is flagged for the scalar resolution.
  const double near[4] = {1.0, 0x1.0p-26, 1.0, 0.0};
  NearestInTile(rows, dims, near, 2, tile, out, isa);
  EXPECT_EQ(out.needs_exact_mask, 0xffu);
  EXPECT_EQ(out.nearest[0], 1);
  std::vector<double> scratch(2);
  const double point[2] = {0.0, 0.0};
  EXPECT_EQ(NearestCenter(point, near, 2, dims, scratch), 0u);
  // Every sum overflows to +inf: Java keeps center 0, as the tile does, with nothing to flag
  // (a flag would send such points to the scalar path on every pass). k = 5 puts centers in
  // both halves of the AVX-512 scan.
  const double huge[10] = {1e155, -1e155, -1e155, 1e155, 1e155, 1e155, -1e155, -1e155, 1e155, 0.0};
  NearestInTile(rows, dims, huge, 5, tile, out, isa);
  EXPECT_EQ(out.needs_exact_mask, 0u);
  EXPECT_EQ(out.nearest[0], 0);
  scratch.resize(5);  // NearestCenter needs k values of scratch
  EXPECT_EQ(NearestCenter(point, huge, 5, dims, scratch), 0u);
  }
}

// Compact bounds (2 bytes each), float bounds, no pruning, and the dot-product filter
// (dot_filter.h) forced on every shape with and without pruning (where the CPU has no AVX-512,
// those two steps run the exact kernel): the same assignments on every pass of a Lloyd loop,
// on every data set. The centroid sums a step makes while it assigns equal SumClusterRows'.
TEST(KMeansEngineTest, CompactBoundsAndTheDotFilterGiveTheSameAssignments) {
  for (const DataSet& set : DataSets()) {
    SCOPED_TRACE(set.name);
    const Points& points = set.points;
    const size_t k = static_cast<size_t>(set.k);
    const size_t d = points.dims;
    MersenneTwister rng(3);
    const std::vector<size_t> seeds = ChooseInitialCenters(points, k, rng);
    std::vector<double> centers;
    for (const size_t s : seeds) centers.insert(centers.end(), points.Row(s), points.Row(s) + d);
    const KernelIsa isa = BestKernelIsa();
    AssignmentStep dense(points, k, /*pruning=*/false, 1, isa, BoundStorage::kAuto,
                         ScanKernel::kExact);
    AssignmentStep floats(points, k, true, 1, isa, BoundStorage::kFloat, ScanKernel::kExact);
    AssignmentStep compact(points, k, true, 1, isa, BoundStorage::kCompact, ScanKernel::kExact);
    AssignmentStep dot_dense(points, k, false, 1, isa, BoundStorage::kAuto, ScanKernel::kDot);
    AssignmentStep dot_pruned(points, k, true, 1, isa, BoundStorage::kFloat, ScanKernel::kDot);
    EXPECT_EQ(compact.compact_bounds(), compact.pruning());
    EXPECT_EQ(dot_dense.dot_filter(),
              DotFilterServes(isa) && PrunableCoordinates(points.coords));
    std::vector<int32_t> want(points.count, 0), got_float = want, got_compact = want,
                                                got_dot_dense = want, got_dot_pruned = want;
    for (int pass = 0; pass < 12; ++pass) {
      dense.Assign(centers, want, nullptr);
      // The centroid sums a step makes as it goes are SumClusterRows' of its result.
      auto assign_and_sum = [&](AssignmentStep& step, std::vector<int32_t>& got) {
        std::vector<double> step_rows(k * CentroidRowStride(d), 0.0);
        ASSERT_TRUE(step.SumsCentroids());
        step.Assign(centers, got, nullptr, step_rows.data());
        std::vector<double> rows(step_rows.size(), 0.0);
        SumClusterRows(points.coords.data(), points.count, d, got.data(), nullptr, rows.data(),
                       k);
        ASSERT_EQ(Bits(step_rows), Bits(rows)) << "pass " << pass;
      };
      assign_and_sum(floats, got_float);
      assign_and_sum(compact, got_compact);
      dot_dense.Assign(centers, got_dot_dense, nullptr);
      assign_and_sum(dot_pruned, got_dot_pruned);
      ASSERT_EQ(got_float, want) << "pass " << pass;
      ASSERT_EQ(got_compact, want) << "pass " << pass;
      ASSERT_EQ(got_dot_dense, want) << "pass " << pass;
      ASSERT_EQ(got_dot_pruned, want) << "pass " << pass;
      // Next centers: the mean of each cluster (any order: the steps share them).
      std::vector<double> sums(k * d, 0.0);
      std::vector<double> counts(k, 0.0);
      for (size_t i = 0; i < points.count; ++i) {
        const auto c = static_cast<size_t>(want[i]);
        for (size_t j = 0; j < d; ++j) sums[c * d + j] += points.Row(i)[j];
        counts[c] += 1.0;
      }
      for (size_t c = 0; c < k; ++c) {
        if (counts[c] == 0.0) continue;
        for (size_t j = 0; j < d; ++j) centers[c * d + j] = sums[c * d + j] / counts[c];
      }
    }
  }
}

TEST(KMeansEngineTest, CompactBoundsRoundOutward) {
  std::mt19937_64 gen(11);
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(FromCompact(CompactUp(inf)), inf);
  EXPECT_EQ(FromCompact(CompactUp(std::numeric_limits<float>::max())), inf);
  EXPECT_EQ(FromCompact(CompactDown(0.0f)), 0.0f);
  EXPECT_EQ(FromCompact(CompactUp(0.0f)), 0.0f);
  for (int i = 0; i < 200000; ++i) {
    const auto bits = static_cast<uint32_t>(gen() % 0x7f800000u);  // every finite float >= +0
    const float x = std::bit_cast<float>(bits);
    EXPECT_GE(FromCompact(CompactUp(x)), x);
    EXPECT_LE(FromCompact(CompactDown(x)), x);
    EXPECT_LE(FromCompact(CompactUp(x)), x * (1.0f + 0x1.0p-7f) + 0x1.0p-133f);  // subnormal: 2^-134 steps
  }
}

// Pruning needs finite coordinates within kMaxPrunableMagnitude (both signs, NaN never).
TEST(KMeansEngineTest, PrunableCoordinatesChecksEveryMagnitude) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double beyond = std::nextafter(kMaxPrunableMagnitude, inf);
  for (const double ok : {0.0, -0.0, 1.0, -1e-320, kMaxPrunableMagnitude, -kMaxPrunableMagnitude}) {
    EXPECT_TRUE(PrunableCoordinates(std::vector<double>{1.0, ok, 2.0})) << ok;
  }
  for (const double bad : {beyond, -beyond, inf, -inf, nan, -nan, 1e300}) {
    for (size_t at = 0; at < 5; ++at) {  // anywhere in a span longer than a vector
      std::vector<double> coords(5, 0.5);
      coords[at] = bad;
      EXPECT_FALSE(PrunableCoordinates(coords)) << bad << " at " << at;
    }
  }
  EXPECT_TRUE(PrunableCoordinates({}));
}

TEST(KMeansEngineTest, OutwardRoundedFloatBounds) {
  std::mt19937_64 gen(9);
  for (int i = 0; i < 100000; ++i) {
    const double v = std::ldexp(std::uniform_real_distribution<double>(0.5, 1.0)(gen),
                                static_cast<int>(gen() % 300) - 150);
    EXPECT_GE(static_cast<double>(UpperF(v)), v);
    EXPECT_LE(static_cast<double>(LowerF(v)), v);
  }
  EXPECT_EQ(LowerF(-1.0), 0.0f);
  EXPECT_EQ(LowerF(std::numeric_limits<double>::infinity()), std::numeric_limits<float>::max());
  EXPECT_EQ(UpperF(1e300), std::numeric_limits<float>::infinity());
  EXPECT_FALSE(PruneTest(1.0, 1.0, PruneEpsilon(3)));
  EXPECT_TRUE(PruneTest(1.0, 1.0 + 1e-9, PruneEpsilon(3)));
}

TEST(KMeansEngineTest, EnginePoolRunsEveryPartOnce) {
  EnginePool pool(4);
  EXPECT_EQ(pool.threads(), 4u);
  for (int round = 0; round < 200; ++round) {
    std::vector<int> hits(4, 0);
    pool.Run(4, [&](size_t part) { ++hits[part]; });
    EXPECT_EQ(hits, std::vector<int>(4, 1));
  }
  std::vector<int> hits(4, 0);
  pool.Run(2, [&](size_t part) { ++hits[part]; });
  EXPECT_EQ(hits, (std::vector<int>{1, 1, 0, 0}));
}

// Jobs of changing sizes back to back: a worker late for one job must never claim a part of
// the next against the old job's part count (each part runs once, on its own job).
TEST(KMeansEngineTest, EnginePoolJobsOfChangingSizesRunEachPartOnce) {
  for (const size_t threads : {2u, 3u, 5u}) {
    EnginePool pool(threads);
    for (int round = 0; round < 5000; ++round) {
      const size_t parts = 1 + static_cast<size_t>(round) % threads;
      std::vector<int> hits(threads, 0);
      pool.Run(parts, [&](size_t part) { ++hits[part]; });
      for (size_t part = 0; part < threads; ++part) {
        ASSERT_EQ(hits[part], part < parts ? 1 : 0) << threads << " threads, round " << round;
      }
    }
  }
}

}  // namespace
}  // namespace zerostart::kmeans
