// Transport: how invokes reach the function and results go back, independent of the protocol.
// The invoke loop (invoke_loop.h) only talks to this interface; the Runtime API client
// (runtime_api_client.h) implements it today, and the go1.x net/rpc server (the function is
// the RPC server there; Next() would block until Function.Invoke arrives and Respond() would
// write the RPC reply) plugs in at the same seam.
//
// Thread safety: one thread at a time; calls follow Next, then, for that invocation, exactly
// one of: Respond; ReportError; or a streamed response (BeginStream, WriteChunk any number of
// times, EndStream); then Next again.
#ifndef ZEROSTART_SRC_RUNTIME_TRANSPORT_H_
#define ZEROSTART_SRC_RUNTIME_TRANSPORT_H_

#include <string_view>

#include "zerostart/invocation.h"
#include "zerostart/response.h"
#include "zerostart/status.h"

namespace zerostart::runtime {

class Transport {
 public:
  virtual ~Transport() = default;

  // Blocks until the next invoke and fills *invocation (reusing its buffers). Transient
  // failures are retried inside; a returned error means the Lambda side is gone (Unavailable)
  // or told the function to stop (FailedPrecondition): the loop then exits.
  virtual Status Next(Invocation* invocation) = 0;

  // Sends a successful result for `invocation`. May move the payload out of *response.
  // An error means this result was not accepted (e.g. too large); the loop logs it and goes on.
  virtual Status Respond(const Invocation& invocation, Response* response) = 0;

  // Sends a function error for `invocation`. Errors as for Respond.
  virtual Status ReportError(const Invocation& invocation, const FunctionError& error) = 0;

  // Streaming (zerostart/stream.h): the response goes out while the handler produces it.
  // BeginStream starts the response for `invocation` with `content_type` (empty: none sent);
  // WriteChunk sends `bytes` (not empty) as one piece, before returning; EndStream ends it,
  // successfully when `error` is null, else with the error reported after the bytes sent.
  // After an error from BeginStream or WriteChunk the response cannot be delivered (the
  // invoke is lost): make no further streaming call for this invocation. EndStream returns
  // the Lambda side's verdict, as Respond does.
  virtual Status BeginStream(const Invocation& invocation, std::string_view content_type) = 0;
  virtual Status WriteChunk(std::string_view bytes) = 0;
  virtual Status EndStream(const FunctionError* error) = 0;

  // Reports that initialisation failed (before any Next). The caller exits afterwards.
  virtual Status ReportInitError(const FunctionError& error) = 0;
};

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_TRANSPORT_H_
