// invoke-log, an external Lambda extension (invoke_log.h). Deploy it as a layer:
//   zerostart package --extension build/bin/invoke-log   ->  invoke-log-layer.zip
// Lambda runs it as /opt/extensions/invoke-log; it registers under that file name.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "examples/extensions/invoke-log/invoke_log.h"
#include "zerostart/extension.h"

int main(int argc, char** argv) {
  // Lambda matches the registered name against the executable's file name.
  std::string name = argc > 0 ? argv[0] : "invoke-log";
  if (size_t slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
  const char* runtime_api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  zerostart::Result<zerostart::ExtensionClient> client = zerostart::ExtensionClient::Register(
      name, {zerostart::ExtensionEventType::kInvoke, zerostart::ExtensionEventType::kShutdown},
      runtime_api != nullptr ? runtime_api : "");
  if (!client.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), client.status().ToString().c_str());
    return 1;
  }
  return invoke_log::Serve(*client, name, stderr);
}
