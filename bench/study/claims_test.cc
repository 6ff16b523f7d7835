#include "bench/study/claims.h"

#include <gtest/gtest.h>

#include "src/benchmark/testing/samples.h"

namespace zerostart::study {
namespace {

using benchmark::CellResult;
using benchmark::Sample;

using benchmark::testing::Cold;
using benchmark::testing::Warm;

// kmeans and java-kmeans at 128 and 3008 MB with known numbers.
BenchResults Synthetic() {
  BenchResults r;
  r.complete = true;
  r.memory_mb = {128, 3008};
  for (int mb : r.memory_mb) {
    CellResult native{"kmeans", mb, {}};
    native.samples = {Cold(1.5, 3), Cold(2.0, 3)};
    const double d = mb == 128 ? 400 : 20;
    for (double x : {d, d * 1.01, d * 0.99, d * 5}) native.samples.push_back(Warm(kKmeansMedium, x, 4));
    CellResult jvm{"java-kmeans", mb, {}};
    jvm.samples = {Cold(300, 60), Warm(kKmeansMedium, mb == 128 ? 9000 : 700, 160)};
    r.cells.push_back(native);
    r.cells.push_back(jvm);
  }
  return r;
}

TEST(ClaimsTest, VerdictsAreComputedFromTheNumbers) {
  const std::vector<Check> checks = TargetChecks(Synthetic());
  ASSERT_EQ(checks.size(), 6u);
  EXPECT_EQ(checks[0].verdict, "met");           // 402 ms (median of 400, 404, 396, 2000) < 700
  EXPECT_EQ(checks[1].verdict, "met");           // 4 MB against 160 MB
  EXPECT_EQ(checks[2].verdict, "met");           // 1.75 ms <= 3 ms
  EXPECT_EQ(checks[3].verdict, "not measured");  // no sin
  EXPECT_EQ(checks[5].verdict, "not measured");  // no 1769 MB
  BenchResults slow = Synthetic();
  slow.cells[0].samples[0].client_ms = 50;
  slow.cells[0].samples[1].client_ms = 50;
  EXPECT_EQ(TargetChecks(slow)[2].verdict, "not met");
  BenchResults jvm_faster = Synthetic();
  jvm_faster.cells[3].samples[1].duration_ms = 100;  // java-kmeans at 3008 MB below C++ at 128 MB
  EXPECT_EQ(TargetChecks(jvm_faster)[0].verdict, "not met");
  EXPECT_EQ(OriginalClaims(Synthetic()).size(), 6u);
}

}  // namespace
}  // namespace zerostart::study
