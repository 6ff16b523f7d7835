// Test helpers for src/package: a minimal ELF64 builder (so tests can make any header, table
// or corruption), the seed corpus files (real gcc output, see elf_info_test.cc), and a scratch
// directory.
#ifndef ZEROSTART_SRC_PACKAGE_ELF_TEST_UTIL_H_
#define ZEROSTART_SRC_PACKAGE_ELF_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "src/common/testing/test_config.h"

namespace zerostart::package::testing {

struct ElfSpec {
  uint16_t machine = 62;  // EM_X86_64
  uint16_t type = 2;      // ET_EXEC
  std::string interpreter;  // empty: no PT_INTERP
  std::vector<std::string> needed;
  // (library, version names) for DT_VERNEED; empty: none.
  std::vector<std::pair<std::string, std::vector<std::string>>> version_needs;
  bool dynamic_segment = true;  // emit PT_DYNAMIC (when there is anything to put in it)
};

struct BuiltElf {
  std::string bytes;
  uint64_t dynamic_offset = 0, strtab_offset = 0, verneed_offset = 0;
};

inline void Put(std::string* out, uint64_t at, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) (*out)[at + static_cast<uint64_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xff);
}

// Layout: ELF header, program headers (PT_LOAD of the whole file at 0x400000, PT_INTERP,
// PT_DYNAMIC), interpreter, string table, version-needed table, dynamic table.
inline BuiltElf BuildElf(const ElfSpec& spec) {
  constexpr uint64_t kBase = 0x400000;
  BuiltElf built;
  std::string strtab(1, '\0');
  auto intern = [&strtab](const std::string& s) {
    uint64_t at = strtab.size();
    strtab += s;
    strtab += '\0';
    return at;
  };
  std::vector<uint64_t> needed;
  for (const std::string& n : spec.needed) needed.push_back(intern(n));
  std::string verneed;
  for (size_t f = 0; f < spec.version_needs.size(); ++f) {
    const auto& [file, names] = spec.version_needs[f];
    std::string entry(16 + 16 * names.size(), '\0');
    Put(&entry, 0, 1, 2);
    Put(&entry, 2, names.size(), 2);
    Put(&entry, 4, intern(file), 4);
    Put(&entry, 8, 16, 4);
    Put(&entry, 12, f + 1 < spec.version_needs.size() ? entry.size() : 0, 4);
    for (size_t v = 0; v < names.size(); ++v) {
      uint64_t at = 16 + 16 * v;
      Put(&entry, at + 8, intern(names[v]), 4);
      Put(&entry, at + 12, v + 1 < names.size() ? 16 : 0, 4);
    }
    verneed += entry;
  }
  bool has_dynamic = spec.dynamic_segment && (!needed.empty() || !verneed.empty() || !spec.interpreter.empty());
  uint64_t phnum = 1 + (spec.interpreter.empty() ? 0 : 1) + (has_dynamic ? 1 : 0);
  uint64_t interp_at = 64 + 56 * phnum;
  uint64_t strtab_at = interp_at + (spec.interpreter.empty() ? 0 : spec.interpreter.size() + 1);
  uint64_t verneed_at = (strtab_at + strtab.size() + 7) / 8 * 8;
  uint64_t dynamic_at = verneed_at + verneed.size();
  std::vector<std::pair<uint64_t, uint64_t>> dyn;
  for (uint64_t n : needed) dyn.push_back({1, n});
  dyn.push_back({5, kBase + strtab_at});
  dyn.push_back({10, strtab.size()});
  if (!verneed.empty()) {
    dyn.push_back({0x6ffffffe, kBase + verneed_at});
    dyn.push_back({0x6fffffff, spec.version_needs.size()});
  }
  dyn.push_back({0, 0});
  uint64_t size = dynamic_at + (has_dynamic ? 16 * dyn.size() : 0);
  std::string& b = built.bytes;
  b.assign(size, '\0');
  b.replace(0, 4, "\x7f" "ELF");
  b[4] = 2;  // ELFCLASS64
  b[5] = 1;  // little-endian
  b[6] = 1;
  Put(&b, 16, spec.type, 2);
  Put(&b, 18, spec.machine, 2);
  Put(&b, 20, 1, 4);
  Put(&b, 24, kBase + 64, 8);
  Put(&b, 32, 64, 8);
  Put(&b, 52, 64, 2);
  Put(&b, 54, 56, 2);
  Put(&b, 56, phnum, 2);
  auto phdr = [&b](uint64_t i, uint64_t type, uint64_t offset, uint64_t filesz) {
    uint64_t at = 64 + 56 * i;
    Put(&b, at, type, 4);
    Put(&b, at + 8, offset, 8);
    Put(&b, at + 16, kBase + offset, 8);
    Put(&b, at + 24, kBase + offset, 8);
    Put(&b, at + 32, filesz, 8);
    Put(&b, at + 40, filesz, 8);
  };
  uint64_t i = 0;
  phdr(i++, 1, 0, size);
  if (!spec.interpreter.empty()) {
    phdr(i++, 3, interp_at, spec.interpreter.size() + 1);
    b.replace(interp_at, spec.interpreter.size(), spec.interpreter);
  }
  b.replace(strtab_at, strtab.size(), strtab);
  b.replace(verneed_at, verneed.size(), verneed);
  if (has_dynamic) {
    phdr(i++, 2, dynamic_at, 16 * dyn.size());
    for (size_t d = 0; d < dyn.size(); ++d) {
      Put(&b, dynamic_at + 16 * d, dyn[d].first, 8);
      Put(&b, dynamic_at + 16 * d + 8, dyn[d].second, 8);
    }
  }
  built.dynamic_offset = dynamic_at;
  built.strtab_offset = strtab_at;
  built.verneed_offset = verneed_at;
  return built;
}

// A typical dynamic glibc executable: ld-linux, libc.so.6, GLIBC_2.2.5 and `top_version`.
inline BuiltElf DynamicGlibcElf(const std::string& top_version = "GLIBC_2.34", uint16_t type = 3) {
  ElfSpec spec;
  spec.type = type;
  spec.interpreter = "/lib64/ld-linux-x86-64.so.2";
  spec.needed = {"libstdc++.so.6", "libc.so.6"};
  spec.version_needs = {{"libstdc++.so.6", {"GLIBCXX_3.4"}}, {"libc.so.6", {"GLIBC_2.2.5", top_version}}};
  return BuildElf(spec);
}

inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// tests/testdata/elf_corpus/<name>.
inline std::string CorpusPath(const std::string& name) {
  return zerostart::testing::SourcePath("tests/testdata/elf_corpus/" + name);
}
inline std::string CorpusFile(const std::string& name) { return ReadTestFile(CorpusPath(name)); }

inline void WriteTestFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A fresh directory under /tmp, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = "/tmp/zs_package_test_XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // The names in the directory (not recursive), sorted.
  std::vector<std::string> List() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

}  // namespace zerostart::package::testing

#endif  // ZEROSTART_SRC_PACKAGE_ELF_TEST_UTIL_H_
