#include "src/cli/serve_command.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "src/cli/key_values.h"
#include "src/cli/serve_sources.h"
#include "src/cli/temp_parent.h"
#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/emulator/emulator.h"
#include "src/emulator/log_sink.h"

namespace zerostart::cli {
namespace {

std::string UrlHost(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeOptions* options) {
  CLI::App* serve = app.add_subcommand(
      "serve", "Run FUNCTION (a Lambda bootstrap) behind a local Lambda Invoke API");
  serve->add_option("--port", options->port, "Invoke API port (0: any free port)")
      ->capture_default_str();
  serve->add_option("--host", options->host, "Invoke API address (numeric)")->capture_default_str();
  serve->add_option("--memory", options->memory_mb,
                    "Memory size in MB, 128-10240 (as configured on Lambda): the function gets "
                    "MB/1769 vCPU after its init and a memory limit of MB (cgroups, where usable)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve->add_option("--timeout", options->timeout_seconds, "Timeout per invoke, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve->add_option("--env", options->env, "Environment variable K=V for the function (repeatable)")
      ->allow_extra_args(false);
  serve->add_flag("--no-limits", options->no_limits,
                  "Measure only: no CPU share or memory limit for the function (no cgroup)");
  serve->add_flag("--eager", options->eager, "Start the function now, not on the first invoke");
  serve->add_option("--function-name", options->function_name,
                    "Function name (default: the file name of FUNCTION, without .zip)");
  serve->add_option("--template", options->template_path,
                    "Serve the AWS::Serverless::Function resources of this SAM template instead of "
                    "FUNCTION, each under its name (FunctionName, else its logical id) on the one port: "
                    "CodeUri (a folder or a zip), MemorySize, Timeout, Environment, Architectures, "
                    "FunctionUrlConfig, ReservedConcurrentExecutions, Globals.Function");
  serve->add_option("--function", options->template_function,
                    "With --template: serve only this function (its logical id or FunctionName)");
  serve->add_option("--parameter", options->template_parameters,
                    "With --template: KEY=VALUE for the template's parameter KEY instead of its Default "
                    "(repeatable; as sam deploy --parameter-overrides)")
      ->allow_extra_args(false);
  serve->add_option("--protocol", options->protocol,
                    "How to talk to FUNCTION: runtime-api (the function polls the Runtime API, "
                    "AWS_LAMBDA_RUNTIME_API), go1x (legacy go1.x: the function serves Go net/rpc on "
                    "127.0.0.1:$_LAMBDA_SERVER_PORT; we Ping it, then call Function.Invoke), or auto "
                    "(= runtime-api)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "runtime-api", "go1x"}));
  serve->add_option("--stream-bandwidth", options->stream_bandwidth,
                    "Streamed responses: bytes/s allowed after the first 6 MiB, as Lambda caps them "
                    "(0: no cap)")
      ->capture_default_str();
  serve->add_option("--concurrency", options->concurrency,
                    "Execution environments at most (the function's reserved concurrency): an invoke "
                    "takes an idle one or starts a new one (a cold start); with all busy it gets 429 "
                    "TooManyRequestsException")
      ->capture_default_str()
      ->check(CLI::Range(1, emulator::kMaxConcurrency));
  serve->add_option("--max-concurrency", options->max_concurrency,
                    "Lambda Managed Instances: each environment serves up to M invokes at once "
                    "(AWS_LAMBDA_MAX_CONCURRENCY=M), is started before the first invoke and is "
                    "never frozen")
      ->check(CLI::Range(1, lambda::kMaxPerEnvironmentConcurrency));
  serve->add_flag("--no-freeze", options->no_freeze,
                  "Let idle environments run between invokes (default: frozen, as on Lambda)");
  serve->add_option("--idle-timeout", options->idle_timeout_seconds,
                    "Seconds an environment may stay idle before it is shut down (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  serve->add_option("--max-retry-attempts", options->max_retry_attempts,
                    "Event invokes: retries after a function error (Lambda's MaximumRetryAttempts)")
      ->capture_default_str()
      ->check(CLI::Range(0, 2));
  serve->add_option("--max-event-age", options->max_event_age_seconds,
                    "Event invokes: seconds an event may wait for a successful attempt "
                    "(Lambda: 60-21600; shorter is allowed here)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 21600.0));
  serve->add_option("--event-retry-delay", options->event_retry_delay_seconds,
                    "Event invokes: seconds before the first retry after a function error (Lambda: "
                    "about 60; the second waits twice as long, throttle back-off scales alike)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  serve->add_option("--on-failure", options->on_failure,
                    "Event invokes: append each event that finally failed to FILE, one JSON "
                    "invocation record per line (Lambda's on-failure destination)");
  serve->add_option("--extensions", options->extensions_dir,
                    "External extensions: start every executable in DIR in each environment before "
                    "the function, as Lambda starts those in /opt/extensions; they use the Extensions "
                    "and Telemetry APIs at AWS_LAMBDA_RUNTIME_API")
      ->check(CLI::ExistingDirectory);
  serve->add_option("--log-format", options->log_format,
                    "text: Lambda's START/END/REPORT lines; json: Lambda's JSON records "
                    "(platform.start, platform.report, ...) and AWS_LAMBDA_LOG_FORMAT=JSON for the "
                    "function")
      ->capture_default_str();
  serve->add_option("--log-level", options->log_level,
                    "With --log-format json: the function's log level, TRACE..FATAL "
                    "(AWS_LAMBDA_LOG_LEVEL; JSON lines below it are dropped, as Lambda does). "
                    "Default INFO");
  serve->add_option("--system-log-level", options->system_log_level,
                    "With --log-format json: which of Lambda's own records are printed, DEBUG, "
                    "INFO or WARN. Default INFO");
  serve->footer(
      "Usage: zerostart serve [OPTIONS] [--] FUNCTION [ARGS...]\n"
      "       zerostart serve [OPTIONS] --template template.yaml [--function LOGICAL_ID] [--parameter K=V...]\n"
      "FUNCTION: an executable bootstrap, or a Lambda zip (unpacked into a private task root "
      "under $TMPDIR, else /tmp, removed at exit).\n"
      "Routes: POST /2015-03-31/functions/NAME/invocations (Invoke), "
      "POST /2021-11-15/functions/NAME/response-streaming-invocations (InvokeWithResponseStream), "
      "ANY /lambda-url/NAME/PATH (Function URL); NAME may be 'function' while one function is served.");
  // FUNCTION and its ARGS: everything from the first positional on is passed through untouched.
  serve->prefix_command();
  return serve;
}

int RunServe(const ServeOptions& options, const std::vector<std::string>& command) {
  const bool from_template = !options.template_path.empty();
  if (!from_template && (!options.template_function.empty() || !options.template_parameters.empty())) {
    std::fprintf(stderr, "zerostart serve: --function and --parameter need --template\n");
    return 2;
  }
  if (from_template && (!command.empty() || !options.function_name.empty())) {
    std::fprintf(stderr, "zerostart serve: --template names the functions: give no FUNCTION and no --function-name\n");
    return 2;
  }
  if (!from_template && command.empty()) {
    std::fprintf(stderr, "zerostart serve: FUNCTION is required (zerostart serve --help)\n");
    return 2;
  }
  emulator::EmulatorOptions emulator_options;
  emulator_options.function.name = options.function_name;
  emulator_options.function.memory_mb = options.memory_mb;
  emulator_options.function.timeout_seconds = options.timeout_seconds;
  Result<emulator::Protocol> protocol = emulator::ParseProtocol(options.protocol);
  if (!protocol.ok()) {
    std::fprintf(stderr, "zerostart serve: --protocol: %s\n", protocol.status().message().c_str());
    return 2;
  }
  emulator_options.function.protocol = *protocol;
  Result<EnvMap> env = ParseKeyValues(options.env, "--env");
  if (!env.ok()) {
    std::fprintf(stderr, "zerostart serve: %s\n", env.status().message().c_str());
    return 2;
  }
  emulator_options.function.env_overrides = std::move(env).value();
  emulator_options.invoke_address = {options.host, options.port};
  emulator_options.eager = options.eager;
  emulator_options.enforce_limits = !options.no_limits;
  emulator_options.stream_limits.bytes_per_second = options.stream_bandwidth;
  emulator_options.concurrency = options.concurrency;
  emulator_options.max_concurrency = options.max_concurrency;
  emulator_options.freeze = !options.no_freeze;
  emulator_options.idle_timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(options.idle_timeout_seconds));
  emulator_options.async.max_retry_attempts = options.max_retry_attempts;
  emulator_options.async.max_event_age = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(options.max_event_age_seconds));
  emulator_options.async.retry_delay_seconds = options.event_retry_delay_seconds;
  emulator_options.async.on_failure_path = options.on_failure;
  emulator_options.extensions_dir = options.extensions_dir;
  Result<emulator::LogFormat> log_format = emulator::ParseLogFormat(options.log_format);
  if (!log_format.ok()) {
    std::fprintf(stderr, "zerostart serve: --log-format: %s\n", log_format.status().message().c_str());
    return 2;
  }
  emulator::LoggingConfig& logging = emulator_options.function.logging;
  logging.format = *log_format;
  if (logging.format != emulator::LogFormat::kJson &&
      (!options.log_level.empty() || !options.system_log_level.empty())) {
    // Lambda refuses log levels with the Text format too (LoggingConfig).
    std::fprintf(stderr, "zerostart serve: --log-level and --system-log-level need --log-format json\n");
    return 2;
  }
  struct LevelFlag {
    const char* flag;
    const std::string& given;
    Result<std::string> (*parse)(std::string_view);
    std::string* level;
  };
  for (const LevelFlag& flag : {LevelFlag{"--log-level", options.log_level, emulator::ParseApplicationLogLevel,
                                          &logging.application_level},
                                LevelFlag{"--system-log-level", options.system_log_level,
                                          emulator::ParseSystemLogLevel, &logging.system_level}}) {
    if (flag.given.empty()) continue;
    Result<std::string> level = flag.parse(flag.given);
    if (!level.ok()) {
      std::fprintf(stderr, "zerostart serve: %s: %s\n", flag.flag, level.status().message().c_str());
      return 2;
    }
    *flag.level = *level;
  }
  emulator::FdLogSink sink(STDOUT_FILENO, STDERR_FILENO);
  emulator_options.sink = &sink;

  // glibc gives each thread that allocates its own arena (up to 8 per core): serve's connection
  // and environment threads, passing payloads of up to 6 MB, then hold freed memory in many
  // arenas, and RSS drifts upward under load. Two arenas keep it flat at half the size, at no
  // measurable cost in invokes per second (bench/soak.cc, docs/benchmarks/soak.md).
  mallopt(M_ARENA_MAX, 2);
  // glibc raises its mmap threshold to the size of any mmapped block freed, so once a 1 MB
  // payload copy is freed the next ones are carved from the arenas, between long-lived buffers,
  // and the holes they leave keep RSS several MiB higher and drifting (go1.x mode, where each
  // environment's connection holds a read buffer). A fixed threshold sends blocks of 512 KiB and
  // more to mmap and back to the system when freed; a fixed trim threshold (fixing one stops
  // glibc's adjusting of the other) keeps free() from returning the arenas' top in small pieces
  // at every large free. With both, go1.x serve holds 27-28 MiB flat instead of 83-98 MiB after a
  // warm-up of 1 MiB invokes, at the same invokes per second (docs/benchmarks/soak.md).
  mallopt(M_MMAP_THRESHOLD, 512 * 1024);
  mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);

  // Signals are taken by sigwait below; every thread (started after this) inherits the mask.
  // The function process gets a clean mask and dispositions (FunctionProcess). Blocked before a
  // zip is unpacked, so that SIGINT/SIGTERM end serve through the path that removes it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed stdout must not kill the emulator

  Result<ServedFunctions> resolved =
      from_template ? ServeTemplate(emulator_options, options.template_path, options.template_function,
                                    options.template_parameters, TempParent())
                    : ServeCommandLine(emulator_options, command, TempParent());
  if (!resolved.ok()) {
    std::string message = resolved.status().message();
    if (resolved.status().code() == StatusCode::kFailedPrecondition) {
      message += " (zips are unpacked under $TMPDIR, else /tmp)";
    }
    std::fprintf(stderr, "zerostart serve: %s\n", message.c_str());
    return 2;
  }
  // Declared before the emulator: the task roots go after it has stopped every function.
  ServedFunctions served = std::move(resolved).value();
  for (const std::string& warning : served.warnings) sink.WriteStderr(warning + "\n");

  std::vector<bool> served_urls;
  for (const emulator::EmulatorOptions& function : served.functions) served_urls.push_back(function.function_url);
  auto started = emulator::Emulator::Start(std::move(served.functions));
  if (!started.ok()) {
    const Status& status = started.status();
    if (status.code() == StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "zerostart serve: %s\n", status.message().c_str());
      return 2;
    }
    std::fprintf(stderr, "zerostart serve: cannot listen on http://%s:%u: %s\n",
                 UrlHost(options.host).c_str(), static_cast<unsigned>(options.port),
                 status.message().c_str());
    return 1;
  }
  std::unique_ptr<emulator::Emulator> emulator = std::move(started).value();
  if (!net::IsLoopback(options.host)) {
    // Lambda's Invoke API is signed with SigV4; this one checks nothing.
    sink.WriteStderr("zerostart: warning: the Invoke API on " + UrlHost(options.host) +
                     " has no authentication: anyone who can reach this address can invoke the function\n");
  }
  const std::string base_url = "http://" + UrlHost(options.host) + ":" + std::to_string(emulator->invoke_port());
  std::string wire = emulator->protocol() == emulator::Protocol::kGo1x
                         ? "go1.x net/rpc client, _LAMBDA_SERVER_PORT per environment"
                         : "Runtime API per environment";
  if (from_template) {
    // A line per function, then the ready line.
    for (size_t i = 0; i < emulator->function_count(); ++i) {
      const emulator::PoolOptions& pool = emulator->pool(i).options();
      sink.WriteStderr("zerostart: function " + pool.function.name + " (" + pool.function.directory + ", " +
                       std::to_string(pool.config.memory_mb) + " MB, " +
                       std::to_string(static_cast<int>(pool.config.timeout_seconds)) + " s, up to " +
                       std::to_string(pool.concurrency) + " environment" + (pool.concurrency == 1 ? "" : "s") +
                       "): " + base_url + "/2015-03-31/functions/" + pool.function.name + "/invocations\n");
      if (served_urls[i]) {
        sink.WriteStderr("zerostart: function URL " + base_url + "/lambda-url/" + pool.function.name + "/\n");
      }
    }
    sink.WriteStderr("zerostart: serving " + options.template_path + " on " + base_url + " (" + wire + ", " +
                     std::to_string(emulator->function_count()) + " function" +
                     (emulator->function_count() == 1 ? "" : "s") + ")\n");
  } else {
    wire += ", up to " + std::to_string(options.concurrency) + " environment" +
            (options.concurrency == 1 ? "" : "s");
    if (options.max_concurrency > 0) {
      wire += " x " + std::to_string(options.max_concurrency) + " invokes (Lambda Managed Instances)";
    }
    sink.WriteStderr("zerostart: serving " + command[0] + " on " + base_url + " (" + wire + ")\n" +
                     "zerostart: function URL " + base_url + "/lambda-url/" + emulator->function().name + "/\n");
  }

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  emulator->Stop();
  return 0;
}

}  // namespace zerostart::cli
