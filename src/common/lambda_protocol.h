// Lambda protocol facts, named once. Both sides of the wire (src/runtime and src/emulator)
// use these; neither includes the other. Each constant says where it comes from; see
// docs/protocol/runtime-api.md. DO NOT change values: they are on the wire.
#ifndef ZEROSTART_SRC_COMMON_LAMBDA_PROTOCOL_H_
#define ZEROSTART_SRC_COMMON_LAMBDA_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
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
// /next: the invoke's content type (RIE: always application/json; @vercel/fun sends none).
// Runtime -> Lambda on /response: propagated to the caller (AWS docs, "Invocation response").
inline constexpr std::string_view kContentTypeHeader = "Content-Type";

// Environment (AWS docs, "Defined runtime environment variables").
inline constexpr std::string_view kRuntimeApiEnv = "AWS_LAMBDA_RUNTIME_API";
inline constexpr std::string_view kTraceIdEnv = "_X_AMZN_TRACE_ID";
// aws-lambda-go lambda/entry.go: go1.x mode when set; checked before the Runtime API.
inline constexpr std::string_view kGo1xServerPortEnv = "_LAMBDA_SERVER_PORT";
inline constexpr std::string_view kMemorySizeEnv = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";
// Log level the runtime should honour: TRACE, DEBUG, INFO, WARN, ERROR, FATAL (AWS docs,
// "Log-level filtering" for custom runtimes).
inline constexpr std::string_view kLogLevelEnv = "AWS_LAMBDA_LOG_LEVEL";
// Application log format: "JSON" or "Text" (AWS docs "Configuring advanced logging controls for
// Lambda functions"; the Node.js runtime interface client compares it to "JSON", any case).
inline constexpr std::string_view kLogFormatEnv = "AWS_LAMBDA_LOG_FORMAT";

