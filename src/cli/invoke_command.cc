#include "src/cli/invoke_command.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "src/benchmark/invoke_client.h"
#include "src/cli/latency_stats.h"
#include "src/cli/stream_invoke.h"
#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/http/connection.h"

namespace zerostart::cli {
namespace {

using Clock = std::chrono::steady_clock;

bool ReadPayload(const std::string& spec, std::string* payload) {
  if (spec.empty() || spec[0] != '@') {
    *payload = spec;
    return true;
  }
  std::ifstream file(spec.substr(1), std::ios::binary);
  if (!file) return false;
  std::ostringstream content;
  content << file.rdbuf();
  *payload = content.str();
  return true;
}

void PrintLogTail(std::string_view base64) {
  if (base64.empty()) return;
  Result<std::string> text = Base64Decode(base64);
  if (!text.ok()) return;
  std::fwrite(text->data(), 1, text->size(), stderr);
}

void PrintBody(const std::string& body) {
  std::fwrite(body.data(), 1, body.size(), stdout);
  if (body.empty() || body.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

// --stream: one InvokeWithResponseStream call, its chunks printed as they come.
int RunStreamInvoke(const InvokeOptions& options, const http::Request& request) {
  auto fd = net::Connect({options.host, options.port});
  if (!fd.ok()) {
    std::fprintf(stderr, "zerostart invoke: %s\n", fd.status().message().c_str());
    return 1;
  }
  http::Connection connection(std::move(fd).value());
  StreamOutcome outcome = StreamInvoke(connection, request, options.quiet ? nullptr : stdout);
  PrintLogTail(outcome.log_result);
  if (!outcome.ok) {
    std::fprintf(stderr, "zerostart invoke: %s\n", outcome.failure.c_str());
    return 1;
  }
  if (!outcome.error_code.empty()) {
    std::fprintf(stderr, "zerostart invoke: function error (%s: %s)\n", outcome.error_code.c_str(),
                 outcome.error_details.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

CLI::App* AddInvokeCommand(CLI::App& app, InvokeOptions* options) {
  CLI::App* invoke = app.add_subcommand("invoke", "Invoke a function served by `zerostart serve`");
  invoke->add_option("--port", options->port, "Invoke API port")->capture_default_str();
  invoke->add_option("--host", options->host, "Invoke API address (numeric)")->capture_default_str();
  invoke->add_option("--function-name", options->function_name, "Function name")->capture_default_str();
  invoke->add_option("--payload", options->payload, "Event JSON, or @file")->capture_default_str();
  invoke->add_option("--count", options->count, "Invoke N times; print latency statistics")
      ->check(CLI::PositiveNumber);
  invoke->add_flag("--quiet", options->quiet, "Do not print the response body");
  invoke->add_flag("--stream", options->stream,
                   "InvokeWithResponseStream: print the response as the function writes it");
  invoke->add_option("--log-type", options->log_type, "Tail: print the invoke's log (last 4 KB) to stderr")
      ->check(CLI::IsMember({"None", "Tail"}));
  return invoke;
}

int RunInvoke(const InvokeOptions& options) {
  std::string payload;
  if (!ReadPayload(options.payload, &payload)) {
    std::fprintf(stderr, "zerostart invoke: cannot read payload file '%s'\n", options.payload.c_str() + 1);
    return 2;
  }
  std::string host = options.host;
  host += ':';
  host += std::to_string(options.port);
  http::Request request = options.stream
                              ? benchmark::StreamInvokeRequest(options.function_name, std::move(payload), host)
                              : benchmark::InvokeRequest(options.function_name, std::move(payload), host);
  if (!options.log_type.empty()) request.headers.Add(std::string(lambda::kLogTypeHeader), options.log_type);
  if (options.stream) return RunStreamInvoke(options, request);

  // No read timeout: the function's own timeout (serve's --timeout) bounds every invoke.
  auto client = benchmark::InvokeClient::Connect({options.host, options.port}, /*read_timeout_seconds=*/0);
  if (!client.ok()) {
    std::fprintf(stderr, "zerostart invoke: %s\n", client.status().message().c_str());
    return 1;
  }
  std::vector<std::chrono::nanoseconds> latencies;
  latencies.reserve(options.count);
  size_t function_errors = 0;
  benchmark::Answer answer;
  Clock::time_point begin = Clock::now();
  for (size_t i = 0; i < options.count; ++i) {
    answer = (*client)->Invoke(request);
    if (answer.status == 0) {
      std::fprintf(stderr, "zerostart invoke: %s\n", answer.failure.c_str());
      return 1;
    }
    latencies.push_back(std::chrono::nanoseconds(answer.answered_ns - answer.sent_ns));
    if (answer.status >= 300) {
      std::fprintf(stderr, "zerostart invoke: HTTP %d %s: %s\n", answer.status, answer.error_type.c_str(),
                   answer.body.c_str());
      return 1;
    }
    if (!answer.function_error.empty()) ++function_errors;
  }
  Clock::duration wall = Clock::now() - begin;

  if (options.count == 1) {
    if (!options.quiet) PrintBody(answer.body);
    PrintLogTail(answer.log_result);
  } else {
    LatencySummary summary = Summarize(latencies);
    std::string text = FormatSummary(summary, function_errors, wall);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (!answer.function_error.empty()) {
    std::fprintf(stderr, "zerostart invoke: function error (%s: %s)\n",
                 std::string(lambda::kFunctionErrorHeader).c_str(), answer.function_error.c_str());
    return 1;
  }
  return function_errors > 0 ? 1 : 0;
}

}  // namespace zerostart::cli
