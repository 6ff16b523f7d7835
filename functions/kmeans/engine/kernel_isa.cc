#include "functions/kmeans/engine/kernel_isa.h"

#include "functions/kmeans/engine/simd.h"

namespace zerostart::kmeans {
namespace {

constexpr KernelIsa kAll[] = {KernelIsa::kBaseline, KernelIsa::kAvx2, KernelIsa::kAvx512};

}  // namespace

std::string_view KernelIsaName(KernelIsa isa) {
  switch (isa) {
    case KernelIsa::kBaseline:
      return "baseline";
    case KernelIsa::kAvx2:
      return "avx2";
    case KernelIsa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

std::optional<KernelIsa> ParseKernelIsa(std::string_view name) {
  for (const KernelIsa isa : kAll) {
    if (KernelIsaName(isa) == name) return isa;
  }
  return std::nullopt;
}

bool CpuRunsKernelIsa(KernelIsa isa) {
  switch (isa) {
    case KernelIsa::kBaseline:
      return true;
    case KernelIsa::kAvx2:
      return simd::CpuHasAvx2();
    case KernelIsa::kAvx512:
      return simd::CpuHasAvx512();
  }
  return false;
}

KernelIsa BestKernelIsa() {
  if (CpuRunsKernelIsa(KernelIsa::kAvx512)) return KernelIsa::kAvx512;
  if (CpuRunsKernelIsa(KernelIsa::kAvx2)) return KernelIsa::kAvx2;
  return KernelIsa::kBaseline;
}

std::vector<KernelIsa> RunnableKernelIsas() {
  std::vector<KernelIsa> isas;
  for (const KernelIsa isa : kAll) {
    if (CpuRunsKernelIsa(isa)) isas.push_back(isa);
  }
  return isas;
}

}  // namespace zerostart::kmeans
