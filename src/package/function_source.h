// FunctionSource: what a user names as a function to run or measure — an executable bootstrap,
// a Lambda zip (as `zerostart package` writes it) unpacked into a private temporary task root
// for as long as the FunctionSource lives, or (SAM's CodeUri) a folder holding a bootstrap —
// and the architecture its ELF says it is built for, with the command that runs it on this host.
// Used by `zerostart bench` and `zerostart serve`.
// Thread safety: a FunctionSource is used by one thread; Open may run concurrently.
#ifndef ZEROSTART_SRC_PACKAGE_FUNCTION_SOURCE_H_
#define ZEROSTART_SRC_PACKAGE_FUNCTION_SOURCE_H_

#include <optional>
#include <string>
#include <vector>

#include "src/package/zip_reader.h"
#include "zerostart/status.h"

namespace zerostart::package {

// Where Debian's qemu-user-static puts its aarch64 emulator (package qemu-user-static).
inline constexpr char kQemuAarch64Path[] = "/usr/bin/qemu-aarch64-static";

class FunctionSource {
 public:
  // `path` names an executable or a zip; a zip is unpacked under `temp_parent` (removed when
  // the FunctionSource goes away). Errors, each saying what to do: NotFound (no such file),
  // InvalidArgument (a folder; a file that is neither an executable nor a Lambda zip; a zip
  // without an executable `bootstrap` at its root or with entries escaping it; an ELF bootstrap
  // for neither x86_64 nor arm64), FailedPrecondition (`temp_parent` not writable, I/O errors).
  // Nothing is left under `temp_parent` on any error.
  static Result<FunctionSource> Open(const std::string& path, const std::string& temp_parent);
  // As Open, and a folder is a task root whose `bootstrap` runs (a SAM template's CodeUri);
  // InvalidArgument when it has no executable bootstrap.
  static Result<FunctionSource> OpenCode(const std::string& path, const std::string& temp_parent);

  FunctionSource(FunctionSource&&) = default;
  FunctionSource& operator=(FunctionSource&&) = default;

  const std::string& source() const { return source_; }        // as given
  const std::string& bootstrap() const { return bootstrap_; }  // what runs
  bool from_zip() const { return unpacked_.has_value(); }
  // The folder that plays /var/task: the unpacked zip's or the given folder; "" for an
  // executable named directly (its own folder then).
  const std::string& task_root() const { return task_root_; }
  // "x86_64" or "arm64" when the bootstrap is an ELF for one of them; "" otherwise (a script).
  const std::string& arch() const { return arch_; }

 private:
  FunctionSource() = default;
  static Result<FunctionSource> OpenAny(const std::string& path, const std::string& temp_parent,
                                        bool folder_is_task_root);

  std::string source_;
  std::string bootstrap_;
  std::string task_root_;
  std::string arch_;
  std::optional<UnpackedZip> unpacked_;
};

// "x86_64" or "arm64": the architecture this program was built for ("" for any other).
std::string HostArch();

// The command line that runs `source`'s bootstrap here: {bootstrap} when it is built for the
// host's architecture or is not an ELF (a script); {qemu_aarch64, bootstrap} for an arm64
// bootstrap on an x86_64 host when `qemu_aarch64` is executable. InvalidArgument otherwise,
// naming the architecture and what to install or rebuild.
Result<std::vector<std::string>> LaunchCommand(const FunctionSource& source, const std::string& qemu_aarch64);

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_FUNCTION_SOURCE_H_
