// File: src/package/elf_info.h
//
// ElfInfo: what `zerostart package` needs to know about a function binary, read from its ELF
// headers: the machine, whether it is statically linked, and for a dynamic one its program
// interpreter, its DT_NEEDED libraries and the GLIBC_x.y symbol versions it requires (from the
// dynamic segment's DT_VERNEED table, i.e. `.gnu.version_r`).
//
// ReadElfInfo is a decoder of untrusted bytes: every offset, size and count is bounds-checked
// against the input, loops are bounded, and malformed input gives an InvalidArgument Status,
// never a crash or an unbounded allocation (fuzzed by zs_elf_info_fuzz). It reads section-less
// (stripped) binaries too: everything comes from the program headers and the dynamic segment.
//
// Typical use:
//   ZS_ASSIGN_OR_RETURN(ElfInfo info, ReadElfInfo(bytes));
//   if (info.machine != kElfMachineX86_64) ...
//
// Thread safety: pure functions on values.
#ifndef ZEROSTART_SRC_PACKAGE_ELF_INFO_H_
#define ZEROSTART_SRC_PACKAGE_ELF_INFO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::package {

// e_machine values (System V ABI). Only these two are Lambda architectures.
inline constexpr uint16_t kElfMachineX86_64 = 62;    // EM_X86_64: Lambda's x86_64
inline constexpr uint16_t kElfMachineAarch64 = 183;  // EM_AARCH64: Lambda's arm64 (Graviton)

// A glibc symbol version such as GLIBC_2.2.5 as numbers {2, 2, 5}; compared element-wise.
struct GlibcVersion {
  std::vector<uint32_t> parts;

  // "2.34"-style text.
  std::string ToString() const;
  friend auto operator<=>(const GlibcVersion&, const GlibcVersion&) = default;
  friend bool operator==(const GlibcVersion&, const GlibcVersion&) = default;
};

// Parses a version name from .gnu.version_r: "GLIBC_2.34" -> {2, 34}. GLIBC_ABI_DT_RELR (a
// marker ld adds for packed relative relocations, which glibc supports from 2.36) -> {2, 36}.
// Anything else (GLIBC_PRIVATE, GCC_3.0, a malformed number) -> nullopt.
std::optional<GlibcVersion> ParseGlibcVersionName(std::string_view name);

struct ElfInfo {
  uint16_t machine = 0;  // e_machine
  uint16_t type = 0;     // e_type: 2 ET_EXEC or 3 ET_DYN (PIE or shared object)
  // PT_INTERP's path (e.g. "/lib64/ld-linux-x86-64.so.2"); empty when there is none.
  std::string interpreter;
  std::vector<std::string> needed;  // DT_NEEDED, in file order
  // Every GLIBC_* version the binary requires (any library), sorted, without duplicates.
  std::vector<GlibcVersion> glibc_versions;

  // True when the binary needs no loader and no shared library (static, or static-pie).
  bool is_static() const { return interpreter.empty() && needed.empty(); }
  // The highest required glibc version; nullopt when none is required.
  std::optional<GlibcVersion> max_glibc() const;
};

// Decodes `bytes`, the whole file. Accepts 64-bit little-endian ELF executables (ET_EXEC or
// ET_DYN) of any machine; the caller checks the machine. Errors (all kInvalidArgument, with a
// message saying what is wrong): not an ELF (no \x7fELF magic; "#!" scripts are named as such),
// 32-bit, big-endian, not an executable (ET_REL, ET_CORE), and any header, table or string that
// lies outside the file or is inconsistent.
Result<ElfInfo> ReadElfInfo(std::string_view bytes);

// "x86_64", "arm64", or "EM_<n>" for other machines.
std::string MachineName(uint16_t machine);

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_ELF_INFO_H_
