// The k-means Lambda function: Commons Math 3.6.1 k-means, bit for bit (kmeans_function.h).
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "functions/kmeans/engine/engine_pool.h"
#include "functions/kmeans/engine/kernel_isa.h"
#include "functions/kmeans/kmeans_function.h"
#include "src/common/cpu_budget.h"
#include "src/common/env.h"
#include "src/common/lambda_protocol.h"
#include "zerostart/runtime.h"

int main() {
  // The memory size and the CPU are fixed for the life of the sandbox: read them once.
  const zerostart::EnvMap env = zerostart::EnvFromArray(environ);
  const std::optional<std::string> memory =
      zerostart::EnvGet(env, zerostart::lambda::kMemorySizeEnv);
  const zerostart::CpuBudget cpu = zerostart::ReadCpuBudget(env);
  // One pool for the life of the process, so warm invokes reuse hot workers instead of starting
  // threads per request; none with a single thread (the engine then runs on the caller alone).
  std::optional<zerostart::kmeans::EnginePool> pool;
  if (cpu.threads > 1) pool.emplace(static_cast<size_t>(cpu.threads));
  // ZS_KMEANS_ISA pins the kernels' instruction set; a name this CPU cannot run (or an unknown
  // one) is ignored with a note on stderr, and the widest runnable one is used.
  std::optional<zerostart::kmeans::KernelIsa> isa;
  if (const std::optional<std::string> name =
          zerostart::EnvGet(env, zerostart::kmeans::kKernelIsaEnv)) {
    isa = zerostart::kmeans::ParseKernelIsa(*name);
    if (!isa || !zerostart::kmeans::CpuRunsKernelIsa(*isa)) {
      std::fprintf(stderr, "kmeans: ignoring %s=%s (not an ISA this CPU runs)\n",
                   zerostart::kmeans::kKernelIsaEnv.data(), name->c_str());
      isa.reset();
    }
  }
  const zerostart::functions::KmeansLimits limits{
      .memory_limit_bytes = zerostart::functions::MemoryLimitBytesFromEnv(
          memory ? std::optional<std::string_view>(*memory) : std::nullopt),
      .threads = cpu.threads,
      .pool = pool ? &*pool : nullptr,
      .isa = isa};
  return zerostart::Run([&limits](const zerostart::Invocation& invocation) {
    return zerostart::functions::HandleKmeans(invocation.payload, limits);
  });
}
