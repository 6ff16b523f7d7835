#include "src/package/function_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/package/elf_info.h"
#include "src/package/file_io.h"

namespace zerostart::package {
namespace {

// Enough for any bootstrap worth running; the ELF reader needs the whole file.
constexpr uint64_t kMaxElfBytes = 512ull << 20;

// "x86_64" or "arm64" for an ELF bootstrap built for Lambda, "" for what is not an ELF (a
// script). InvalidArgument for an ELF Lambda cannot run (another machine, 32-bit, malformed).
Result<std::string> ElfArch(const std::string& path, const std::string& shown) {
  Result<std::string> bytes = ReadFileBytes(path, kMaxElfBytes);
  if (!bytes.ok() || !bytes->starts_with("\x7f" "ELF")) return std::string();
  Result<ElfInfo> elf = ReadElfInfo(*bytes);
  if (!elf.ok()) {
    return InvalidArgumentError(shown + " is not a Lambda bootstrap: " + elf.status().message() +
                                " (build it for x86_64 or arm64 Linux)");
  }
  const std::string name = MachineName(elf->machine);
  if (name != "x86_64" && name != "arm64") {
    return InvalidArgumentError(shown + " is built for " + name +
                                ", which Lambda does not run: build it for x86_64 or arm64 Linux");
  }
  return name;
}

}  // namespace

Result<FunctionSource> FunctionSource::Open(const std::string& path, const std::string& temp_parent) {
  return OpenAny(path, temp_parent, /*folder_is_task_root=*/false);
}

Result<FunctionSource> FunctionSource::OpenCode(const std::string& path, const std::string& temp_parent) {
  return OpenAny(path, temp_parent, /*folder_is_task_root=*/true);
}

Result<FunctionSource> FunctionSource::OpenAny(const std::string& path, const std::string& temp_parent,
                                               bool folder_is_task_root) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return NotFoundError(path + ": no such file (give an executable bootstrap or a Lambda zip)");
    return FailedPreconditionError(path + ": " + std::strerror(errno));
  }
  FunctionSource source;
  source.source_ = path;
  std::string shown = path;  // how the bootstrap is named in messages
  if (S_ISDIR(info.st_mode)) {
    if (!folder_is_task_root) {
      return InvalidArgumentError(path + " is a folder: name its bootstrap, or a zip made by `zerostart package`");
    }
    source.task_root_ = path;
    source.bootstrap_ = path + "/bootstrap";
    shown = source.bootstrap_;
    if (access(source.bootstrap_.c_str(), X_OK) != 0) {
      return InvalidArgumentError("the folder " + path + " has no executable bootstrap (" + std::strerror(errno) +
                                  "): Lambda's provided runtimes run /var/task/bootstrap");
    }
  } else if (!S_ISREG(info.st_mode)) {
    return InvalidArgumentError(path + " is neither an executable nor a Lambda zip");
  } else if (LooksLikeZip(path)) {
    ZS_ASSIGN_OR_RETURN(UnpackedZip unpacked, UnpackedZip::Unpack(path, temp_parent));
    source.bootstrap_ = unpacked.bootstrap();
    source.task_root_ = unpacked.task_root();
    source.unpacked_.emplace(std::move(unpacked));
    shown = "bootstrap in " + path;
  } else if (access(path.c_str(), X_OK) == 0) {
    source.bootstrap_ = path;
  } else {
    return InvalidArgumentError(path + " is neither an executable nor a Lambda zip");
  }
  // On an error the unpacked zip, if any, goes with `source`.
  ZS_ASSIGN_OR_RETURN(source.arch_, ElfArch(source.bootstrap_, shown));
  return source;
}

std::string HostArch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "arm64";
#else
  return "";
#endif
}

Result<std::vector<std::string>> LaunchCommand(const FunctionSource& source, const std::string& qemu_aarch64) {
  const std::string host = HostArch();
  if (source.arch().empty() || source.arch() == host) return std::vector<std::string>{source.bootstrap()};
  if (source.arch() == "arm64" && host == "x86_64") {
    if (access(qemu_aarch64.c_str(), X_OK) == 0) return std::vector<std::string>{qemu_aarch64, source.bootstrap()};
    return InvalidArgumentError(source.source() + " is an arm64 bootstrap and this host is x86_64: install " +
                                qemu_aarch64 + " (Debian package qemu-user-static) to run it emulated, or "
                                "build it for x86_64");
  }
  return InvalidArgumentError(source.source() + " is an " + source.arch() + " bootstrap and this host is " +
                              (host.empty() ? std::string("neither x86_64 nor arm64") : host) +
                              ": build it for " + (host.empty() ? std::string("this host") : host));
}

}  // namespace zerostart::package
