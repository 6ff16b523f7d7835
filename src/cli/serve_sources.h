// What `zerostart serve` is asked to run, made the emulator's configuration: an executable as
// given, a Lambda zip unpacked into a private task root, or the functions of a SAM template
// (each with its own pool, all on the one Invoke API port).
// Thread safety: one thread.
#ifndef ZEROSTART_SRC_CLI_SERVE_SOURCES_H_
#define ZEROSTART_SRC_CLI_SERVE_SOURCES_H_

#include <string>
#include <vector>

#include "src/emulator/emulator.h"
#include "src/package/function_source.h"
#include "zerostart/status.h"

namespace zerostart::cli {

struct ServedFunctions {
  std::vector<emulator::EmulatorOptions> functions;  // one per function, for Emulator::Start
  // The unpacked task roots: removed when these go, so they must outlive the emulator.
  std::vector<package::FunctionSource> sources;
  std::vector<std::string> warnings;  // one line each, for stderr
};

// FUNCTION [ARGS...] as given to serve, over `base` (serve's options; its function.path is
// ignored). A zip is unpacked under `temp_parent`; its function is named after the zip (fn.zip:
// "fn") unless base.function.name is set; an arm64 bootstrap on x86_64 runs under qemu.
// Anything else is passed on as an executable. Errors: those of package::FunctionSource and
// package::LaunchCommand; nothing is left under `temp_parent` then.
Result<ServedFunctions> ServeCommandLine(const emulator::EmulatorOptions& base,
                                         const std::vector<std::string>& command, const std::string& temp_parent);

// The functions of the SAM template at `template_path` (all, or only the one `only` names; its
// parameters' Defaults replaced by `parameters`, KEY=VALUE each), over
// `base`: the template's MemorySize, Timeout, ReservedConcurrentExecutions replace serve's values,
// its Environment.Variables come under serve's --env, FunctionUrlConfig opens the function URL.
// Each CodeUri is opened as a task root (a zip unpacked under `temp_parent`). Errors: those of
// package::LoadSamTemplate, a parameter not given as KEY=VALUE, of opening a CodeUri (named with its function), a bootstrap
// built for another architecture than Architectures says, an arm64 one without qemu; nothing is
// left under `temp_parent` then.
Result<ServedFunctions> ServeTemplate(const emulator::EmulatorOptions& base, const std::string& template_path,
                                      const std::string& only, const std::vector<std::string>& parameters,
                                      const std::string& temp_parent);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_SERVE_SOURCES_H_
