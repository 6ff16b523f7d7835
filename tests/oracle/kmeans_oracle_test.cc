// The C++ engine against Apache Commons Math 3.6.1 itself (KMeansOracle.java on a JVM):
// every center bit, size, sse bit and iteration count must be equal, over many shapes, on every
// kernel ISA this CPU runs (baseline, AVX2, AVX-512: kernel_isa.h).
// Each TEST batches its cases into one JVM run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "functions/kmeans/engine/exact_math.h"
#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/engine/kmeans_plus_plus.h"
#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"
#include "src/common/testing/test_config.h"
#include "tests/oracle/empty_cluster_datasets.h"

namespace zerostart::kmeans {
namespace {

constexpr int32_t kIntMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kIntMax = std::numeric_limits<int32_t>::max();

std::string Hex(double x) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx",
                static_cast<unsigned long long>(std::bit_cast<uint64_t>(x)));
  return buf;
}

std::vector<std::string> Split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  return tokens;
}

// Feeds `input` to KMeansOracle on stdin; returns its output lines.
std::vector<std::string> RunOracle(const std::string& input) {
  const std::string base = ::testing::TempDir() + "kmeans_oracle_" + std::to_string(::getpid()) +
                           "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string in_path = base + ".in";
  const std::string out_path = base + ".out";
  std::ofstream(in_path) << input;
  const std::string command = "'" + zerostart::testing::TestConfig("java_executable") + "' -cp '" +
                              zerostart::testing::TestConfig("oracle_classpath") + "' KMeansOracle < '" + in_path + "' > '" +
                              out_path + "'";
  const int rc = std::system(command.c_str());
  EXPECT_EQ(rc, 0) << command;
  std::ifstream out(out_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
  return lines;
}

struct OracleCase {
  std::string name;
  int32_t k = 4;
  int32_t max_iterations = 100;
  int32_t seed = 42;
  EmptyClusterStrategy strategy = EmptyClusterStrategy::kLargestVariance;
  size_t n = 0;
  size_t d = 0;
  std::optional<std::vector<double>> coords;  // explicit points (row-major); else generated
};

OracleCase Generated(std::string name, size_t n, size_t d, int32_t k, int32_t max_iterations,
                     int32_t seed,
                     EmptyClusterStrategy strategy = EmptyClusterStrategy::kLargestVariance) {
  return {std::move(name), k, max_iterations, seed, strategy, n, d, std::nullopt};
}

OracleCase Explicit(std::string name, size_t d, std::vector<double> coords, int32_t k,
                    int32_t max_iterations, int32_t seed,
                    EmptyClusterStrategy strategy = EmptyClusterStrategy::kLargestVariance) {
  const size_t n = coords.size() / d;
  return {std::move(name), k, max_iterations, seed, strategy, n, d, std::move(coords)};
}

std::string OracleCommand(const OracleCase& c) {
  std::string line =
      "kmeans " + c.name + " " + std::to_string(c.k) + " " + std::to_string(c.max_iterations) +
      " " + std::to_string(c.seed) + " " + std::string(EmptyClusterStrategyName(c.strategy)) + " " +
      (c.coords ? "points " : "gen ") + std::to_string(c.n) + " " + std::to_string(c.d);
  if (c.coords) {
    for (const double x : *c.coords) {
      line += ' ';
      line += Hex(x);
    }
  }
  line += '\n';
  return line;
}

Result<Clustering> RunEngine(const OracleCase& c, KernelIsa isa) {
  MersenneTwister rng(c.seed);
  Points points;
  if (c.coords) {
    ZS_ASSIGN_OR_RETURN(points, MakePoints(c.d, *c.coords));
  } else {
    points = GeneratePoints(c.n, c.d, rng);
  }
  return ClusterKMeansPlusPlus(
      points,
      {.k = c.k, .max_iterations = c.max_iterations, .empty_cluster_strategy = c.strategy,
       .isa = isa},
      rng);
}

// What the engine did on a case, beyond what the oracle can see.
struct EngineStats {
  bool ok = false;
  int64_t empty_cluster_events = 0;
  int32_t iterations = 0;
};

// Expects the engine's result on `c` with the kernels of `isa` to equal the oracle's output
// line for it.
void ExpectMatchesOn(const OracleCase& c, const std::string& line, KernelIsa isa,
                     EngineStats* stats) {
  SCOPED_TRACE("case " + c.name + " on " + std::string(KernelIsaName(isa)));
  const std::vector<std::string> t = Split(line);
  ASSERT_GE(t.size(), 3u) << line;
  ASSERT_EQ(t[0], c.name);
  const Result<Clustering> got = RunEngine(c, isa);
  if (t[1] == "error") {
    ASSERT_FALSE(got.ok()) << "Java threw " << t[2];
    if (t[2] == "ConvergenceException") {
      EXPECT_EQ(got.status().code(), StatusCode::kFailedPrecondition);
    } else {
      EXPECT_EQ(t[2], "NumberIsTooSmallException");
      EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    }
    return;
  }
  ASSERT_EQ(t[1], "ok");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const size_t k = static_cast<size_t>(c.k);
  ASSERT_EQ(t.size(), 4 + k + k * c.d) << line;
  *stats = {true, got->empty_cluster_events, got->iterations};
  EXPECT_EQ(std::to_string(got->iterations), t[2]) << "iterations";
  EXPECT_EQ(Hex(got->sse), t[3]) << "sse " << got->sse;
  for (size_t j = 0; j < k; ++j) {
    EXPECT_EQ(std::to_string(got->sizes[j]), t[4 + j]) << "size of cluster " << j;
  }
  for (size_t j = 0; j < k * c.d; ++j) {
    EXPECT_EQ(Hex(got->centers[j]), t[4 + k + j])
        << "center " << j / c.d << " coordinate " << j % c.d;
  }
}

void ExpectMatches(const OracleCase& c, const std::string& line, EngineStats* stats) {
  for (const KernelIsa isa : RunnableKernelIsas()) ExpectMatchesOn(c, line, isa, stats);
}

// Runs every case through the engine and (in one JVM) the oracle, and expects equal output.
std::vector<EngineStats> ExpectAllMatchOracle(const std::vector<OracleCase>& cases) {
  std::string input;
  for (const OracleCase& c : cases) input += OracleCommand(c);
  const std::vector<std::string> lines = RunOracle(input);
  EXPECT_EQ(lines.size(), cases.size());
  std::vector<EngineStats> stats(cases.size());
  for (size_t i = 0; i < cases.size() && i < lines.size(); ++i) {
    ExpectMatches(cases[i], lines[i], &stats[i]);
  }
  return stats;
}

constexpr EmptyClusterStrategy kAllStrategies[] = {
    EmptyClusterStrategy::kLargestVariance, EmptyClusterStrategy::kLargestPointsNumber,
    EmptyClusterStrategy::kFarthestPoint, EmptyClusterStrategy::kError};

std::string Tag(EmptyClusterStrategy s) { return std::string(EmptyClusterStrategyName(s)); }

TEST(KMeansOracleTest, CheckedExampleMatchesJavaUnderEveryStrategy) {
  std::vector<OracleCase> cases = {Generated("checked_example", 1000, 2, 4, 100, 42),
                                   Generated("checked_example_unlimited", 1000, 2, 4, -1, 42)};
  for (const auto s : kAllStrategies) {
    cases.push_back(Generated("checked_example_" + Tag(s), 1000, 2, 4, 100, 42, s));
  }
  ExpectAllMatchOracle(cases);
}

std::vector<double> Grid(int side, int dims) {
  std::vector<double> coords;
  int total = 1;
  for (int i = 0; i < dims; ++i) total *= side;
  for (int index = 0; index < total; ++index) {
    for (int i = 0, rest = index; i < dims; ++i, rest /= side) coords.push_back(rest % side);
  }
  return coords;
}

TEST(KMeansOracleTest, EdgeShapesMatchJava) {
  std::vector<OracleCase> cases = {
      Generated("d1", 500, 1, 3, 100, 7),
      Generated("d1_k8", 2000, 1, 8, 100, 8),
      Generated("k1", 300, 4, 1, 100, 9),
      Generated("k_equals_n", 9, 2, 9, 100, 10),
      Generated("n1_k1", 1, 1, 1, 100, 11),
      Generated("max0", 300, 2, 5, 0, 12),
      Generated("max1", 3000, 2, 10, 1, 13),
      Generated("max2", 3000, 2, 10, 2, 13),
      Generated("max3", 3000, 2, 10, 3, 13),
      Generated("unlimited", 2000, 3, 6, -1, 14),
      Generated("seed_minus1", 500, 2, 4, 100, -1),
      Generated("seed_int_min", 500, 2, 4, 100, kIntMin),
      Generated("seed_int_max", 500, 2, 4, 100, kIntMax),
      Generated("d10_k12", 1500, 10, 12, 100, 15),
      Generated("n20000_d3_k8", 20000, 3, 8, 100, 42),
      Explicit("too_few_points", 1, {1.0, 2.0, 3.0}, 4, 100, 1),
      Explicit("two_identical_k2", 1, {0.5, 0.5}, 2, 5, 1),
      Explicit("mixed_magnitudes", 2, {-1e3, 2.5,   1e-300, -7.25, 3.0, 3.0, 1e3,  -1e3, 0.0, -0.0,
                                       42.0, 1e-12, 5e2,    -5e2,  7.0, 8.0, -3.0, 1e5,  2.0, 2.0},
               3, 100, 2),
      // Squares overflow to infinity: distances are +inf, every point ties to cluster 0.
      Explicit("overflow", 2,
               {1e200, 1e200, -1e200, 3e199, 5e199, -1e200, 1e150, 1e150, -2e200, 2e200, 0.5, 0.25,
                9e199, 9e199, -9e199, 1.0},
               3, 10, 3),
  };
  for (const int seed : {1, 2, 3, 4, 5}) {
    cases.push_back(Explicit("grid10x10_s" + std::to_string(seed), 2, Grid(10, 2), 4, 100, seed));
  }
  cases.push_back(Explicit("grid5x5x5", 3, Grid(5, 3), 8, 100, 6));
  cases.push_back(Explicit("grid4x4_k16", 2, Grid(4, 2), 16, 100, 7));
  // Heavy duplicates (3 locations, k = 5): seeds repeat locations, clusters stay empty, every
  // pass runs the strategy until the limit; k = n with duplicates likewise.
  std::vector<double> dups;
  for (int i = 0; i < 30; ++i) dups.push_back(static_cast<double>(i % 3));
  const std::vector<double> k_equals_n_dups = {1.0, 1.0, 2.0, 2.0, 2.0, 3.0};
  for (const auto s : kAllStrategies) {
    cases.push_back(Explicit("duplicates_" + Tag(s), 1, dups, 5, 6, 21, s));
    cases.push_back(Explicit("k_equals_n_duplicates_" + Tag(s), 1, k_equals_n_dups, 6, 4, 22, s));
  }
  const std::vector<EngineStats> stats = ExpectAllMatchOracle(cases);
  for (size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].name.rfind("duplicates_", 0) == 0 &&
        cases[i].strategy != EmptyClusterStrategy::kError) {
      EXPECT_EQ(stats[i].empty_cluster_events, 6 * 2) << cases[i].name;  // 2 empty per pass
    }
  }
}

