// zs_kmeans_driver: the kmeans and sin functions' work without the runtime, linked statically
// like the function binaries (so glibc's static sin and the static startup are what is
// measured). Used by bench/run_kmeans_bench.sh for the results compared with Commons Math, the
// peak RSS of n=1000000 d=16, and the sin chain beside the plain C loop (zs_sin_c_loop).
//
//   zs_kmeans_driver cluster N D K SEED MAX_ITERATIONS THREADS [exact|fast]
//     -> {"n":..,"generateMs":..,"clusterMs":..,"clusterCpuMs":..,"iterations":..,
//         "sizes":[..],"sseBits":"0x..",
//         "centerBits":["0x..",..],"dataBytes":..,"vmHwmKiB":..,"threadsApplied":true|false}
//   zs_kmeans_driver sin START ITERATIONS  -> {"ms":..,"cpuMs":..,"xBits":"0x.."}
// ZS_KMEANS_ISA=baseline|avx2|avx512 forces the kernels' instruction set (kernel_isa.h); the
// output's "isa" names the one used.
// vmHwmKiB is the process's peak RSS (VmHWM) after clustering: data (N * D doubles) + engine +
// the static binary itself.
#include <bit>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/engine/kmeans_plus_plus.h"
#include "functions/kmeans/engine/mersenne_twister.h"
#include "functions/kmeans/engine/points.h"
#include "functions/sin/sin_function.h"

namespace {

using zerostart::kmeans::ClustererOptions;

template <typename Options>
constexpr bool kHasThreads = requires(Options o) { o.threads; };

template <typename Options>
void SetThreads(Options& options, int threads) {
  if constexpr (kHasThreads<Options>) options.threads = threads;
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string Bits(double x) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"0x%016" PRIx64 "\"", std::bit_cast<uint64_t>(x));
  return buf;
}

// CPU time of the whole process (every thread), in milliseconds.
double ProcessCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

long VmHwmKiB() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) kib = std::strtol(line + 6, nullptr, 10);
  }
  std::fclose(f);
  return kib;
}

int Cluster(char** argv) {
  const long n = std::strtol(argv[0], nullptr, 10);
  const long d = std::strtol(argv[1], nullptr, 10);
  ClustererOptions options;
  options.k = static_cast<int32_t>(std::strtol(argv[2], nullptr, 10));
  const auto seed = static_cast<int32_t>(std::strtol(argv[3], nullptr, 10));
  options.max_iterations = static_cast<int32_t>(std::strtol(argv[4], nullptr, 10));
  SetThreads(options, static_cast<int>(std::strtol(argv[5], nullptr, 10)));
  if (n < 1 || d < 1) return 2;
  if (argv[6] != nullptr && std::strcmp(argv[6], "fast") == 0) {
    options.mode = zerostart::kmeans::ClusteringMode::kFast;
  }
  if (const char* isa = std::getenv(zerostart::kmeans::kKernelIsaEnv.data()); isa != nullptr) {
    options.isa = zerostart::kmeans::ParseKernelIsa(isa);
    if (!options.isa) {
      std::fprintf(stderr, "zs_kmeans_driver: unknown %s '%s'\n",
                   zerostart::kmeans::kKernelIsaEnv.data(), isa);
      return 2;
    }
  }

  auto t0 = std::chrono::steady_clock::now();
  zerostart::kmeans::MersenneTwister rng(seed);
  const zerostart::kmeans::Points points =
      zerostart::kmeans::GeneratePoints(static_cast<size_t>(n), static_cast<size_t>(d), rng);
  const double generate_ms = MsSince(t0);
  t0 = std::chrono::steady_clock::now();
  const double cpu0 = ProcessCpuMs();
  auto clustering = zerostart::kmeans::ClusterKMeansPlusPlus(points, options, rng);
  const double cluster_cpu_ms = ProcessCpuMs() - cpu0;
  const double cluster_ms = MsSince(t0);
  if (!clustering.ok()) {
    std::fprintf(stderr, "zs_kmeans_driver: %s\n", clustering.status().message().c_str());
    return 1;
  }
  // Appends only: GCC 12's -Wrestrict misfires on `const char* + std::string` chains.
  std::string out;
  const auto field = [&out](const char* name, const std::string& value) {
    out += out.empty() ? "{\"" : ",\"";
    out += name;
    out += "\":";
    out += value;
  };
  field("n", std::to_string(n));
  field("d", std::to_string(d));
  field("k", std::to_string(options.k));
  field("seed", std::to_string(seed));
  field("maxIterations", std::to_string(options.max_iterations));
  field("threads", argv[5]);
  field("threadsApplied", kHasThreads<ClustererOptions> ? "true" : "false");
  field("generateMs", std::to_string(generate_ms));
  field("clusterMs", std::to_string(cluster_ms));
  field("clusterCpuMs", std::to_string(cluster_cpu_ms));
  field("iterations", std::to_string(clustering->iterations));
  std::string mode = "\"";
  mode += zerostart::kmeans::ClusteringModeName(clustering->mode);
  mode += '"';
  field("mode", mode);
  std::string isa = "\"";
  isa += zerostart::kmeans::KernelIsaName(options.isa.value_or(zerostart::kmeans::BestKernelIsa()));
  isa += '"';
  field("isa", isa);
  std::string list;
  for (const size_t size : clustering->sizes) {
    list += list.empty() ? "[" : ",";
    list += std::to_string(size);
  }
  field("sizes", list + "]");
  field("sseBits", Bits(clustering->sse));
  list.clear();
  for (const double c : clustering->centers) {
    list += list.empty() ? "[" : ",";
    list += Bits(c);
  }
  field("centerBits", list + "]");
  field("dataBytes", std::to_string(points.coords.size() * sizeof(double)));
  field("vmHwmKiB", std::to_string(VmHwmKiB()));
  out += "}";
  std::puts(out.c_str());
  return 0;
}

int Sin(char** argv) {
  const double start = std::strtod(argv[0], nullptr);
  const int64_t iterations = std::strtoll(argv[1], nullptr, 10);
  // CPU time beside wall time: on a shared machine it is the steadier figure.
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = ProcessCpuMs();
  const double x = zerostart::functions::SinChain(start, iterations);
  const double cpu = ProcessCpuMs() - c0;
  const double ms = MsSince(t0);
  std::printf("{\"ms\":%.3f,\"cpuMs\":%.3f,\"xBits\":%s}\n", ms, cpu, Bits(x).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if ((argc == 8 || argc == 9) && std::strcmp(argv[1], "cluster") == 0) return Cluster(argv + 2);
  if (argc == 4 && std::strcmp(argv[1], "sin") == 0) return Sin(argv + 2);
  std::fprintf(stderr,
               "usage: zs_kmeans_driver cluster N D K SEED MAX_ITERATIONS THREADS [exact|fast]\n"
               "       zs_kmeans_driver sin START ITERATIONS\n");
  return 2;
}
