// zerostart::Run: the public entry point (zerostart/runtime.h). Reads the environment once,
// picks the protocol and hands over to the protocol-free invoke loop.
#include <unistd.h>

#include <exception>
#include <string>

#include "src/common/env.h"
#include "src/common/log.h"
#include "src/runtime/go1x_server.h"
#include "src/runtime/handler_boundary.h"
#include "src/runtime/invoke_loop.h"
#include "src/runtime/run_config.h"
#include "src/runtime/runtime_api_client.h"
#include "zerostart/runtime.h"

namespace zerostart {
namespace {

int RunWithEnvironment(const Handler& handler, const InitFunction& init, const EnvMap& env) {
  Result<runtime::RunConfig> config = runtime::RunConfigFromEnvironment(env);
  if (!config.ok()) {
    log::Error("runtime: " + config.status().message());
    return runtime::kExitBadEnvironment;
  }
  log::SetLevel(config->log_level);
  switch (config->protocol) {
    case runtime::RunConfig::Protocol::kGo1x: {
      // Listens on 127.0.0.1:_LAMBDA_SERVER_PORT after init; init errors are only logged
      // (go1.x has no init/error message) and the process exits non-zero.
      runtime::Go1xServer server(config->go1x_port);
      return runtime::ServeInvokes(server, handler, init);
    }
    case runtime::RunConfig::Protocol::kRuntimeApi: {
      runtime::RuntimeApiClient client(config->endpoint, config->retry);
      return runtime::ServeInvokes(client, handler, init);
    }
  }
  return runtime::kExitInternal;
}

}  // namespace

int Run(const Handler& handler, const RunOptions& options) {
  // Handler exceptions are caught per invoke; this only guards the runtime's own allocations.
  try {
    EnvMap env = options.environment.empty()
                     ? EnvFromArray(environ)
                     : EnvMap(options.environment.begin(), options.environment.end());
    return RunWithEnvironment(handler, options.init, env);
  } catch (const std::exception& e) {
    log::Error("runtime: internal error: " + runtime::DemangledTypeName(typeid(e)) + ": " +
               e.what());
  } catch (...) {
    log::Error("runtime: internal error: unknown exception");
  }
  return runtime::kExitInternal;
}

}  // namespace zerostart