// --- Extensions API (AWS docs "Lambda Extensions API", 2020-01-01), on the Runtime API's address ---
inline constexpr std::string_view kExtensionRegisterPath = "/2020-01-01/extension/register";
inline constexpr std::string_view kExtensionNextPath = "/2020-01-01/extension/event/next";
inline constexpr std::string_view kExtensionInitErrorPath = "/2020-01-01/extension/init/error";
inline constexpr std::string_view kExtensionExitErrorPath = "/2020-01-01/extension/exit/error";
// Extension -> Lambda on register; for an external extension, the executable's file name.
inline constexpr std::string_view kExtensionNameHeader = "Lambda-Extension-Name";
// Lambda -> extension on register; extension -> Lambda on every later call.
inline constexpr std::string_view kExtensionIdentifierHeader = "Lambda-Extension-Identifier";
// Extension -> Lambda on register: "accountId" adds the account id to the answer.
inline constexpr std::string_view kExtensionAcceptFeatureHeader = "Lambda-Extension-Accept-Feature";
// Extension -> Lambda on /init/error and /exit/error: "Category.Reason".
inline constexpr std::string_view kExtensionErrorTypeHeader = "Lambda-Extension-Function-Error-Type";
// Event names in the register body and in events (same page). Internal extensions (threads of
// the runtime process) may not subscribe to SHUTDOWN (RIE internal/lambda/core/agentutil.go,
// ShutdownEventNotSupportedForInternalExtension).
inline constexpr std::string_view kExtensionEventInvoke = "INVOKE";
inline constexpr std::string_view kExtensionEventShutdown = "SHUTDOWN";
// SHUTDOWN's shutdownReason values (same page).
inline constexpr std::string_view kShutdownReasonSpindown = "spindown";
inline constexpr std::string_view kShutdownReasonTimeout = "timeout";
inline constexpr std::string_view kShutdownReasonFailure = "failure";
// Where Lambda finds external extensions: executables in /opt/extensions, i.e. `extensions/`
// at the root of a layer (AWS docs "Lambda extensions", "Using extensions").
inline constexpr std::string_view kExtensionsDirInLayer = "extensions";
// How long shutdown may take before SIGKILL: 500 ms with only internal extensions registered,
// 2,000 ms with an external one (AWS docs "Lambda execution environment lifecycle", Shutdown).
inline constexpr int kShutdownInternalOnlyMs = 500;
inline constexpr int kShutdownWithExternalMs = 2000;
// At most this many extensions per function (AWS docs "Lambda quotas"; RIE MaxAgentsAllowed).
inline constexpr int kMaxExtensions = 10;
// Answers to extensions (RIE lambda/rapi/handler/constants.go): 403 with these error types.
inline constexpr std::string_view kExtErrorInvalidName = "Extension.InvalidExtensionName";
inline constexpr std::string_view kExtErrorRegistrationClosed = "Extension.RegistrationClosed";
inline constexpr std::string_view kExtErrorUnknownIdentifier = "Extension.UnknownExtensionIdentifier";
inline constexpr std::string_view kExtErrorMissingIdentifier = "Extension.MissingExtensionIdentifier";
inline constexpr std::string_view kExtErrorInvalidState = "Extension.InvalidExtensionState";
inline constexpr std::string_view kExtErrorMissingHeader = "Extension.MissingHeader";
inline constexpr std::string_view kExtErrorTooMany = "Extension.TooManyExtensions";
inline constexpr std::string_view kExtErrorInvalidEventType = "Extension.InvalidEventType";
// What an invoke or init fails with when an extension fails (RIE lambda/fatalerror).
inline constexpr std::string_view kErrorTypeExtensionCrash = "Extension.Crash";
inline constexpr std::string_view kErrorTypeExtensionInit = "Extension.InitError";
inline constexpr std::string_view kErrorTypeExtensionExit = "Extension.ExitError";
inline constexpr std::string_view kErrorTypeExtensionLaunch = "Extension.LaunchError";
// --- Telemetry API (AWS docs "Lambda Telemetry API"): PUT with the extension's identifier ---
inline constexpr std::string_view kTelemetryPath = "/2022-07-01/telemetry";

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
// X-Amz-Log-Type: Tail asks for the last 4 KB of the invoke's log, base64, in X-Amz-Log-Result
// (Invoke) or InvokeComplete.LogResult (InvokeWithResponseStream) (Invoke API reference).
inline constexpr std::string_view kLogTypeHeader = "X-Amz-Log-Type";
inline constexpr std::string_view kLogTypeTail = "Tail";
inline constexpr std::string_view kLogTypeNone = "None";
inline constexpr size_t kLogTailBytes = 4 * 1024;
// InvokeWithResponseStream (AWS Lambda API reference "InvokeWithResponseStream"): the answer is
// a stream of application/vnd.amazon.eventstream messages, PayloadChunk events then one
// InvokeComplete.
inline constexpr std::string_view kStreamInvokePathPrefix = "/2021-11-15/functions/";
inline constexpr std::string_view kStreamInvokePathSuffix = "/response-streaming-invocations";
inline constexpr std::string_view kEventStreamContentType = "application/vnd.amazon.eventstream";
// Function URLs on the emulator's own port (cargo-lambda's local route; on AWS each URL has a
// host of its own, https://<url-id>.lambda-url.<region>.on.aws/).
inline constexpr std::string_view kFunctionUrlPrefix = "/lambda-url/";
// Streamed responses (AWS docs "Configuring a Lambda function to stream responses", quotas):
// up to 200 MB; the first 6 MB at full speed, then at most 2 MB/s. zerostart counts MiB.
inline constexpr uint64_t kMaxStreamedResponseBytes = 200ull * 1024 * 1024;
inline constexpr uint64_t kStreamUnthrottledBytes = 6ull * 1024 * 1024;
inline constexpr uint64_t kStreamBandwidthBytesPerSecond = 2ull * 1024 * 1024;
// A Lambda-Runtime-Function-Response-Mode other than "streaming" (AWS docs, custom runtimes).
inline constexpr std::string_view kErrorTypeInvalidResponseMode = "Runtime.InvalidResponseModeHeader";

