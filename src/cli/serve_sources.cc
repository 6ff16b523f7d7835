#include "src/cli/serve_sources.h"

#include <map>

#include "src/common/lambda_protocol.h"
#include "src/cli/key_values.h"
#include "src/package/sam_template.h"
#include "src/package/zip_reader.h"

namespace zerostart::cli {
namespace {

std::string FileName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Points `config` at `source`: the command that runs its bootstrap here (under qemu when it
// must be), its task root, and "bootstrap" as _HANDLER when none is given.
Status UseSource(const package::FunctionSource& source, emulator::FunctionConfig* config) {
  ZS_ASSIGN_OR_RETURN(std::vector<std::string> launch, package::LaunchCommand(source, package::kQemuAarch64Path));
  config->path = launch[0];
  config->args.insert(config->args.begin(), launch.begin() + 1, launch.end());
  config->task_root = source.task_root();
  if (config->handler.empty()) config->handler = FileName(source.bootstrap());
  return OkStatus();
}

}  // namespace

Result<ServedFunctions> ServeCommandLine(const emulator::EmulatorOptions& base,
                                         const std::vector<std::string>& command, const std::string& temp_parent) {
  ServedFunctions served;
  emulator::EmulatorOptions options = base;
  options.function.path = command[0];
  options.function.args.assign(command.begin() + 1, command.end());
  if (package::LooksLikeZip(command[0])) {
    ZS_ASSIGN_OR_RETURN(package::FunctionSource source, package::FunctionSource::Open(command[0], temp_parent));
    ZS_RETURN_IF_ERROR(UseSource(source, &options.function));
    if (options.function.name.empty()) {
      std::string stem = FileName(command[0]);
      if (stem.ends_with(".zip")) stem.resize(stem.size() - 4);
      options.function.name = emulator::FunctionNameFromFile(stem);
    }
    served.sources.push_back(std::move(source));
  }
  served.functions.push_back(std::move(options));
  return served;
}

Result<ServedFunctions> ServeTemplate(const emulator::EmulatorOptions& base, const std::string& template_path,
                                      const std::string& only, const std::vector<std::string>& parameters,
                                      const std::string& temp_parent) {
  ZS_ASSIGN_OR_RETURN(EnvMap parsed, ParseKeyValues(parameters, "--parameter"));
  const std::map<std::string, std::string> overrides(parsed.begin(), parsed.end());
  ZS_ASSIGN_OR_RETURN(package::SamTemplate sam, package::LoadSamTemplate(template_path, only, overrides));
  ServedFunctions served;
  if (!sam.unsupported.empty()) {
    std::string list;
    for (const std::string& feature : sam.unsupported) list += (list.empty() ? "" : ", ") + feature;
    served.warnings.push_back("zerostart: warning: " + template_path + ": not emulated, ignored: " + list);
  }
  for (const package::SamFunction& function : sam.functions) {
    const std::string context = template_path + ": function " + function.logical_id + ": ";
    auto fail = [&](const Status& status) { return Status(status.code(), context + status.message()); };
    Result<package::FunctionSource> source = package::FunctionSource::OpenCode(function.code_path, temp_parent);
    if (!source.ok()) {
      if (!function.image) return fail(source.status());
      return fail(Status(source.status().code(),
                         "PackageType Image is served from its Metadata.DockerContext, which must hold the bootstrap "
                         "the image runs (build the project first): " + source.status().message()));
    }
    if (!source->arch().empty() && source->arch() != function.architecture) {
      return fail(InvalidArgumentError("Architectures says " + function.architecture +
                                       " (x86_64 when not set) but the bootstrap in " + function.code_path +
                                       " is built for " + source->arch() + ": rebuild it or change Architectures"));
    }
    emulator::EmulatorOptions options = base;
    emulator::FunctionConfig& config = options.function;
    config.name = function.name;
    config.handler = function.handler;
    config.args.clear();
    if (Status used = UseSource(*source, &config); !used.ok()) return fail(used);
    if (function.memory_mb) config.memory_mb = *function.memory_mb;
    if (function.timeout_seconds) config.timeout_seconds = *function.timeout_seconds;
    if (config.memory_mb < lambda::kMinMemoryMb || config.memory_mb > lambda::kMaxMemoryMb) {
      return fail(InvalidArgumentError("MemorySize " + std::to_string(config.memory_mb) + " is outside Lambda's range of " +
                                       std::to_string(lambda::kMinMemoryMb) + " to " +
                                       std::to_string(lambda::kMaxMemoryMb) + " MB"));
    }
    if (!(config.timeout_seconds > 0) || config.timeout_seconds > lambda::kMaxTimeoutSeconds) {
      return fail(InvalidArgumentError("Timeout must be 1 to " + std::to_string(static_cast<int>(lambda::kMaxTimeoutSeconds)) + " seconds"));
    }
    // The template's variables, then serve's --env over them.
    EnvMap env(function.environment.begin(), function.environment.end());
    for (const auto& [key, value] : base.function.env_overrides) env[key] = value;
    config.env_overrides = std::move(env);
    if (function.reserved_concurrency) {
      if (*function.reserved_concurrency < 1 || *function.reserved_concurrency > emulator::kMaxConcurrency) {
        return fail(InvalidArgumentError("ReservedConcurrentExecutions " +
                                         std::to_string(*function.reserved_concurrency) + " cannot be served (1-" +
                                         std::to_string(emulator::kMaxConcurrency) + "; 0 throttles every invoke)"));
      }
      options.concurrency = *function.reserved_concurrency;
    }
    options.function_url = function.function_url;
    served.functions.push_back(std::move(options));
    served.sources.push_back(std::move(source).value());
  }
  return served;
}

}  // namespace zerostart::cli
