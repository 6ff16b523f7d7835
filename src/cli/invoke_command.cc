#include "src/cli/invoke_command.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

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
  http::Request request;
  request.method = "POST";
  request.target = std::string(lambda::kInvokePathPrefix) + options.function_name +
                   std::string(lambda::kInvokePathSuffix);
  if (!ReadPayload(options.payload, &request.body)) {
    std::fprintf(stderr, "zerostart invoke: cannot read payload file '%s'\n", options.payload.c_str() + 1);
    return 2;
  }
  request.headers.Add("Host", options.host + ":" + std::to_string(options.port));
  request.headers.Add(std::string(lambda::kContentTypeHeader), std::string(lambda::kJsonContentType));
  if (!options.log_type.empty()) request.headers.Add(std::string(lambda::kLogTypeHeader), options.log_type);

  auto fd = net::Connect({options.host, options.port});
  if (!fd.ok()) {
    std::fprintf(stderr, "zerostart invoke: %s\n", fd.status().message().c_str());
    return 1;
  }
  http::Connection connection(std::move(fd).value());

  if (options.stream) {
    request.target = std::string(lambda::kStreamInvokePathPrefix) + options.function_name +
                     std::string(lambda::kStreamInvokePathSuffix);
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

  std::vector<std::chrono::nanoseconds> latencies;
  latencies.reserve(options.count);
  size_t function_errors = 0;
  http::Response response;
  Clock::time_point begin = Clock::now();
  for (size_t i = 0; i < options.count; ++i) {
    Clock::time_point start = Clock::now();
    Status written = connection.Write(request);
    Result<http::Response> read =
        written.ok() ? connection.ReadResponse() : Result<http::Response>(written);
    if (!read.ok()) {
      std::fprintf(stderr, "zerostart invoke: %s\n", read.status().ToString().c_str());
      return 1;
    }
    latencies.push_back(Clock::now() - start);
    response = std::move(read).value();
    if (response.status >= 300) {
      std::fprintf(stderr, "zerostart invoke: HTTP %d %s: %s\n", response.status,
                   std::string(response.headers.Get(lambda::kAmznErrorTypeHeader).value_or("")).c_str(),
                   response.body.c_str());
      return 1;
    }
    if (response.headers.Has(lambda::kFunctionErrorHeader)) ++function_errors;
  }
  Clock::duration wall = Clock::now() - begin;

  if (options.count == 1) {
    if (!options.quiet) PrintBody(response.body);
    PrintLogTail(response.headers.Get(lambda::kLogResultHeader).value_or(""));
  } else {
    LatencySummary summary = Summarize(latencies);
    std::string text = FormatSummary(summary, function_errors, wall);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  if (auto error = response.headers.Get(lambda::kFunctionErrorHeader)) {
    std::fprintf(stderr, "zerostart invoke: function error (%s: %s)\n",
                 std::string(lambda::kFunctionErrorHeader).c_str(), std::string(*error).c_str());
    return 1;
  }
  return function_errors > 0 ? 1 : 0;
}

}  // namespace zerostart::cli
