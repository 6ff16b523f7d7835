// `zerostart package`: writes a Lambda deployment zip (`bootstrap` + --include paths) for a
// function binary, after checking that provided.al2023 can run it; with --extension, a layer zip
// holding an external extension as extensions/NAME. The work is in src/package.
#ifndef ZEROSTART_SRC_CLI_PACKAGE_COMMAND_H_
#define ZEROSTART_SRC_CLI_PACKAGE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace zerostart::cli {

struct PackageOptions {
  std::string arch;                   // "" (the binary's own) | x86_64 | arm64
  std::string output;                 // -o; "" -> <binary name>.zip in the current directory
  std::string binary;                 // FUNCTION_BINARY
  std::vector<std::string> includes;  // --include PATH...
  bool extension = false;             // --extension: BINARY is an extension, the zip a layer
};

CLI::App* AddPackageCommand(CLI::App& app, PackageOptions* options);

// Writes the package and prints its path, size, architecture and bootstrap (or extension) size
// on stdout
// (warnings on stderr). Returns 0; 2 when the input is refused (the binary, --arch, an
// --include, -o naming a directory); 1 when the output cannot be written.
int RunPackage(const PackageOptions& options);

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_PACKAGE_COMMAND_H_
