// File: src/package/lambda_target.h
//
// What Lambda's `provided.al2023` runtime can execute as `bootstrap`, as a check of an ElfInfo:
// the architecture (x86_64 or arm64) must be the one asked for, and a dynamically linked binary
// must not need a glibc newer than the runtime's (2.34). A static binary is the good case; a
// dynamic one within 2.34 is accepted with a warning (the runtime must supply its libraries).
//
// Thread safety: pure functions on values.
#ifndef ZEROSTART_SRC_PACKAGE_LAMBDA_TARGET_H_
#define ZEROSTART_SRC_PACKAGE_LAMBDA_TARGET_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/package/elf_info.h"
#include "zerostart/status.h"

namespace zerostart::package {

// Lambda's two instruction set architectures, named as Lambda names them.
enum class Arch { kX86_64, kArm64 };

// "x86_64" or "arm64" -> Arch; anything else -> nullopt.
std::optional<Arch> ParseArch(std::string_view name);
std::string_view ArchName(Arch arch);
uint16_t ElfMachineFor(Arch arch);

// glibc of Amazon Linux 2023, the base of `provided.al2023` (glibc-2.34-*.amzn2023).
inline const GlibcVersion kLambdaGlibc{{2, 34}};

struct TargetCheck {
  Arch arch = Arch::kX86_64;          // the binary's architecture
  std::vector<std::string> warnings;  // e.g. "dynamically linked: ..." (empty when static)
};

// Checks `info` against Lambda. `wanted`: the architecture asked for (--arch), or nullopt to
// take the binary's own. Errors (kInvalidArgument, messages meant for the user): a machine
// Lambda does not run; a machine other than `wanted`; a dynamic binary needing a GLIBC_ version
// above kLambdaGlibc (the message names the version and the fix: link statically).
Result<TargetCheck> CheckLambdaTarget(const ElfInfo& info, std::optional<Arch> wanted);

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_LAMBDA_TARGET_H_
