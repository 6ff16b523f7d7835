// `zerostart invoke`: calls a Lambda Invoke endpoint (normally `zerostart serve`) over one
// kept-open connection, once or --count times.
#ifndef ZEROSTART_SRC_CLI_INVOKE_COMMAND_H_
#define ZEROSTART_SRC_CLI_INVOKE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace zerostart::cli {

struct InvokeOptions {
  uint16_t port = 9000;
  std::string host = "127.0.0.1";
  std::string function_name = "function";
  std::string payload = "{}";  // JSON, or @file
  size_t count = 1;
  bool quiet = false;
  bool stream = false;     // InvokeWithResponseStream: print the chunks as they arrive
  std::string log_type;    // "Tail": print the invoke's log tail to stderr
};

CLI::App* AddInvokeCommand(CLI::App& app, InvokeOptions* options);

// Prints the response body (count 1, unless quiet) or latency statistics (count > 1); with
// stream, the bytes as they arrive. With log_type Tail the log tail goes to stderr.
// Returns 0; 1 when the function returned an error (X-Amz-Function-Error) or the call failed
// (HTTP error, connection); 2 for bad arguments (unreadable @file).
int RunInvoke(const InvokeOptions& options);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_INVOKE_COMMAND_H_
