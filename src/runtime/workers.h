// Workers: one execution environment serving several invokes at once (Lambda Managed
// Instances). Lambda sets AWS_LAMBDA_MAX_CONCURRENCY=M and then accepts up to M concurrent
// long-polling GET /next, and M invokes in flight; the Runtime API itself is unchanged (AWS
// docs, "Lambda Managed Instances execution environment",
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html).
// As in aws-lambda-go (https://github.com/aws/aws-lambda-go/pull/600), init runs once, then M
// workers each run the ordinary invoke loop (invoke_loop.h) on their own RuntimeApiClient,
// i.e. their own connection; the handler is called from M threads at once.
//
// _X_AMZN_TRACE_ID is left alone: one process-wide variable cannot hold M trace ids
// (aws-lambda-go does not set it either); each Invocation carries its trace_id.
//
// The end: when one worker's Next() fails, it logs the one line the single loop logs
// ("runtime: stopping: ..."), and the other workers stop too: a Next() in progress is
// cancelled (RuntimeApiClient::CancelNext), an invoke in progress is answered first (its
// handler runs to completion, as in aws-lambda-go). The functions return once every worker
// has stopped, with the exit code of the first one that did.
//
// Runtime API only: go1.x has no Managed Instances, and Run() ignores the variable there.
// Thread safety: the functions block the calling thread, which is worker 0; workers 1..M-1
// are threads of their own, joined before the functions return.
#ifndef ZEROSTART_SRC_RUNTIME_WORKERS_H_
#define ZEROSTART_SRC_RUNTIME_WORKERS_H_

#include <memory>
#include <span>

#include "src/runtime/runtime_api_client.h"
#include "zerostart/runtime.h"
#include "zerostart/stream.h"

namespace zerostart::runtime {

// Runs `init` (if set; a failure is reported through clients[0] and kExitInitFailed returned,
// as in ServeInvokes), then serves invokes with one worker per client (clients.size() of them,
// at least 1; the clients must outlive the call), each Invocation's `function` pointing at
// `function` (which must outlive the call). Returns the exit code of the first worker
// that stopped: kExitLambdaGone when its Next() failed, kExitInternal when the runtime itself
// failed (an exception outside the handler, or a thread that could not be started).
int ServeInvokesConcurrently(std::span<const std::unique_ptr<RuntimeApiClient>> clients,
                             const Handler& handler, const InitFunction& init,
                             const FunctionContext& function);

// The same for a streaming handler: each worker streams its invokes' responses over its own
// client (ServeStreamingInvokes).
int ServeStreamingInvokesConcurrently(std::span<const std::unique_ptr<RuntimeApiClient>> clients,
                                      const StreamingHandler& handler, const InitFunction& init,
                                      const FunctionContext& function);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_WORKERS_H_