// Natural empty clusters (distinct points) under every strategy: the strategies agree up to
// the first empty cluster, then each takes its own path, and ERROR fails there.
TEST(KMeansOracleTest, EmptyClusterStrategiesMatchJava) {
  const auto& datasets = testing::EmptyClusterDatasets();
  ASSERT_GE(datasets.size(), 10u);
  std::vector<OracleCase> cases;
  for (size_t i = 0; i < datasets.size(); ++i) {
    const auto& data = datasets[i];
    for (const auto s : kAllStrategies) {
      cases.push_back(Explicit("natural_empty_" + std::to_string(i) + "_" + Tag(s), data.dims,
                               data.coords, data.k, 40, data.seed, s));
    }
  }
  const std::vector<EngineStats> stats = ExpectAllMatchOracle(cases);
  for (size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].strategy == EmptyClusterStrategy::kError) {
      EXPECT_FALSE(stats[i].ok) << cases[i].name << " should fail under ERROR";
    } else {
      // The strategy really ran, and the run recovered and converged afterwards.
      EXPECT_GT(stats[i].empty_cluster_events, 0) << cases[i].name;
      EXPECT_LT(stats[i].iterations, 40) << cases[i].name;
    }
  }
}

TEST(KMeansOracleTest, RandomShapesMatchJava) {
  std::mt19937 shapes(77);
  std::vector<OracleCase> cases;
  const int32_t max_choices[] = {-1, 3, 20, 100};
  for (int i = 0; i < 30; ++i) {
    const int32_t k = static_cast<int32_t>(1 + shapes() % 12);
    const size_t n = static_cast<size_t>(k) + shapes() % 4000;
    const size_t d = 1 + shapes() % 8;
    const auto seed = static_cast<int32_t>(shapes());
    const auto strategy = kAllStrategies[shapes() % 4];
    cases.push_back(Generated("random_" + std::to_string(i), n, d, k, max_choices[shapes() % 4],
                              seed, strategy));
  }
  for (int i = 0; i < 6; ++i) {
    const size_t d = 1 + shapes() % 4;
    const size_t n = 10 + shapes() % 300;
    std::vector<double> coords(n * d);
    std::normal_distribution<double> normal(0.0, 100.0);
    for (double& x : coords) x = normal(shapes);
    cases.push_back(Explicit("random_explicit_" + std::to_string(i), d, coords,
                             static_cast<int32_t>(1 + shapes() % 6), 100,
                             static_cast<int32_t>(shapes())));
  }
  ExpectAllMatchOracle(cases);
}

