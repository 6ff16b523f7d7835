// FunctionSide: the function's side of one execution environment — what the function process
// talks to. Two implementations: RuntimeApiServer (the Runtime API on its own loopback port;
// the function polls it) and Go1xClient (legacy go1.x: the function serves net/rpc and this
// side calls it). Each Environment owns exactly one, made for it by a FunctionSideFactory; the
// side calls back into that Environment only (Next, Post*, stream and report hooks).
//
// Life: made (and its address reserved) before the process is spawned; Start() once the
// Environment is ready to be called back; Stop() after the Environment has answered every invoke
// and its process is gone.
// Thread safety: ProcessEnv/Start/Stop are called by the Environment's supervisor thread, in
// that order; the side's own threads call the Environment.
#ifndef ZEROSTART_SRC_EMULATOR_FUNCTION_SIDE_H_
#define ZEROSTART_SRC_EMULATOR_FUNCTION_SIDE_H_

#include <functional>
#include <memory>
#include <string>

#include "src/common/env.h"
#include "zerostart/status.h"

namespace zerostart::emulator {

class Environment;

class FunctionSide {
 public:
  virtual ~FunctionSide() = default;

  // "127.0.0.1:PORT" for AWS_LAMBDA_RUNTIME_API, or "" when the function does not poll a
  // Runtime API (go1.x: the variable is then not set at all).
  virtual std::string runtime_api() const = 0;
  // Variables the process needs on top of Lambda's (go1.x: _LAMBDA_SERVER_PORT); applied over
  // everything else. Called once, just before the spawn.
  virtual EnvMap ProcessEnv() = 0;
  // Begins serving the Environment (accepting its connections, or driving its process).
  virtual void Start() = 0;
  // Closes every connection and joins every thread. Idempotent.
  virtual void Stop() = 0;
};

// Makes the function side of `environment` (which outlives it). Errors (e.g. no port could be
// bound) fail that environment's start.
using FunctionSideFactory = std::function<Result<std::unique_ptr<FunctionSide>>(Environment& environment)>;

}  // namespace zerostart::emulator

#endif  // ZEROSTART_SRC_EMULATOR_FUNCTION_SIDE_H_
