#include "src/emulator/emulator.h"

#include <unistd.h>

#include <atomic>

#include "src/common/cpu_budget.h"

namespace zerostart::emulator {
namespace {

// "zerostart-<pid>-<n>": unique per Emulator, also with several in one process (tests).
std::string NewGroupName() {
  static std::atomic<int> counter{0};
  return "zerostart-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

}  // namespace

Result<std::unique_ptr<Emulator>> Emulator::Start(EmulatorOptions options) {
  if (options.sink == nullptr) return InvalidArgumentError("Emulator needs a LogSink");
  ZS_ASSIGN_OR_RETURN(ResolvedFunction function, ResolveFunction(options.function));
  std::string arn = FunctionArn(RegionOf(options.function), function.name);
  std::string name = function.name;

  std::unique_ptr<Emulator> emulator(new Emulator());
  // The Runtime API port must be known before the dispatcher (it goes into the function's
  // environment), and the server needs the dispatcher: bind first, wire up, then start.
  DispatcherOptions dispatcher_options;
  dispatcher_options.config = std::move(options.function);
  dispatcher_options.function = std::move(function);
  dispatcher_options.eager = options.eager;
  dispatcher_options.sink = options.sink;
  if (options.enforce_limits) {
    CgroupLimitsOptions limits;
    limits.memory_mb = dispatcher_options.config.memory_mb;
    limits.visible_cpus = VisibleCpus();
    limits.group_name = NewGroupName();
    emulator->limits_ = CgroupLimits::Create(limits);
    if (!emulator->limits_->missing().empty()) {
      options.sink->WriteStderr("zerostart: " + emulator->limits_->missing() + "\n");
    }
    dispatcher_options.limits = emulator->limits_.get();
  }
  if (dispatcher_options.config.protocol == Protocol::kGo1x) {
    // No Runtime API: the client drives each instance over net/rpc, told of it at spawn.
    emulator->go1x_client_ = std::make_unique<Go1xClient>(arn);
    Go1xClient* client = emulator->go1x_client_.get();
    dispatcher_options.instance_env = [client](uint64_t spawn_id) { return client->OnSpawn(spawn_id); };
    emulator->dispatcher_ = std::make_unique<Dispatcher>(std::move(dispatcher_options));
    client->set_dispatcher(emulator->dispatcher_.get());
  } else {
    auto runtime_server = RuntimeApiServer::Listen(nullptr, arn, options.stream_limits);
    if (!runtime_server.ok()) return runtime_server.status().WithContext("Runtime API");
    dispatcher_options.runtime_api = "127.0.0.1:" + std::to_string((*runtime_server)->port());
    emulator->dispatcher_ = std::make_unique<Dispatcher>(std::move(dispatcher_options));
    emulator->runtime_server_ = std::move(runtime_server).value();
    emulator->runtime_server_->set_dispatcher(emulator->dispatcher_.get());
  }

  auto invoke_server = InvokeServer::Listen(options.invoke_address, emulator->dispatcher_.get(), name);
  if (!invoke_server.ok()) return invoke_server.status();
  emulator->invoke_server_ = std::move(invoke_server).value();

  if (emulator->runtime_server_) emulator->runtime_server_->Start();
  emulator->dispatcher_->Start();
  emulator->invoke_server_->Start();
  return emulator;
}

Emulator::~Emulator() { Stop(); }

void Emulator::Stop() {
  // The dispatcher first: it answers every waiting invoke, so the invoke threads are free.
  if (dispatcher_) dispatcher_->Stop();
  if (go1x_client_) go1x_client_->Stop();  // its drivers' invokes are answered, the function is gone
  if (invoke_server_) invoke_server_->Stop();
  if (runtime_server_) runtime_server_->Stop();
  if (limits_) limits_->Remove();  // the function's process tree is gone (or is killed now)
}

}  // namespace zerostart::emulator
