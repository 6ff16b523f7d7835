#include "src/benchmark/function_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/package/elf_info.h"
#include "src/package/file_io.h"

namespace zerostart::benchmark {
namespace {

// Enough for any bootstrap worth measuring; the ELF reader needs the whole file.
constexpr uint64_t kMaxElfBytes = 512ull << 20;

std::string ElfArch(const std::string& path) {
  Result<std::string> bytes = package::ReadFileBytes(path, kMaxElfBytes);
  if (!bytes.ok()) return "";
  Result<package::ElfInfo> elf = package::ReadElfInfo(*bytes);
  if (!elf.ok()) return "";
  const std::string name = package::MachineName(elf->machine);
  return name == "x86_64" || name == "arm64" ? name : "";
}

}  // namespace

Result<FunctionSource> FunctionSource::Open(const std::string& path, const std::string& temp_parent) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return NotFoundError(path + ": no such file (give an executable bootstrap or a Lambda zip)");
    return FailedPreconditionError(path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) {
    return InvalidArgumentError(path + " is a folder: name its bootstrap, or a zip made by `zerostart package`");
  }
  if (!S_ISREG(info.st_mode)) return InvalidArgumentError(path + " is neither an executable nor a Lambda zip");
  FunctionSource source;
  source.source_ = path;
  if (package::LooksLikeZip(path)) {
    ZS_ASSIGN_OR_RETURN(package::UnpackedZip unpacked, package::UnpackedZip::Unpack(path, temp_parent));
    source.bootstrap_ = unpacked.bootstrap();
    source.unpacked_.emplace(std::move(unpacked));
  } else if (access(path.c_str(), X_OK) == 0) {
    source.bootstrap_ = path;
  } else {
    return InvalidArgumentError(path + " is neither an executable nor a Lambda zip");
  }
  source.arch_ = ElfArch(source.bootstrap_);
  return source;
}

}  // namespace zerostart::benchmark
