// Emulator: a local Lambda for one function — the Invoke API for callers, the Runtime API (or,
// in go1.x mode, a net/rpc client) for the function, and the Dispatcher that runs the function
// process between them. What `zerostart serve` runs; tests run it in-process.
//
//   caller --POST /2015-03-31/functions/NAME/invocations--> InvokeServer (host:port)
//            --> Dispatcher (FIFO queue, one instance, timeouts, REPORT lines)
//            <-- RuntimeApiServer (127.0.0.1:ephemeral) <-- the function process
//   go1.x:       Go1xClient --Function.Ping/Invoke--> the function (127.0.0.1:_LAMBDA_SERVER_PORT)
//
// Thread safety: Stop() may be called from any thread, once or more.
#ifndef ZEROSTART_SRC_EMULATOR_EMULATOR_H_
#define ZEROSTART_SRC_EMULATOR_EMULATOR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "src/common/net.h"
#include "src/emulator/cgroup_limits.h"
#include "src/emulator/dispatcher.h"
#include "src/emulator/function_config.h"
#include "src/emulator/go1x_client.h"
#include "src/emulator/invoke_server.h"
#include "src/emulator/log_sink.h"
#include "src/emulator/runtime_api_server.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

struct EmulatorOptions {
  FunctionConfig function;
  net::HostPort invoke_address{"127.0.0.1", 9000};  // port 0: any free port
  bool eager = false;                               // start the function now, not at first invoke
  LogSink* sink = nullptr;                          // must outlive the Emulator
  // Lambda's CPU share and memory limit for function.memory_mb (CgroupLimits), in a cgroup of
  // our own created at Start and removed at Stop. Where no controller is usable this is said
  // once on the sink's stderr and only measuring remains. false: measure only, no cgroup.
  bool enforce_limits = true;
  // Streamed responses: Lambda's size limit and bandwidth cap (bytes_per_second = 0: uncapped).
  StreamLimits stream_limits;
};

class Emulator {
 public:
  // Validates the function and starts the listeners — the Invoke API, and the Runtime API
  // unless function.protocol is kGo1x — (and the function, if eager). Errors:
  // InvalidArgument for a bad function or configuration (message fit for the user),
  // Unavailable when the invoke address cannot be bound (e.g. the port is in use).
  static Result<std::unique_ptr<Emulator>> Start(EmulatorOptions options);
  // Stop().
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  uint16_t invoke_port() const { return invoke_server_->port(); }
  // 0 in go1.x mode (no Runtime API).
  uint16_t runtime_api_port() const { return runtime_server_ ? runtime_server_->port() : 0; }
  Protocol protocol() const { return dispatcher_->options().config.protocol; }
  const ResolvedFunction& function() const { return dispatcher_->options().function; }

  // The limits in force (null with enforce_limits = false), e.g. for its group_dirs().
  const CgroupLimits* limits() const { return limits_.get(); }

  // Answers queued invokes with an error, terminates the function (SIGTERM, SIGKILL after
  // 500 ms, whole process group), closes the listeners, joins every thread and removes the
  // function's cgroups. Idempotent.
  void Stop();

 private:
  Emulator() = default;

  std::unique_ptr<CgroupLimits> limits_;               // outlives the dispatcher
  std::unique_ptr<Go1xClient> go1x_client_;            // go1.x mode only
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<RuntimeApiServer> runtime_server_;  // Runtime API mode only
  std::unique_ptr<InvokeServer> invoke_server_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_EMULATOR_H_
