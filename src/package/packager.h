// File: src/package/packager.h
//
// Package: `zerostart package`'s work. Reads a function binary, checks that Lambda's
// provided.al2023 can run it (ElfInfo + CheckLambdaTarget), and writes a reproducible zip whose
// root holds `bootstrap` (the binary, mode 0755) and any --include paths (see includes.h for the
// rule), atomically: the output path ends up with the complete zip or is left as it was.
// With `extension` (--extension) the binary is an external extension and the zip a layer: the
// binary goes to `extensions/<its file name>` (mode 0755, beside the `extensions/` directory
// entry), which Lambda extracts to /opt/extensions/ and starts before the runtime (AWS docs
// "Lambda Extensions API"; the name it registers under must be that file name). The checks on
// the binary are the same.
//
// Typical use (src/cli/package_command.cc):
//   PackageOptions options{.binary_path = "build/bin/echo"};
//   ZS_ASSIGN_OR_RETURN(PackageResult result, Package(options));
//   printf("%s: %llu bytes\n", result.output_path.c_str(), result.package_bytes);
//
// Thread safety: reads and writes files; see file_io.h and zip_writer.h for process-wide state
// (umask, time zone).
#ifndef ZEROSTART_SRC_PACKAGE_PACKAGER_H_
#define ZEROSTART_SRC_PACKAGE_PACKAGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/package/elf_info.h"
#include "src/package/lambda_target.h"
#include "zerostart/status.h"

namespace zerostart::package {

// Lambda's deployment package quotas: 250 MB unzipped (counted as 262,144,000 bytes) for
// everything in the function; 50 MB zipped for a direct upload (larger packages go via S3).
inline constexpr uint64_t kLambdaMaxUnzippedBytes = 250ull * 1024 * 1024;
inline constexpr uint64_t kLambdaMaxDirectUploadBytes = 50ull * 1024 * 1024;

struct PackageOptions {
  std::string binary_path;           // FUNCTION_BINARY
  std::optional<Arch> arch;          // --arch; nullopt: the binary's own
  std::string output_path;           // -o; empty: DefaultOutputPath(binary_path)
  std::vector<std::string> includes; // --include paths, relative to `root` or absolute
  std::string root = ".";            // the package root: the current directory
  bool extension = false;            // --extension: a layer with extensions/<name>
};

struct PackageResult {
  std::string output_path;
  std::string entry_name;            // the binary in the zip: "bootstrap" or "extensions/<name>"
  Arch arch = Arch::kX86_64;
  ElfInfo elf;
  uint64_t bootstrap_bytes = 0;
  uint64_t package_bytes = 0;        // the zip's size
  size_t included_files = 0;         // regular files from --include
  std::vector<std::string> warnings; // printed, not fatal (dynamic linking, size over 50 MB)
};

// "<file name of binary_path>.zip", in the current directory: build/bin/echo -> "echo.zip";
// for an extension "<file name>-layer.zip": build/bin/invoke-log -> "invoke-log-layer.zip".
std::string DefaultOutputPath(const std::string& binary_path, bool extension = false);

// The directory of a layer that holds external extensions (/opt/extensions once extracted).
inline constexpr std::string_view kExtensionsDirectory = "extensions/";

// Writes the package. Errors (messages name the path and say what is wrong, for the user):
// kNotFound (no binary, no include), kInvalidArgument (a directory, a script, not an ELF, a
// 32-bit or big-endian ELF, the wrong or an unsupported architecture, a dynamic binary needing
// glibc > 2.34, an --include escaping the root, -o naming a directory or the binary itself),
// kResourceExhausted (over 250 MB unzipped), kFailedPrecondition (unreadable input, unwritable
// output). On any error no file is created or changed at the output path.
Result<PackageResult> Package(const PackageOptions& options);

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_PACKAGER_H_