// --- Limits (AWS docs "Lambda quotas"; RIE's constant is 6 MiB + 100 bytes) ---
// Synchronous invoke request and buffered response payload.
inline constexpr size_t kMaxPayloadBytes = 6 * 1024 * 1024 + 100;
// Memory setting range in MB, and the longest timeout in seconds (AWS docs "Lambda quotas":
// "128 MB to 10,240 MB", "900 seconds (15 minutes)").
inline constexpr int kMinMemoryMb = 128;
inline constexpr int kMaxMemoryMb = 10240;
inline constexpr double kMaxTimeoutSeconds = 900;
// CPU is proportional to memory: "At 1,769 MB, a function has the equivalent of one vCPU"
// (AWS docs "Configure Lambda function memory"); up to 6 vCPUs at 10,240 MB.
inline constexpr int kMemoryMbPerVcpu = 1769;

// --- Error types Lambda itself reports to callers (observed on Lambda and RIE) ---
inline constexpr std::string_view kErrorTypeExit = "Runtime.ExitError";
inline constexpr std::string_view kErrorTypeTimeout = "Sandbox.Timedout";
inline constexpr std::string_view kErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge";
inline constexpr std::string_view kErrorTypeInit = "Runtime.InitError";
inline constexpr std::string_view kErrorTypeUnknown = "Runtime.Unknown";
inline constexpr std::string_view kErrorTypeOutOfMemory = "Runtime.OutOfMemory";

// --- The Lambda side as the emulator plays it (src/emulator) ---
// Runtime API answers to the runtime (RIE lambda/rapi/rendering/rendering.go): 202 body, and
// error types: 400 unknown/answered request id ("Invalid request ID"), 403 wrong state, 413 too
// large, 400 malformed request.
inline constexpr std::string_view kAcceptedBody = R"({"status":"OK"})";
inline constexpr std::string_view kRapiErrorInvalidRequestId = "InvalidRequestID";
inline constexpr std::string_view kRapiErrorInvalidStateTransition = "InvalidStateTransition";
inline constexpr std::string_view kRapiErrorRequestEntityTooLarge = "RequestEntityTooLarge";
inline constexpr std::string_view kRapiErrorInvalidRequestFormat = "InvalidRequestFormat";
inline constexpr std::string_view kJsonContentType = "application/json";

// Invoke API request header and its values (AWS Lambda API reference "Invoke").
inline constexpr std::string_view kInvocationTypeHeader = "X-Amz-Invocation-Type";
inline constexpr std::string_view kInvocationTypeRequestResponse = "RequestResponse";
inline constexpr std::string_view kInvocationTypeEvent = "Event";
inline constexpr std::string_view kInvocationTypeDryRun = "DryRun";
// Invoke API errors name the exception in this header; the body is {"Type":"User","message":..}
// (Lambda API reference "Invoke", Errors; botocore reads either).
inline constexpr std::string_view kAmznErrorTypeHeader = "X-Amzn-ErrorType";
inline constexpr std::string_view kInvalidRequestContentException = "InvalidRequestContentException";
inline constexpr std::string_view kRequestTooLargeException = "RequestTooLargeException";
inline constexpr std::string_view kResourceNotFoundException = "ResourceNotFoundException";
inline constexpr std::string_view kInvalidParameterValueException = "InvalidParameterValueException";
inline constexpr std::string_view kServiceException = "ServiceException";
// Throttling (Lambda API reference "Invoke", Errors: TooManyRequestsException, HTTP 429, body
// {"Reason":..,"Type":"User","message":"Rate Exceeded."}; ThrottleReason in the Lambda model).
inline constexpr std::string_view kTooManyRequestsException = "TooManyRequestsException";
inline constexpr std::string_view kThrottleReasonReservedConcurrency =
    "ReservedFunctionConcurrentInvocationLimitExceeded";