// Shapes where the AVX-512 engine scans with the dot-product filter (d >= 4, k >= 16), one far
// from the origin, against Commons Math itself.
TEST(KMeansOracleTest, WideShapesMatchJava) {
  std::vector<OracleCase> cases = {
      Generated("wide_d4_k16", 4000, 4, 16, 100, 5),
      Generated("wide_d9_k20", 3000, 9, 20, 30, -11),
      Generated("wide_d16_k33", 2500, 16, 33, 10, 42),
  };
  std::mt19937 offsets(5);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> coords(2000 * 6);
  for (double& x : coords) x = 1e5 + unit(offsets);
  cases.push_back(Explicit("wide_offset_d6_k18", 6, coords, 18, 40, 9));
  ExpectAllMatchOracle(cases);
}

// LARGEST_VARIANCE compares Commons Math Variance values; check their bits directly (which
// cluster wins rarely depends on the last bits, so the clustering cases alone would not
// notice, e.g., a missing bias correction).
TEST(KMeansOracleTest, VarianceMatchesJava) {
  std::mt19937_64 values(3);
  std::vector<std::vector<double>> samples = {{}, {0.5}, {1.0, 1.0}, {0.0, 1e-300, 1e300}};
  for (const size_t size : {2u, 3u, 5u, 10u, 100u, 1000u}) {
    for (int i = 0; i < 5; ++i) {
      std::vector<double> sample(size);
      const double scale = std::ldexp(1.0, static_cast<int>(values() % 40) - 20);
      for (double& x : sample) x = scale * std::uniform_real_distribution<double>(0, 1)(values);
      samples.push_back(sample);
    }
  }
  std::string input;
  for (const auto& sample : samples) {
    input += "variance";
    for (const double x : sample) {
      input += ' ';
      input += Hex(x);
    }
    input += '\n';
  }
  const std::vector<std::string> lines = RunOracle(input);
  ASSERT_EQ(lines.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    CommonsVariance variance;
    for (const double x : samples[i]) variance.Increment(x);
    EXPECT_EQ("variance " + Hex(variance.Result()), lines[i]) << "sample " << i;
  }
}

