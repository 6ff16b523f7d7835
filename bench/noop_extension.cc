// noop-extension: an external Lambda extension that does nothing but take part — it registers
// for INVOKE and SHUTDOWN and asks for the next event as soon as it has one — so that
// zs_extensions_bench measures what the Extensions API itself costs an invoke.
#include <cstdlib>

#include "zerostart/extension.h"

int main() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  auto client = zerostart::ExtensionClient::Register(
      "noop-extension", {zerostart::ExtensionEventType::kInvoke, zerostart::ExtensionEventType::kShutdown},
      api != nullptr ? api : "");
  if (!client.ok()) return 1;
  for (;;) {
    auto event = client->Next();
    if (!event.ok()) return 1;
    if (event->type == zerostart::ExtensionEventType::kShutdown) return 0;
  }
}
