// zerostart::Run and zerostart::RunStreaming: the public entry points (zerostart/runtime.h,
// zerostart/stream.h). Read the environment once, pick the protocol and hand over to the
// protocol-free invoke loop (or to M of them, workers.h).
#include <unistd.h>

#include <exception>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "src/common/env.h"
#include "src/common/log.h"
#include "src/runtime/function_log.h"
#include "src/runtime/go1x_server.h"
#include "src/runtime/handler_boundary.h"
#include "src/runtime/invoke_loop.h"
#include "src/runtime/run_config.h"
#include "src/runtime/runtime_api_client.h"
#include "src/runtime/shutdown_hook.h"
#include "src/runtime/workers.h"
#include "zerostart/runtime.h"
#include "zerostart/stream.h"

namespace zerostart {
namespace {

using RuntimeApiClients = std::span<const std::unique_ptr<runtime::RuntimeApiClient>>;

// serve(transport, function) runs the invoke loop over the transport the environment names;
// serve_concurrently(clients, function) runs one per client when the Runtime API may hand out several
// invokes at once (AWS_LAMBDA_MAX_CONCURRENCY > 1, workers.h).
template <typename Serve, typename ServeConcurrently>
int RunWithEnvironment(const EnvMap& env, const ShutdownFunction& on_shutdown, const Serve& serve,
                       const ServeConcurrently& serve_concurrently) {
  Result<runtime::RunConfig> config = runtime::RunConfigFromEnvironment(env);
  if (!config.ok()) {
    log::Error("runtime: " + config.status().message());
    return runtime::kExitBadEnvironment;
  }
  log::SetLevel(config->log_level);
  runtime::ConfigureFunctionLog(runtime::FunctionLogConfigFromEnvironment(env));
  switch (config->protocol) {
    case runtime::RunConfig::Protocol::kGo1x: {
      // Listens on 127.0.0.1:_LAMBDA_SERVER_PORT after init; init errors are only logged
      // (go1.x has no init/error message) and the process exits non-zero.
      runtime::Go1xServer server(config->go1x_port);
      return serve(server, config->function);
    }
    case runtime::RunConfig::Protocol::kRuntimeApi: {
      // Before init and before any thread of ours: the extension must register before the
      // first GET /next, and every thread must inherit SIGTERM blocked (shutdown_hook.h).
      if (on_shutdown) runtime::ArmShutdownHook(config->endpoint, on_shutdown);
      if (config->max_concurrency > 1) {
        std::vector<std::unique_ptr<runtime::RuntimeApiClient>> clients;
        clients.reserve(static_cast<size_t>(config->max_concurrency));
        for (int i = 0; i < config->max_concurrency; ++i) {
          clients.push_back(
              std::make_unique<runtime::RuntimeApiClient>(config->endpoint, config->retry));
        }
        return serve_concurrently(RuntimeApiClients(clients), config->function);
      }
      runtime::RuntimeApiClient client(config->endpoint, config->retry);
      return serve(client, config->function);
    }
  }
  return runtime::kExitInternal;
}

template <typename Serve, typename ServeConcurrently>
int RunGuarded(const RunOptions& options, const Serve& serve,
               const ServeConcurrently& serve_concurrently) {
  // Handler exceptions are caught per invoke; this only guards the runtime's own allocations.
  try {
    EnvMap env = options.environment.empty()
                     ? EnvFromArray(environ)
                     : EnvMap(options.environment.begin(), options.environment.end());
    return RunWithEnvironment(env, options.on_shutdown, serve, serve_concurrently);
  } catch (const std::exception& e) {
    log::Error("runtime: internal error: " + runtime::DemangledTypeName(typeid(e)) + ": " +
               e.what());
  } catch (...) {
    log::Error("runtime: internal error: unknown exception");
  }
  return runtime::kExitInternal;
}

}  // namespace

int Run(const Handler& handler, const RunOptions& options) {
  return RunGuarded(
      options,
      [&](runtime::Transport& transport, const FunctionContext& function) {
        return runtime::ServeInvokes(transport, handler, options.init, function);
      },
      [&](RuntimeApiClients clients, const FunctionContext& function) {
        return runtime::ServeInvokesConcurrently(clients, handler, options.init, function);
      });
}

int RunStreaming(const StreamingHandler& handler, const RunOptions& options) {
  return RunGuarded(
      options,
      [&](runtime::Transport& transport, const FunctionContext& function) {
        return runtime::ServeStreamingInvokes(transport, handler, options.init, function);
      },
      [&](RuntimeApiClients clients, const FunctionContext& function) {
        return runtime::ServeStreamingInvokesConcurrently(clients, handler, options.init,
                                                          function);
      });
}

}  // namespace zerostart