TEST(KMeansOracleTest, MersenneTwisterMatchesJava) {
  const int32_t seeds[] = {0, 1, 42, 5489, -1, -42, kIntMin, kIntMax};
  const int32_t bounds[] = {
      1, 2, 3, 5, 7, 16, 100, 1000, 1 << 20, (1 << 30) - 1, (1 << 30), (1 << 30) + 1, kIntMax};
  std::string input;
  for (const int32_t seed : seeds) {
    input += "ints " + std::to_string(seed) + " 1500\n";
    input += "doubles " + std::to_string(seed) + " 700\n";
    for (const int32_t bound : bounds) {
      input += "bounded " + std::to_string(seed) + " " + std::to_string(bound) + " 300\n";
    }
  }
  const std::vector<std::string> lines = RunOracle(input);
  size_t line = 0;
  for (const int32_t seed : seeds) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_LT(line, lines.size());
    {
      MersenneTwister mt(seed);
      const std::vector<std::string> t = Split(lines[line++]);
      ASSERT_EQ(t.size(), 1501u);
      for (size_t i = 1; i < t.size(); ++i) ASSERT_EQ(std::to_string(mt.Next(32)), t[i]) << i;
    }
    {
      MersenneTwister mt(seed);
      const std::vector<std::string> t = Split(lines[line++]);
      ASSERT_EQ(t.size(), 701u);
      for (size_t i = 1; i < t.size(); ++i) ASSERT_EQ(Hex(mt.NextDouble()), t[i]) << i;
    }
    for (const int32_t bound : bounds) {
      MersenneTwister mt(seed);
      ASSERT_LT(line, lines.size());
      const std::vector<std::string> t = Split(lines[line++]);
      ASSERT_EQ(t.size(), 301u);
      for (size_t i = 1; i < t.size(); ++i) {
        ASSERT_EQ(std::to_string(mt.NextInt(bound)), t[i]) << "bound " << bound << " draw " << i;
      }
    }
  }
}


