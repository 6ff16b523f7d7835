// NearestOfRun against the tile kernel it replaces on runs of consecutive points
// (NearestInTile and TileBounds on the same ISA), lane by lane and bit for bit: the nearest
// center, the bounds, the near-tie flags (a flagged point keeps its old assignment), and the
// count of changes, for 1 to 4 coordinates and k on both sides of the two-half scan, on
// random data, on points and centers of a small integer grid (exact ties), with near ties,
// and with infinite and NaN coordinates. Runs where the CPU has AVX-512.
#include "functions/kmeans/engine/run_kernel.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "functions/kmeans/engine/distance_kernel.h"
#include "functions/kmeans/engine/exact_bounds.h"

namespace zerostart::kmeans {
namespace {

enum class Kind { kUniform, kGrid, kNearTies, kSpecials };

// `count` coordinates of `kind`. For kNearTies, points (centers = false) lie at the origin and
// centers (rows of `dims`) near distance 1 from it, their sums 1, 1 + 2^-52 or 1 + 2^-51:
// sqrt rounds several of them to 1.0, and the scan must flag them.
std::vector<double> Values(Kind kind, size_t count, size_t dims, bool centers,
                           std::mt19937_64& gen) {
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::uniform_int_distribution<int> grid(-2, 2);
  std::vector<double> v(count);
  for (size_t i = 0; i < count; ++i) {
    switch (kind) {
      case Kind::kUniform:
        v[i] = uniform(gen);
        break;
      case Kind::kGrid:
        v[i] = grid(gen);
        break;
      case Kind::kNearTies: {
        const size_t j = i % dims;
        const bool bump = grid(gen) > 0;
        v[i] = !centers ? 0.0
               : j == 0 ? (dims == 1 && bump ? 1.0 + 0x1.0p-52 : 1.0)
               : j == 1 ? (bump ? 0x1.0p-26 : 0.0)
                        : 0.0;
        break;
      }
      case Kind::kSpecials: {
        const int pick = grid(gen);
        v[i] = pick == -2   ? std::numeric_limits<double>::infinity()
               : pick == 2  ? std::numeric_limits<double>::quiet_NaN()
               : pick == -1 ? 1e300
                            : uniform(gen);
        break;
      }
    }
  }
  return v;
}

TEST(RunKernelTest, MatchesTheTileKernelLaneByLane) {
  if (!CpuRunsKernelIsa(KernelIsa::kAvx512)) GTEST_SKIP() << "this CPU has no AVX-512";
  std::mt19937_64 gen(11);
  size_t flagged_seen = 0;
  for (const Kind kind : {Kind::kUniform, Kind::kGrid, Kind::kNearTies, Kind::kSpecials}) {
    for (size_t dims = 1; dims <= 4; ++dims) {
      ASSERT_TRUE(RunScanServes(dims, KernelIsa::kAvx512));
      for (const size_t k : {1u, 2u, 3u, 5u, 8u, 9u, 16u, 17u}) {
        SCOPED_TRACE("kind " + std::to_string(static_cast<int>(kind)) + " dims " +
                     std::to_string(dims) + " k " + std::to_string(k));
        const size_t tiles = 13;
        const size_t n = tiles * kTileWidth;
        const std::vector<double> coords = Values(kind, n * dims, dims, false, gen);
        const std::vector<double> centers = Values(kind, k * dims, dims, true, gen);
        const double eps = PruneEpsilon(dims);
        std::vector<int32_t> old(n);
        for (size_t i = 0; i < n; ++i) old[i] = static_cast<int32_t>(i % k);

        std::vector<int32_t> got = old;
        std::vector<float> upper(n, -1.0f), lower(n, -1.0f);
        std::vector<uint32_t> flagged(n);
        const RunScan run = NearestOfRun(coords.data(), tiles, dims, centers.data(), k, eps,
                                         got.data(), upper.data(), lower.data(), flagged.data());

        size_t want_changes = 0;
        std::vector<uint32_t> want_flagged;
        std::vector<double> tile(dims * kTileWidth);
        for (size_t t = 0; t < tiles; ++t) {
          const double* rows[kTileWidth];
          for (size_t l = 0; l < kTileWidth; ++l) {
            rows[l] = coords.data() + (t * kTileWidth + l) * dims;
          }
          TileNearest out;
          NearestInTile(rows, dims, centers.data(), k, tile.data(), out, KernelIsa::kAvx512);
          float want_upper[kTileWidth];
          float want_lower[kTileWidth];
          TileBounds(out, eps, want_upper, want_lower, KernelIsa::kAvx512);
          for (size_t l = 0; l < kTileWidth; ++l) {
            const size_t i = t * kTileWidth + l;
            EXPECT_EQ(std::bit_cast<uint32_t>(upper[i]), std::bit_cast<uint32_t>(want_upper[l]))
                << i;
            EXPECT_EQ(std::bit_cast<uint32_t>(lower[i]), std::bit_cast<uint32_t>(want_lower[l]))
                << i;
            if ((out.needs_exact_mask >> l) & 1u) {
              want_flagged.push_back(static_cast<uint32_t>(i));
              EXPECT_EQ(got[i], old[i]) << i;  // left for the caller to settle
            } else {
              EXPECT_EQ(got[i], out.nearest[l]) << i;
              want_changes += out.nearest[l] != old[i] ? 1 : 0;
            }
          }
        }
        EXPECT_EQ(run.changes, want_changes);
        ASSERT_EQ(run.flagged, want_flagged.size());
        for (size_t f = 0; f < run.flagged; ++f) EXPECT_EQ(flagged[f], want_flagged[f]);
        flagged_seen += run.flagged;

        // Without bounds: the same assignments, nothing written past them.
        std::vector<int32_t> bare = old;
        const RunScan unbounded = NearestOfRun(coords.data(), tiles, dims, centers.data(), k,
                                               eps, bare.data(), nullptr, nullptr,
                                               flagged.data());
        EXPECT_EQ(bare, got);
        EXPECT_EQ(unbounded.changes, run.changes);
        EXPECT_EQ(unbounded.flagged, run.flagged);
      }
    }
  }
  EXPECT_GT(flagged_seen, 0u);  // the near-tie data reached the flag
}

}  // namespace
}  // namespace zerostart::kmeans
