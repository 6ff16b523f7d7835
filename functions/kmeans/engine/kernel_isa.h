// KernelIsa: which instruction set the k-means engine's vector kernels run on. Every kernel is
// compiled once per ISA from one source (simd.h); the engine picks the widest one this CPU
// runs unless told otherwise, and every build gives the same bits (the ISAs differ in how many
// points one instruction handles, never in how a distance is rounded).
//
//   baseline  2 doubles per instruction: SSE2 on x86-64, NEON on arm64 (always available)
//   avx2      4 doubles per instruction (x86-64 with AVX2)
//   avx512    8 doubles per instruction (x86-64 with AVX-512 F, DQ and VL); the kernels
//             without an AVX-512 body (the float bound update) run their AVX2 one
//
// Forcing an ISA (ClustererOptions::isa) is how the tests run every path the CPU allows and
// how a deployment pins one; binaries read it from the environment variable kKernelIsaEnv.
//
// Thread safety: all functions are safe from any thread (CPU checks are cached statics).
#ifndef ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KERNEL_ISA_H_
#define ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KERNEL_ISA_H_

#include <optional>
#include <string_view>
#include <vector>

namespace zerostart::kmeans {

enum class KernelIsa { kBaseline, kAvx2, kAvx512 };

// The environment variable binaries read to force an ISA ("baseline", "avx2", "avx512").
inline constexpr std::string_view kKernelIsaEnv = "ZS_KMEANS_ISA";

// "baseline", "avx2", "avx512".
std::string_view KernelIsaName(KernelIsa isa);
// The ISA named exactly as KernelIsaName spells it, or nullopt.
std::optional<KernelIsa> ParseKernelIsa(std::string_view name);

// Whether this CPU (and this build's architecture) runs `isa`'s kernels.
bool CpuRunsKernelIsa(KernelIsa isa);
// The widest ISA this CPU runs: what the engine uses by default.
KernelIsa BestKernelIsa();
// Every ISA this CPU runs, baseline first (tests run each).
std::vector<KernelIsa> RunnableKernelIsas();

}  // namespace zerostart::kmeans

#endif  // ZEROSTART_FUNCTIONS_KMEANS_ENGINE_KERNEL_ISA_H_