inline constexpr std::string_view kThrottleMessage = "Rate Exceeded.";
// Lambda Managed Instances: the most invokes one execution environment serves at once (AWS
// docs "Lambda Managed Instances execution environment"; the model's
// PerExecutionEnvironmentMaxConcurrency, 1-1600).
inline constexpr std::string_view kMaxConcurrencyEnv = "AWS_LAMBDA_MAX_CONCURRENCY";
inline constexpr int kMaxPerEnvironmentConcurrency = 1600;

// The function's environment (AWS docs "Defined runtime environment variables").
inline constexpr std::string_view kFunctionNameEnv = "AWS_LAMBDA_FUNCTION_NAME";
inline constexpr std::string_view kFunctionVersionEnv = "AWS_LAMBDA_FUNCTION_VERSION";
inline constexpr std::string_view kLogGroupNameEnv = "AWS_LAMBDA_LOG_GROUP_NAME";
inline constexpr std::string_view kLogStreamNameEnv = "AWS_LAMBDA_LOG_STREAM_NAME";
inline constexpr std::string_view kRegionEnv = "AWS_REGION";
inline constexpr std::string_view kDefaultRegionEnv = "AWS_DEFAULT_REGION";
inline constexpr std::string_view kHandlerEnv = "_HANDLER";
inline constexpr std::string_view kTaskRootEnv = "LAMBDA_TASK_ROOT";
inline constexpr std::string_view kRuntimeDirEnv = "LAMBDA_RUNTIME_DIR";
inline constexpr std::string_view kInitializationTypeEnv = "AWS_LAMBDA_INITIALIZATION_TYPE";
// Values Lambda gives them (same docs page; the account id is RIE's fixed one).
inline constexpr std::string_view kLatestVersion = "$LATEST";
inline constexpr std::string_view kLogGroupPrefix = "/aws/lambda/";
inline constexpr std::string_view kInitializationTypeOnDemand = "on-demand";
inline constexpr std::string_view kDefaultRegion = "us-east-1";
inline constexpr std::string_view kEmulatorAccountId = "012345678912";
inline constexpr std::string_view kLambdaTaskRoot = "/var/task";
inline constexpr std::string_view kLambdaPath = "/usr/local/bin:/usr/bin/:/bin:/opt/bin";
inline constexpr std::string_view kLambdaLdLibraryPath =
    "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib";
inline constexpr std::string_view kLambdaTz = ":UTC";
inline constexpr std::string_view kLambdaLang = "en_US.UTF-8";

// The init phase of an on-demand function may take at most 10 s (AWS docs "Lambda execution
// environment lifecycle", Init phase).
inline constexpr int kInitTimeoutSeconds = 10;
// Lambda could not start the bootstrap (AWS docs "Troubleshoot invocation issues").
inline constexpr std::string_view kErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint";

// --- go1.x (legacy Go runtime): net/rpc over gob (aws-lambda-go lambda/rpc_function.go;
// Go net/rpc server.go). The receiver's Go type name is the service name. ---
inline constexpr std::string_view kGo1xService = "Function";
inline constexpr std::string_view kGo1xPingMethod = "Function.Ping";
inline constexpr std::string_view kGo1xInvokeMethod = "Function.Invoke";
// net/rpc's reply-header Error for a method it does not serve, followed by the method name.
inline constexpr std::string_view kRpcCantFindMethodPrefix = "rpc: can't find method ";
// ... and for a service it does not have (the part before the dot is not kGo1xService).
inline constexpr std::string_view kRpcCantFindServicePrefix = "rpc: can't find service ";