// --- Bad input: what Commons Math does, and the engine bit for bit ---

// n points drawn (with replacement, by `pick`) from `locations` (row-major, d each).
std::vector<double> FromLocations(const std::vector<double>& locations, size_t d, size_t n,
                                  uint32_t pick_seed) {
  std::mt19937 pick(pick_seed);
  const size_t count = locations.size() / d;
  std::vector<double> coords;
  for (size_t i = 0; i < n; ++i) {
    const size_t at = pick() % count;
    coords.insert(coords.end(), locations.begin() + static_cast<std::ptrdiff_t>(at * d),
                  locations.begin() + static_cast<std::ptrdiff_t>((at + 1) * d));
  }
  return coords;
}

// k larger than the number of distinct points (k <= n), all points identical, and
// maxIterations = 0, under every strategy. Commons Math: k-means++ draws duplicate locations
// as seeds, equal points share a cluster, so clusters stay empty after every pass; the
// strategy runs on every pass and the run stops only at maxIterations (ERROR: fails at the
// first pass); maxIterations = 0 returns the seeds with their assignment, ERROR included.
TEST(KMeansOracleTest, BadInputMatchesJava) {
  std::vector<OracleCase> cases;
  const std::vector<double> three_2d = {0.25, -1.5, 3.0, 3.0, -2.0, 0.5};
  const std::vector<double> identical(3 * 50, 0.0);
  std::vector<double> identical_nonzero;
  for (int i = 0; i < 50; ++i) identical_nonzero.insert(identical_nonzero.end(), {1.5, -2.0, 7.0});
  for (const auto s : kAllStrategies) {
    for (const int32_t max : {0, 1, 3, 25}) {
      const std::string suffix = "_max" + std::to_string(max) + "_" + Tag(s);
      cases.push_back(Explicit("three_locations_k4" + suffix, 2, FromLocations(three_2d, 2, 40, 1),
                               4, max, 31, s));
      cases.push_back(Explicit("three_locations_k7" + suffix, 2, FromLocations(three_2d, 2, 12, 2),
                               7, max, 32, s));
      cases.push_back(Explicit("identical_k2" + suffix, 3, identical_nonzero, 2, max, 33, s));
      cases.push_back(Explicit("identical_k5" + suffix, 3, identical_nonzero, 5, max, 34, s));
      cases.push_back(Explicit("identical_zero_k3" + suffix, 3, identical, 3, max, 35, s));
      // -0.0 and 0.0: one location by value.
      cases.push_back(Explicit("signed_zeros_k2" + suffix, 1, {0.0, -0.0, -0.0, 0.0, 0.0}, 2, max,
                               36, s));
    }
    // k = 1 on identical points converges after one pass even without a limit.
    cases.push_back(Explicit("identical_k1_unlimited_" + Tag(s), 3, identical_nonzero, 1, -1, 37, s));
    // Exactly k distinct locations (with duplicates) may converge.
    cases.push_back(Explicit("k_equals_distinct_" + Tag(s), 2, FromLocations(three_2d, 2, 30, 3), 3,
                             -1, 38, s));
    // maxIterations = 0 on generated data.
    cases.push_back(Generated("generated_max0_" + Tag(s), 400, 3, 6, 0, 39, s));
  }
  const std::vector<EngineStats> stats = ExpectAllMatchOracle(cases);
  for (size_t i = 0; i < cases.size(); ++i) {
    const OracleCase& c = cases[i];
    const bool fewer_distinct = c.name.rfind("three_locations", 0) == 0 ||
                                (c.name.rfind("identical", 0) == 0 && c.k > 1) ||
                                c.name.rfind("signed_zeros", 0) == 0;
    if (c.max_iterations == 0) {
      EXPECT_TRUE(stats[i].ok) << c.name << ": no pass, so no strategy and no error";
      EXPECT_EQ(stats[i].iterations, 0) << c.name;
    } else if (fewer_distinct && c.strategy == EmptyClusterStrategy::kError) {
      EXPECT_FALSE(stats[i].ok) << c.name << " should fail at the first pass";
    } else if (fewer_distinct) {
      // Never converges: every pass runs the strategy, the limit stops it.
      EXPECT_TRUE(stats[i].ok) << c.name;
      EXPECT_EQ(stats[i].iterations, c.max_iterations) << c.name;
      EXPECT_GE(stats[i].empty_cluster_events, c.max_iterations) << c.name;
    }
  }
}

