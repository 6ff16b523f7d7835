#include "src/package/lambda_target.h"

namespace zerostart::package {

std::optional<Arch> ParseArch(std::string_view name) {
  if (name == "x86_64") return Arch::kX86_64;
  if (name == "arm64") return Arch::kArm64;
  return std::nullopt;
}

std::string_view ArchName(Arch arch) { return arch == Arch::kArm64 ? "arm64" : "x86_64"; }

uint16_t ElfMachineFor(Arch arch) { return arch == Arch::kArm64 ? kElfMachineAarch64 : kElfMachineX86_64; }

Result<TargetCheck> CheckLambdaTarget(const ElfInfo& info, std::optional<Arch> wanted) {
  TargetCheck check;
  if (info.machine == kElfMachineX86_64) {
    check.arch = Arch::kX86_64;
  } else if (info.machine == kElfMachineAarch64) {
    check.arch = Arch::kArm64;
  } else {
    return InvalidArgumentError("an ELF for machine " + MachineName(info.machine) +
                                "; Lambda runs x86_64 (EM_X86_64) and arm64 (EM_AARCH64) only");
  }
  if (wanted && *wanted != check.arch) {
    return InvalidArgumentError("an " + std::string(ArchName(check.arch)) + " binary, but --arch is " +
                                std::string(ArchName(*wanted)));
  }
  if (info.is_static()) return check;

  std::optional<GlibcVersion> max = info.max_glibc();
  if (max && *max > kLambdaGlibc) {
    return InvalidArgumentError("dynamically linked and needs GLIBC_" + max->ToString() +
                                ", newer than provided.al2023's glibc " + kLambdaGlibc.ToString() +
                                "; link it statically (-static)");
  }
  std::string libraries;
  for (const std::string& name : info.needed) libraries += (libraries.empty() ? "" : ", ") + name;
  check.warnings.push_back("dynamically linked (interpreter " +
                           (info.interpreter.empty() ? std::string("none") : info.interpreter) +
                           "; needs " + (libraries.empty() ? std::string("no libraries") : libraries) +
                           (max ? ", GLIBC_" + max->ToString() : std::string()) +
                           "): provided.al2023 must supply these at run time; a static binary "
                           "(-static) needs nothing and starts faster");
  return check;
}

}  // namespace zerostart::package