// --- go1.x as the emulator drives it (src/emulator/go1x_client.h) ---
// The runtime identifier Lambda gives the function process: "AWS_Lambda_" + the runtime id
// (AWS docs "Defined runtime environment variables"; the go1.x runtime id is "go1.x").
inline constexpr std::string_view kExecutionEnvEnv = "AWS_EXECUTION_ENV";
inline constexpr std::string_view kGo1xExecutionEnv = "AWS_Lambda_go1.x";
// Our choice (Lambda's go1.x orchestrator is closed source; aws-lambda-go only defines the
// function side, lambda/rpc_function.go): the
// errorType of an invoke whose go1.x reply is not a usable InvokeResponse — an RPC-level error
// in the reply header (e.g. "rpc: can't find service ..."), a malformed gob stream, a wrong
// Seq — or whose connection broke while the function process lives on.
inline constexpr std::string_view kErrorTypeInvalidResponse = "Runtime.InvalidResponse";

// --- Function URL events (AWS docs "Invoking Lambda function URLs", request and response
// payloads; the same payload format 2.0 as API Gateway HTTP APIs) ---
inline constexpr std::string_view kHttpEventVersionKey = "version";
inline constexpr std::string_view kHttpEventVersion = "2.0";
inline constexpr std::string_view kHttpEventContextKey = "requestContext";  // has "http"
inline constexpr std::string_view kHttpEventHttpKey = "http";
inline constexpr std::string_view kHttpEventBodyKey = "body";
inline constexpr std::string_view kHttpEventBase64Key = "isBase64Encoded";
// A response object with this key is an HTTP response (statusCode, headers, body); any other
// JSON answer is sent as the body with status 200 and content-type application/json.
inline constexpr std::string_view kHttpResponseStatusKey = "statusCode";

// --- Response streaming, the function's side (AWS docs "Building a custom runtime for AWS
// Lambda", "Implementing response streaming in a custom runtime"; "Configuring a Lambda function
// to stream responses") ---
// Runtime -> Lambda on POST .../{id}/response: the response is streamed.
inline constexpr std::string_view kResponseModeHeader = "Lambda-Runtime-Function-Response-Mode";
inline constexpr std::string_view kResponseModeStreaming = "streaming";
// The streamed body travels as HTTP/1.1 chunks (RFC 9112 §7.1), announced by these.
inline constexpr std::string_view kTransferEncodingHeader = "Transfer-Encoding";
inline constexpr std::string_view kTransferEncodingChunked = "chunked";
// The trailers a streamed response declares up front (RFC 9110 §6.6.2 "Trailer"): an error
// after the first byte goes in them, on the last chunk.
inline constexpr std::string_view kTrailerHeader = "Trailer";
inline constexpr std::string_view kStreamingErrorTrailers =
    "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body";
// Trailer: the error JSON {errorMessage, errorType, stackTrace}, base64-encoded (RFC 4648 §4).
// (The type trailer is kFunctionErrorTypeHeader.)
inline constexpr std::string_view kFunctionErrorBodyTrailer = "Lambda-Runtime-Function-Error-Body";
// Content type of a streamed response that sets none (aws-lambda-nodejs-runtime-interface-client's
// ResponseStream default).
inline constexpr std::string_view kStreamingDefaultContentType = "application/octet-stream";
// A streamed Function URL response: this content type, then a JSON prelude
// {"statusCode":..,"headers":{..},"cookies":[..]}, then 8 NUL bytes, then the HTTP body
// (aws-lambda-nodejs-runtime-interface-client, src/HttpResponseStream.js).
inline constexpr std::string_view kHttpIntegrationResponseContentType =
    "application/vnd.awslambda.http-integration-response";
inline constexpr size_t kHttpPreludeDelimiterBytes = 8;
// A Function URL event's query parameters: {"name":"value",...}, repeated names joined with ","
// (AWS docs "Invoking Lambda function URLs", request payload).
inline constexpr std::string_view kHttpEventQueryKey = "queryStringParameters";

}  // namespace zerostart::lambda

#endif  // ZEROSTART_SRC_COMMON_LAMBDA_PROTOCOL_H_
