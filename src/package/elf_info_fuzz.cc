// libFuzzer target for the ELF reader (ReadElfInfo), which decodes untrusted bytes: never
// crashes, never reads out of bounds (ASan), never allocates without bound, and on success
// returns a consistent ElfInfo.
//
// Input: the file's bytes. Run: scripts/fuzz.sh (the "elf_info" target; corpus
// tests/testdata/elf_corpus: real ELF headers of static, dynamic and static-pie binaries,
// truncated to a few KB).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/package/elf_info.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using zerostart::package::ElfInfo;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  zerostart::Result<ElfInfo> info = zerostart::package::ReadElfInfo(bytes);
  if (!info.ok()) {
    Check(info.status().code() == zerostart::StatusCode::kInvalidArgument);
    Check(!info.status().message().empty());
    return 0;
  }
  Check(size >= 64);
  Check(info->type == 2 || info->type == 3);
  for (size_t i = 1; i < info->glibc_versions.size(); ++i) {
    Check(info->glibc_versions[i - 1] < info->glibc_versions[i]);  // sorted, no duplicates
  }
  Check(info->interpreter.size() < size);  // every name was read from the input
  for (const std::string& name : info->needed) Check(name.size() < size);
  Check(info->is_static() == (info->interpreter.empty() && info->needed.empty()));
  return 0;
}
