// The k-means Lambda function: Commons Math 3.6.1 k-means, bit for bit (kmeans_function.h).
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "functions/kmeans/kmeans_function.h"
#include "src/common/lambda_protocol.h"
#include "zerostart/runtime.h"

int main() {
  // The memory size is fixed for the life of the sandbox: read it once.
  const char* memory = std::getenv(std::string(zerostart::lambda::kMemorySizeEnv).c_str());
  const zerostart::functions::KmeansLimits limits{
      .memory_limit_bytes = zerostart::functions::MemoryLimitBytesFromEnv(
          memory ? std::optional<std::string_view>(memory) : std::nullopt)};
  return zerostart::Run([&limits](const zerostart::Invocation& invocation) {
    return zerostart::functions::HandleKmeans(invocation.payload, limits);
  });
}
