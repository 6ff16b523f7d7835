#include "src/package/packager.h"

#include <sys/stat.h>

#include <utility>

#include "src/package/file_io.h"
#include "src/package/includes.h"
#include "src/package/zip_writer.h"

namespace zerostart::package {
namespace {

// The binary: its bytes, if it is a file Lambda could execute as bootstrap.
Result<std::string> ReadBinary(const std::string& path) {
  Result<std::string> bytes = ReadFileBytes(path, kLambdaMaxUnzippedBytes);
  if (bytes.ok()) return bytes;
  if (bytes.status().code() == StatusCode::kResourceExhausted) {
    return ResourceExhaustedError(path + ": larger than Lambda's limit of " +
                                  std::to_string(kLambdaMaxUnzippedBytes) + " bytes unzipped");
  }
  return bytes.status();
}

// The last component of `path` ("" for "/" or "").
std::string FileName(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  size_t slash = trimmed.rfind('/');
  std::string name = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  return name == "/" ? std::string() : name;
}

}  // namespace

std::string DefaultOutputPath(const std::string& binary_path, bool extension) {
  std::string name = FileName(binary_path);
  if (name.empty()) name = extension ? "extension" : "function";
  return name + (extension ? "-layer.zip" : ".zip");
}

Result<PackageResult> Package(const PackageOptions& options) {
  if (options.binary_path.empty()) return InvalidArgumentError("FUNCTION_BINARY is required");
  PackageResult result;
  ZS_ASSIGN_OR_RETURN(std::string binary, ReadBinary(options.binary_path));
  Result<ElfInfo> elf = ReadElfInfo(binary);
  if (!elf.ok()) return elf.status().WithContext(options.binary_path);
  result.elf = std::move(elf).value();
  Result<TargetCheck> target = CheckLambdaTarget(result.elf, options.arch);
  if (!target.ok()) return target.status().WithContext(options.binary_path);
  result.arch = target->arch;
  result.warnings = std::move(target->warnings);
  result.bootstrap_bytes = binary.size();

  if (options.extension) {
    std::string name = FileName(options.binary_path);
    if (name.empty()) return InvalidArgumentError(options.binary_path + ": no file name to name the extension by");
    result.entry_name = std::string(kExtensionsDirectory) + name;
  } else {
    result.entry_name = "bootstrap";
  }
  result.output_path = options.output_path.empty() ? DefaultOutputPath(options.binary_path, options.extension)
                                                   : options.output_path;
  IncludeOptions include_options{options.root, {}, kLambdaMaxUnzippedBytes - binary.size()};
  struct stat output_stat, binary_stat;
  if (::stat(result.output_path.c_str(), &output_stat) == 0) {
    if (::stat(options.binary_path.c_str(), &binary_stat) == 0 && output_stat.st_dev == binary_stat.st_dev &&
        output_stat.st_ino == binary_stat.st_ino) {
      return InvalidArgumentError(result.output_path + ": is the function binary itself; choose another -o");
    }
    include_options.skip.emplace_back(output_stat.st_dev, output_stat.st_ino);  // a previous package
  }
  ZS_ASSIGN_OR_RETURN(std::vector<ZipEntry> entries, CollectIncludes(options.includes, include_options));
  for (const ZipEntry& entry : entries) result.included_files += entry.is_directory() ? 0u : 1u;
  if (options.extension) entries.push_back(ZipEntry{std::string(kExtensionsDirectory), {}, 0755});
  entries.push_back(ZipEntry{result.entry_name, std::move(binary), 0755});

  ZS_ASSIGN_OR_RETURN(std::string zip, BuildZip(std::move(entries)));
  result.package_bytes = zip.size();
  if (zip.size() > kLambdaMaxDirectUploadBytes) {
    result.warnings.push_back("the package is larger than 50 MB: Lambda accepts it only through S3");
  }
  ZS_RETURN_IF_ERROR(WriteFileAtomically(result.output_path, zip));
  return result;
}

}  // namespace zerostart::package
