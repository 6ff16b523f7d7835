#include "src/cli/package_command.h"

#include <cstdio>

#include "src/package/packager.h"

namespace zerostart::cli {

CLI::App* AddPackageCommand(CLI::App& app, PackageOptions* options) {
  CLI::App* command = app.add_subcommand(
      "package", "Write a Lambda zip (provided.al2023): FUNCTION_BINARY as bootstrap, plus --include paths");
  command->add_option("--arch", options->arch,
                      "Lambda architecture the binary must be built for (default: the binary's own)")
      ->check(CLI::IsMember({"x86_64", "arm64"}));
  command->add_option("-o,--output", options->output,
                      "The zip to write (default: <binary name>.zip in the current directory)");
  command->add_option("FUNCTION_BINARY", options->binary, "The function's executable (static ELF)")
      ->required();
  command->add_flag("--extension", options->extension,
                    "FUNCTION_BINARY is an external extension: write a layer zip with it as "
                    "extensions/<its file name> (default output: <name>-layer.zip)");
  command->add_option("--include", options->includes,
                      "Files or directories to add beside bootstrap, by their path relative to the "
                      "current directory (which they may not leave)");
  command->footer(
      "Usage: zerostart package [--arch x86_64|arm64] [--extension] [-o function.zip] FUNCTION_BINARY "
      "[--include PATH...]\n"
      "The zip is reproducible (sorted entries, 1980-01-01 timestamps): the same inputs give the same bytes.");
  return command;
}

int RunPackage(const PackageOptions& options) {
  package::PackageOptions package_options;
  package_options.binary_path = options.binary;
  package_options.output_path = options.output;
  package_options.includes = options.includes;
  package_options.extension = options.extension;
  if (!options.arch.empty()) package_options.arch = package::ParseArch(options.arch);

  Result<package::PackageResult> result = package::Package(package_options);
  if (!result.ok()) {
    std::fprintf(stderr, "zerostart package: %s\n", result.status().message().c_str());
    return result.status().code() == StatusCode::kFailedPrecondition ? 1 : 2;
  }
  for (const std::string& warning : result->warnings) {
    std::fprintf(stderr, "zerostart package: warning: %s\n", warning.c_str());
  }
  const package::ElfInfo& elf = result->elf;
  std::printf("zerostart package: wrote %s\n", result->output_path.c_str());
  std::printf("  architecture  %s (%s)\n", std::string(package::ArchName(result->arch)).c_str(),
              elf.is_static() ? "static ELF" : ("dynamic ELF, GLIBC_" +
                                                 (elf.max_glibc() ? elf.max_glibc()->ToString() : "-"))
                                                    .c_str());
  if (options.extension) {
    std::printf("  extension     %llu bytes (%s as %s)\n", static_cast<unsigned long long>(result->bootstrap_bytes),
                options.binary.c_str(), result->entry_name.c_str());
  } else {
    std::printf("  bootstrap     %llu bytes (%s)\n", static_cast<unsigned long long>(result->bootstrap_bytes),
                options.binary.c_str());
  }
  std::printf("  included      %zu files\n", result->included_files);
  std::printf("  package       %llu bytes zipped\n", static_cast<unsigned long long>(result->package_bytes));
  return 0;
}

}  // namespace zerostart::cli
