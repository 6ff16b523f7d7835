// Emulator: a local Lambda for one function or several — the Invoke API for callers, and per
// function a Pool of execution environments, each a function process with its own function side
// (a Runtime API endpoint of its own, or in go1.x mode a net/rpc client). What `zerostart serve`
// runs; tests run it in-process. Several functions share one Invoke API port, each reached by
// its name.
//
//   caller --POST /2015-03-31/functions/NAME/invocations--> InvokeServer (host:port)
//            --> Pool (an environment with room, a new one, or 429; Event: AsyncEventQueue)
//            --> Environment (its supervisor: spawn, timeouts, freeze, idle reclaim, REPORT)
//            <-- RuntimeApiServer (127.0.0.1:ephemeral, one per environment) <-- its process
//   go1.x:       Go1xClient (one per environment) --Function.Ping/Invoke--> its process
//
// Thread safety: Stop() may be called from any thread, once or more.
#ifndef ZEROSTART_SRC_EMULATOR_EMULATOR_H_
#define ZEROSTART_SRC_EMULATOR_EMULATOR_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/common/net.h"
#include "src/emulator/async_events.h"
#include "src/emulator/function_config.h"
#include "src/emulator/invoke_server.h"
#include "src/emulator/log_sink.h"
#include "src/emulator/pool.h"
#include "src/emulator/stream_relay.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

struct EmulatorOptions {
  FunctionConfig function;
  net::HostPort invoke_address{"127.0.0.1", 9000};  // port 0: any free port
  bool eager = false;                               // start one environment now, not at first invoke
  LogSink* sink = nullptr;                          // must outlive the Emulator
  // Lambda's CPU share and memory limit for function.memory_mb (CgroupLimits), in a cgroup of
  // each environment's own, created when it starts and removed when it ends. Where no
  // controller is usable this is said once on the sink's stderr at Start and only measuring
  // remains. false: measure only, no cgroup.
  bool enforce_limits = true;
  // The pool (pool.h): environments at most (the reserved concurrency), invokes per environment
  // (0: classic; M: Lambda Managed Instances), freezing idle environments, idle reclaim.
  int concurrency = kDefaultConcurrency;
  int max_concurrency = 0;
  bool freeze = true;
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(kDefaultIdleTimeoutSeconds);
  AsyncEventOptions async;  // Event invokes (function_arn is filled in)
  // Streamed responses: Lambda's size limit and bandwidth cap (bytes_per_second = 0: uncapped).
  StreamLimits stream_limits;
  // External extensions: the executables in this directory (Lambda's /opt/extensions) start
  // in every environment before the function. "": none. Runtime API mode only.
  std::string extensions_dir;
  // Whether /lambda-url/NAME/ reaches the function (a SAM template's FunctionUrlConfig).
  bool function_url = true;
};

class Emulator {
 public:
  // Validates the function, starts the Invoke API listener and the pool (and an environment,
  // if eager or in the Managed Instances model). Errors: InvalidArgument for a bad function or
  // configuration (message fit for the user), Unavailable when the invoke address cannot be
  // bound (e.g. the port is in use).
  static Result<std::unique_ptr<Emulator>> Start(EmulatorOptions options);
  // Several functions behind one Invoke API: each element configures one function (its pool);
  // the listening address and the sink are those of the first. Errors as above, and
  // InvalidArgument when `functions` is empty or two functions have the same name.
  static Result<std::unique_ptr<Emulator>> Start(std::vector<EmulatorOptions> functions);
  // Stop().
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  uint16_t invoke_port() const { return invoke_server_->port(); }
  // The first function's (the only one's, for an emulator of one function).
  Protocol protocol() const { return pools_[0]->options().config.protocol; }
  const ResolvedFunction& function() const { return pools_[0]->options().function; }
  Pool& pool() { return *pools_[0]; }
  // Every function, in the order given to Start.
  size_t function_count() const { return pools_.size(); }
  Pool& pool(size_t index) { return *pools_[index]; }

  // Answers every waiting invoke with an error, shuts every environment down (SIGKILL to
  // whole process groups; function sides stopped; cgroups removed), closes the
  // listener and joins every thread. Idempotent.
  void Stop();

 private:
  Emulator() = default;

  std::vector<std::unique_ptr<Pool>> pools_;
  std::unique_ptr<InvokeServer> invoke_server_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_EMULATOR_H_
