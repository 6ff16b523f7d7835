#include "src/emulator/emulator.h"

#include "src/common/lambda_protocol.h"
#include "src/common/cpu_budget.h"
#include "src/emulator/cgroup_limits.h"
#include "src/emulator/extensions.h"
#include "src/emulator/go1x_client.h"
#include "src/emulator/runtime_api_server.h"

namespace zerostart::emulator {
namespace {

// What the limits will be short of, found out once at start-up with a group made and removed
// at once: every environment's group is made the same way. "" when both are enforced.
std::string MissingLimits(int memory_mb) {
  CgroupLimitsOptions probe;
  probe.memory_mb = memory_mb;
  probe.visible_cpus = VisibleCpus();
  probe.group_name = NewEnvironmentGroupName();
  std::unique_ptr<CgroupLimits> limits = CgroupLimits::Create(probe);
  std::string missing = limits->missing();
  limits->Remove();
  return missing;
}

// The pool of one function, not started. InvalidArgument for a bad function or configuration.
// `say_missing_limits`: say on the sink's stderr which limits cannot be enforced (said once for
// all functions: every environment's group is made the same way).
Result<std::unique_ptr<Pool>> MakePool(EmulatorOptions options, bool say_missing_limits) {
  if (options.sink == nullptr) return InvalidArgumentError("Emulator needs a LogSink");
  if (options.concurrency < 1 || options.concurrency > kMaxConcurrency) {
    return InvalidArgumentError("--concurrency must be 1-" + std::to_string(kMaxConcurrency) + ", got " +
                                std::to_string(options.concurrency));
  }
  if (options.max_concurrency < 0 || options.max_concurrency > lambda::kMaxPerEnvironmentConcurrency) {
    return InvalidArgumentError("--max-concurrency must be 1-" +
                                std::to_string(lambda::kMaxPerEnvironmentConcurrency) + ", got " +
                                std::to_string(options.max_concurrency));
  }
  ZS_ASSIGN_OR_RETURN(ResolvedFunction function, ResolveFunction(options.function));
  if (options.max_concurrency > 0 && options.function.protocol == Protocol::kGo1x) {
    return InvalidArgumentError("--max-concurrency needs the Runtime API: go1.x serves one invoke at a time");
  }
  std::vector<std::string> extensions;
  if (!options.extensions_dir.empty()) {
    if (options.function.protocol == Protocol::kGo1x) {
      return InvalidArgumentError("--extensions needs the Runtime API: extensions talk to it, and go1.x has none");
    }
    Result<std::vector<std::string>> found = FindExtensions(options.extensions_dir);
    if (!found.ok()) return InvalidArgumentError("--extensions: " + found.status().message());
    extensions = std::move(found).value();
  }
  std::string arn = FunctionArn(RegionOf(options.function), function.name);

  PoolOptions pool;
  pool.config = std::move(options.function);
  pool.function = std::move(function);
  pool.sink = options.sink;
  pool.concurrency = options.concurrency;
  pool.max_concurrency = options.max_concurrency;
  pool.freeze = options.freeze;
  pool.idle_timeout = options.idle_timeout;
  pool.eager = options.eager;
  pool.enforce_limits = options.enforce_limits;
  pool.async = std::move(options.async);
  pool.async.function_arn = arn;
  pool.function_arn = arn;
  pool.extensions = std::move(extensions);
  if (options.enforce_limits && say_missing_limits) {
    std::string missing = MissingLimits(pool.config.memory_mb);
    if (!missing.empty()) options.sink->WriteStderr("zerostart: " + missing + "\n");
  }
  if (pool.config.protocol == Protocol::kGo1x) {
    pool.make_function_side = [arn](Environment& environment) -> Result<std::unique_ptr<FunctionSide>> {
      return std::unique_ptr<FunctionSide>(std::make_unique<Go1xClient>(environment, arn));
    };
  } else {
    StreamLimits stream_limits = options.stream_limits;
    pool.make_function_side = [arn, stream_limits](
                                  Environment& environment) -> Result<std::unique_ptr<FunctionSide>> {
      auto server = RuntimeApiServer::Listen(environment, arn, stream_limits);
      if (!server.ok()) return server.status().WithContext("Runtime API");
      return std::unique_ptr<FunctionSide>(std::move(server).value());
    };
  }
  return std::make_unique<Pool>(std::move(pool));
}

}  // namespace

Result<std::unique_ptr<Emulator>> Emulator::Start(EmulatorOptions options) {
  std::vector<EmulatorOptions> functions;
  functions.push_back(std::move(options));
  return Start(std::move(functions));
}

Result<std::unique_ptr<Emulator>> Emulator::Start(std::vector<EmulatorOptions> functions) {
  if (functions.empty()) return InvalidArgumentError("no function to serve");
  const net::HostPort address = functions[0].invoke_address;
  std::unique_ptr<Emulator> emulator(new Emulator());
  std::vector<ServedFunction> served;
  for (EmulatorOptions& options : functions) {
    const bool function_url = options.function_url;
    ZS_ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool, MakePool(std::move(options), served.empty()));
    const std::string& name = pool->options().function.name;
    for (const ServedFunction& other : served) {
      if (other.name == name) return InvalidArgumentError("two functions are named '" + name + "'");
    }
    served.push_back({name, pool.get(), function_url});
    emulator->pools_.push_back(std::move(pool));
  }
  auto invoke_server = InvokeServer::Listen(address, std::move(served));
  if (!invoke_server.ok()) return invoke_server.status();
  emulator->invoke_server_ = std::move(invoke_server).value();

  for (const std::unique_ptr<Pool>& pool : emulator->pools_) pool->Start();
  emulator->invoke_server_->Start();
  return emulator;
}

Emulator::~Emulator() { Stop(); }

void Emulator::Stop() {
  // The pools first: they answer every waiting invoke, so the invoke threads are free.
  for (const std::unique_ptr<Pool>& pool : pools_) pool->Stop();
  if (invoke_server_) invoke_server_->Stop();
}

}  // namespace zerostart::emulator