// NaN and infinite coordinates: Commons Math accepts them and returns clusters whose center
// and sse are NaN or infinite (a NaN distance never wins the strict `<`). The function refuses
// such points (functions/kmeans); this records the Java behaviour that justifies it.
TEST(KMeansOracleTest, NonFinitePointsGiveMeaninglessJavaClusters) {
  const std::vector<OracleCase> cases = {
      Explicit("nan", 1, {0.0, 1.0, std::numeric_limits<double>::quiet_NaN(), 2.0}, 2, 100, 1),
      Explicit("inf", 1, {0.0, 1.0, std::numeric_limits<double>::infinity(), 2.0}, 2, 100, 1),
  };
  std::string input;
  for (const OracleCase& c : cases) input += OracleCommand(c);
  const std::vector<std::string> lines = RunOracle(input);
  ASSERT_EQ(lines.size(), cases.size());
  for (const std::string& line : lines) {
    const std::vector<std::string> t = Split(line);
    ASSERT_GE(t.size(), 4u) << line;
    EXPECT_EQ(t[1], "ok") << line;  // no exception
    const double sse = std::bit_cast<double>(std::stoull(t[3], nullptr, 16));
    EXPECT_TRUE(std::isnan(sse)) << line;
  }
}

}  // namespace
}  // namespace zerostart::kmeans
