// Lambda protocol facts, named once. Both sides of the wire (src/runtime and src/emulator)
// use these; neither includes the other. Each constant says where it comes from; see
// docs/protocol/runtime-api.md. DO NOT change values: they are on the wire.
#ifndef ZEROSTART_SRC_COMMON_LAMBDA_PROTOCOL_H_
#define ZEROSTART_SRC_COMMON_LAMBDA_PROTOCOL_H_

#include <cstddef>
#include <string_view>

namespace zerostart::lambda {

// --- Runtime API (AWS docs "Using the Lambda runtime API for custom runtimes", 2018-06-01) ---
inline constexpr std::string_view kApiVersionPrefix = "/2018-06-01";
// GET: long-poll the next event. No client timeout: Lambda freezes the sandbox between invokes.
inline constexpr std::string_view kNextPath = "/2018-06-01/runtime/invocation/next";
// POST /2018-06-01/runtime/invocation/{id}/response and .../{id}/error.
inline constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";
inline constexpr std::string_view kResponseSuffix = "/response";
inline constexpr std::string_view kErrorSuffix = "/error";
// POST: initialisation failed; the runtime exits afterwards.
inline constexpr std::string_view kInitErrorPath = "/2018-06-01/runtime/init/error";

// /next response headers (AWS docs, "Next invocation").
inline constexpr std::string_view kRequestIdHeader = "Lambda-Runtime-Aws-Request-Id";
inline constexpr std::string_view kDeadlineMsHeader = "Lambda-Runtime-Deadline-Ms";
inline constexpr std::string_view kFunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";
inline constexpr std::string_view kTraceIdHeader = "Lambda-Runtime-Trace-Id";
inline constexpr std::string_view kClientContextHeader = "Lambda-Runtime-Client-Context";
inline constexpr std::string_view kCognitoIdentityHeader = "Lambda-Runtime-Cognito-Identity";
inline constexpr std::string_view kTenantIdHeader = "Lambda-Runtime-Aws-Tenant-Id";
// Runtime -> Lambda on /error and /init/error (AWS docs, "Invocation error").
inline constexpr std::string_view kFunctionErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

// Environment (AWS docs, "Defined runtime environment variables").
inline constexpr std::string_view kRuntimeApiEnv = "AWS_LAMBDA_RUNTIME_API";
inline constexpr std::string_view kTraceIdEnv = "_X_AMZN_TRACE_ID";
// aws-lambda-go lambda/entry.go: go1.x mode when set; checked before the Runtime API.
inline constexpr std::string_view kGo1xServerPortEnv = "_LAMBDA_SERVER_PORT";
inline constexpr std::string_view kMemorySizeEnv = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";

// --- Invoke API (AWS Lambda API reference "Invoke"; RIE and SAM serve the same path) ---
inline constexpr std::string_view kInvokePath = "/2015-03-31/functions/function/invocations";
inline constexpr std::string_view kInvokePathPrefix = "/2015-03-31/functions/";
inline constexpr std::string_view kInvokePathSuffix = "/invocations";
// Set on the Invoke response when the function returned an error (Invoke API reference).
inline constexpr std::string_view kFunctionErrorHeader = "X-Amz-Function-Error";
inline constexpr std::string_view kUnhandled = "Unhandled";
inline constexpr std::string_view kExecutedVersionHeader = "X-Amz-Executed-Version";
inline constexpr std::string_view kLogResultHeader = "X-Amz-Log-Result";
inline constexpr std::string_view kRequestIdResponseHeader = "X-Amzn-RequestId";
inline constexpr std::string_view kClientContextInvokeHeader = "X-Amz-Client-Context";
inline constexpr std::string_view kTraceIdInvokeHeader = "X-Amzn-Trace-Id";
inline constexpr std::string_view kTenantIdInvokeHeader = "X-Amz-Tenant-Id";

// --- Limits (AWS docs "Lambda quotas"; RIE's constant is 6 MiB + 100 bytes) ---
// Synchronous invoke request and buffered response payload.
inline constexpr size_t kMaxPayloadBytes = 6 * 1024 * 1024 + 100;

// --- Error types Lambda itself reports to callers (observed on Lambda and RIE) ---
inline constexpr std::string_view kErrorTypeExit = "Runtime.ExitError";
inline constexpr std::string_view kErrorTypeTimeout = "Sandbox.Timedout";
inline constexpr std::string_view kErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge";
inline constexpr std::string_view kErrorTypeInit = "Runtime.InitError";
inline constexpr std::string_view kErrorTypeUnknown = "Runtime.Unknown";
inline constexpr std::string_view kErrorTypeOutOfMemory = "Runtime.OutOfMemory";

}  // namespace zerostart::lambda

#endif  // ZEROSTART_SRC_COMMON_LAMBDA_PROTOCOL_H_
