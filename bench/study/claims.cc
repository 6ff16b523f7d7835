#include "bench/study/claims.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "src/benchmark/plan.h"
#include "src/benchmark/series.h"
#include "src/benchmark/stats.h"

namespace zerostart::study {
namespace {

using benchmark::BenchResults;
using benchmark::CellResult;
using benchmark::ColdMedian;
using benchmark::FindCell;
using benchmark::FormatNumber;
using benchmark::kOneVcpuMemoryMb;
using benchmark::MemoryMedian;
using benchmark::Series;
using benchmark::WarmMedian;

// The study names its JVM functions java-NAME beside the C++ NAME: the runtime and the workload
// (which functions are comparable) follow from the name.
std::string Runtime(const std::string& function) { return function.starts_with("java-") ? "jvm" : "native"; }
std::string Workload(const std::string& function) {
  return Runtime(function) == "jvm" ? function.substr(5) : function;
}

constexpr double kColdStartLimitMs = 3;
constexpr double kMemoryShareLimit = 0.10;
// "≈ 1/memory": duration × memory within this factor of the one-vCPU point's.
constexpr double kScalingTolerance = 1.33;
// "gains past 1,769 MB": at least 10 % faster at the highest setting.
constexpr double kGainFactor = 0.9;

std::string Ms(double v) { return FormatNumber(v) + " ms"; }

Check NotMeasured(std::string figure, std::string why) {
  return {std::move(figure), "not measured", std::move(why)};
}

Check KmeansBelowJvm(const BenchResults& r) {
  const std::string figure = "C++ kmeans " + std::string(kKmeansMedium) +
                             " at 128 MB is faster than the JVM's at every memory setting";
  const auto native = WarmMedian(FindCell(r, "kmeans", 128), kKmeansMedium);
  if (!native) return NotMeasured(figure, "no C++ kmeans sample at 128 MB");
  std::string detail = "C++ at 128 MB: " + Ms(*native) + "; JVM:";
  bool any = false, all_above = true;
  for (int mb : r.memory_mb) {
    const auto jvm = WarmMedian(FindCell(r, "java-kmeans", mb), kKmeansMedium);
    detail += " " + std::to_string(mb) + " MB " + (jvm ? Ms(*jvm) : "no sample") + ";";
    if (!jvm) continue;
    any = true;
    all_above = all_above && *native < *jvm;
  }
  if (!any) return NotMeasured(figure, "no JVM kmeans sample");
  return {figure, all_above ? "met" : "not met", detail};
}

Check KmeansMemoryShare(const BenchResults& r) {
  const std::string figure = "C++ kmeans " + std::string(kKmeansMedium) +
                             " Max Memory Used at 128 MB <= 10% of the JVM's";
  const auto native = MemoryMedian(FindCell(r, "kmeans", 128), kKmeansMedium);
  if (!native) return NotMeasured(figure, "no C++ kmeans sample at 128 MB");
  std::optional<double> jvm = MemoryMedian(FindCell(r, "java-kmeans", 128), kKmeansMedium);
  std::string where = "128 MB";
  if (!jvm) {  // e.g. the JVM ran out of memory at 128 MB: its smallest measured footprint
    for (int mb : r.memory_mb) {
      const auto m = MemoryMedian(FindCell(r, "java-kmeans", mb), kKmeansMedium);
      if (m && (!jvm || *m < *jvm)) {
        jvm = m;
        where = std::to_string(mb) + " MB (none at 128 MB)";
      }
    }
  }
  if (!jvm) return NotMeasured(figure, "no JVM kmeans sample");
  const double share = *native / *jvm;
  return {figure, share <= kMemoryShareLimit ? "met" : "not met",
          "C++ " + FormatNumber(*native) + " MB, JVM " + FormatNumber(*jvm) + " MB at " + where +
              ": " + FormatNumber(100 * share) + "%"};
}

Check NativeColdStart(const BenchResults& r) {
  const std::string figure = "C++ cold start (send -> response of a fresh process, p50) <= 3 ms at every setting";
  double worst = 0;
  std::string worst_where;
  bool any = false;
  for (const CellResult& cell : r.cells) {
    if (Runtime(cell.function) != "native") continue;
    const auto cold = ColdMedian(&cell);
    if (!cold) continue;
    any = true;
    if (*cold > worst) {
      worst = *cold;
      worst_where = cell.function + " at " + std::to_string(cell.memory_mb) + " MB";
    }
  }
  if (!any) return NotMeasured(figure, "no C++ cold start");
  std::string detail = "slowest p50: " + Ms(worst) + " (" + worst_where + ")";
  double jvm_low = 0, jvm_high = 0;
  bool jvm_any = false;
  for (const CellResult& cell : r.cells) {
    if (Runtime(cell.function) != "jvm") continue;
    if (const auto cold = ColdMedian(&cell)) {
      jvm_low = jvm_any ? std::min(jvm_low, *cold) : *cold;
      jvm_high = jvm_any ? std::max(jvm_high, *cold) : *cold;
      jvm_any = true;
    }
  }
  if (jvm_any) detail += "; JVM for comparison: " + Ms(jvm_low) + " to " + Ms(jvm_high);
  return {figure, worst <= kColdStartLimitMs ? "met" : "not met", detail};
}

Check SinScaling(const BenchResults& r, const std::string& function) {
  const std::string figure = function + " (single-threaded) duration ~ 1/memory up to 1769 MB "
                             "(duration x memory within 1.33x of 1769 MB's)";
  std::string workload;
  for (const CellResult& cell : r.cells) {
    if (cell.function != function) continue;
    for (const Series& s : SeriesOf(cell)) {
      if (s.kind == "warm") workload = s.workload;
    }
  }
  const auto base = WarmMedian(FindCell(r, function, kOneVcpuMemoryMb), workload);
  if (workload.empty() || !base) return NotMeasured(figure, "no " + function + " sample at 1769 MB");
  std::string detail = "duration x memory / 1769 MB's:";
  bool ok = true;
  int points = 0;
  for (int mb : r.memory_mb) {
    if (mb >= kOneVcpuMemoryMb) continue;
    const auto d = WarmMedian(FindCell(r, function, mb), workload);
    if (!d) continue;
    const double ratio = (*d * mb) / (*base * kOneVcpuMemoryMb);
    detail += " " + std::to_string(mb) + " MB " + FormatNumber(ratio) + ";";
    ok = ok && ratio <= kScalingTolerance && ratio >= 1 / kScalingTolerance;
    ++points;
  }
  if (points == 0) return NotMeasured(figure, "no setting below 1769 MB measured");
  return {figure, ok ? "met" : "not met", detail};
}

Check KmeansSecondVcpu(const BenchResults& r) {
  const std::string figure = "multi-threaded C++ kmeans gains past 1769 MB (highest setting >= 10% faster)";
  const int top = r.memory_mb.empty() ? 0 : *std::max_element(r.memory_mb.begin(), r.memory_mb.end());
  if (top <= kOneVcpuMemoryMb) return NotMeasured(figure, "no setting above 1769 MB");
  for (const char* workload : {kKmeansLarge, kKmeansMedium}) {
    const auto at_one = WarmMedian(FindCell(r, "kmeans", kOneVcpuMemoryMb), workload);
    const auto at_top = WarmMedian(FindCell(r, "kmeans", top), workload);
    if (!at_one || !at_top) continue;
    return {figure, *at_top < kGainFactor * *at_one ? "met" : "not met",
            std::string(workload) + ": 1769 MB " + Ms(*at_one) + ", " + std::to_string(top) +
                " MB " + Ms(*at_top)};
  }
  return NotMeasured(figure, "no C++ kmeans samples at 1769 MB and " + std::to_string(top) + " MB");
}

// "low to high" over the cells of `runtime` of a per-cell value.
template <typename F>
std::string Range(const BenchResults& r, const std::string& runtime, F value, const std::string& unit) {
  std::optional<double> low, high;
  for (const CellResult& cell : r.cells) {
    if (Runtime(cell.function) != runtime) continue;
    if (const auto v = value(cell)) {
      low = low ? std::min(*low, *v) : *v;
      high = high ? std::max(*high, *v) : *v;
    }
  }
  if (!low) return "not measured";
  return FormatNumber(*low) + (*high > *low ? "–" + FormatNumber(*high) : "") + " " + unit;
}

std::string RatioRange(const BenchResults& r, const std::string& slow, const std::string& fast,
                       const std::string& workload) {
  std::optional<double> low, high;
  for (int mb : r.memory_mb) {
    const auto a = WarmMedian(FindCell(r, slow, mb), workload);
    const auto b = WarmMedian(FindCell(r, fast, mb), workload);
    if (!a || !b || *b <= 0) continue;
    const double ratio = *a / *b;
    low = low ? std::min(*low, ratio) : ratio;
    high = high ? std::max(*high, ratio) : ratio;
  }
  if (!low) return "not measured";
  return FormatNumber(*low) + "x–" + FormatNumber(*high) + "x";
}

std::string SinWorkload(const BenchResults& r) {
  for (const CellResult& cell : r.cells) {
    if (Workload(cell.function) != "sin") continue;
    for (const Series& s : SeriesOf(cell)) {
      if (s.kind == "warm") return s.workload;
    }
  }
  return "";
}

}  // namespace

std::vector<Check> TargetChecks(const BenchResults& r) {
  return {KmeansBelowJvm(r), KmeansMemoryShare(r), NativeColdStart(r), SinScaling(r, "sin"),
          SinScaling(r, "java-sin"), KmeansSecondVcpu(r)};
}

std::vector<ClaimRow> OriginalClaims(const BenchResults& r) {
  auto cold = [](const CellResult& c) { return ColdMedian(&c); };
  auto first_duration = [](const CellResult& c) -> std::optional<double> {
    const auto s = FindSeries(c, "cold", "cold");
    if (!s || s->duration_ms.count == 0) return std::nullopt;
    return s->duration_ms.median;
  };
  auto memory = [](const CellResult& c) { return MemoryMedian(&c, ""); };
  const std::string sin = SinWorkload(r);
  return {
      {"no cold start for native: a sub-millisecond first invocation", "< 1 ms",
       "C++ cold start p50 " + Range(r, "native", cold, "ms") + " (send -> response of a fresh process); first "
       "invoke's REPORT Duration p50 " + Range(r, "native", first_duration, "ms") + "; JVM cold start p50 " +
           Range(r, "jvm", cold, "ms")},
      {"memory used by the native build", "38 MB", "Max Memory Used p50 " + Range(r, "native", memory, "MB")},
      {"memory used by plain Java", "50–60 MB", "Max Memory Used p50 " + Range(r, "jvm", memory, "MB")},
      {"GraalVM native image: memory", "+110–290 MB", "not measured (no GraalVM here)"},
      {"native slower than JIT Java on k-means (we expect the opposite)", "native slower",
       "JVM / C++ warm Duration, " + std::string(kKmeansMedium) + ": " +
           RatioRange(r, "java-kmeans", "kmeans", kKmeansMedium) + " across settings (> 1: C++ faster)"},
      {"native 2x faster on sin", "2x",
       sin.empty() ? "not measured"
                   : "JVM / C++ warm Duration, " + sin + ": " + RatioRange(r, "java-sin", "sin", sin) +
                         " across settings"},
  };
}

}  // namespace zerostart::study
