// ReadElfInfo on real binaries (tests/testdata/elf_corpus: gcc 12 / aarch64-linux-gnu-gcc 12
// output from Debian 12, built with `-Os -s -Wl,-z,noseparate-code -Wl,--build-id=none
// -Wl,-z,norelro`: static_* and static_pie_* are `_start` doing exit(0) with -nostdlib,
// dynamic_glibc234_* is puts("hello") (GLIBC_2.2.5, GLIBC_2.34), dynamic_glibc236_* calls
// arc4random (GLIBC_2.36), echo_head_x86_64 is the first 4 KiB of build/bin/echo), on
// synthesized ones, and on malformed bytes: every prefix and every byte corruption of a valid
// file must give an InvalidArgument error or a result, never a crash.
#include "src/package/elf_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/package/elf_test_util.h"

namespace zerostart::package {
namespace {

using ::testing::HasSubstr;
using testing::BuildElf;
using testing::CorpusFile;
using testing::DynamicGlibcElf;
using testing::ElfSpec;
using testing::Put;

GlibcVersion V(std::vector<uint32_t> parts) { return GlibcVersion{std::move(parts)}; }

TEST(ElfInfoTest, RealStaticBinaries) {
  for (const char* name : {"static_x86_64", "static_pie_x86_64", "echo_head_x86_64"}) {
    Result<ElfInfo> info = ReadElfInfo(CorpusFile(name));
    ASSERT_TRUE(info.ok()) << name << ": " << info.status().ToString();
    EXPECT_EQ(info->machine, kElfMachineX86_64) << name;
    EXPECT_TRUE(info->is_static()) << name;
    EXPECT_TRUE(info->glibc_versions.empty()) << name;
  }
  Result<ElfInfo> arm = ReadElfInfo(CorpusFile("static_arm64"));
  ASSERT_TRUE(arm.ok()) << arm.status().ToString();
  EXPECT_EQ(arm->machine, kElfMachineAarch64);
  EXPECT_TRUE(arm->is_static());
  EXPECT_EQ(ReadElfInfo(CorpusFile("static_pie_x86_64"))->type, 3);  // ET_DYN, yet static
}

TEST(ElfInfoTest, RealDynamicBinaries) {
  Result<ElfInfo> info = ReadElfInfo(CorpusFile("dynamic_glibc234_x86_64"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(info->is_static());
  EXPECT_EQ(info->interpreter, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(info->needed, std::vector<std::string>{"libc.so.6"});
  EXPECT_EQ(info->glibc_versions, (std::vector<GlibcVersion>{V({2, 2, 5}), V({2, 34})}));
  EXPECT_EQ(info->max_glibc(), V({2, 34}));

  Result<ElfInfo> newer = ReadElfInfo(CorpusFile("dynamic_glibc236_x86_64"));
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();
  EXPECT_EQ(newer->max_glibc(), V({2, 36}));

  Result<ElfInfo> arm = ReadElfInfo(CorpusFile("dynamic_arm64"));
  ASSERT_TRUE(arm.ok()) << arm.status().ToString();
  EXPECT_EQ(arm->machine, kElfMachineAarch64);
  EXPECT_EQ(arm->interpreter, "/lib/ld-linux-aarch64.so.1");
  EXPECT_EQ(arm->glibc_versions, (std::vector<GlibcVersion>{V({2, 17}), V({2, 34})}));
}

TEST(ElfInfoTest, TheBuiltFunctionBinaries) {
  for (const char* name : {"echo", "kmeans"}) {
    std::string bytes = testing::ReadTestFile(zerostart::testing::BinPath(name));
    if (bytes.empty()) GTEST_SKIP() << name << " is not built";
    Result<ElfInfo> info = ReadElfInfo(bytes);
    ASSERT_TRUE(info.ok()) << name << ": " << info.status().ToString();
    EXPECT_EQ(MachineName(info->machine), "x86_64");
  }
}

TEST(ElfInfoTest, SynthesizedDynamicBinary) {
  Result<ElfInfo> info = ReadElfInfo(DynamicGlibcElf("GLIBC_2.35").bytes);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->needed, (std::vector<std::string>{"libstdc++.so.6", "libc.so.6"}));
  // GLIBCXX_3.4 is not a glibc version; the libc list is sorted.
  EXPECT_EQ(info->glibc_versions, (std::vector<GlibcVersion>{V({2, 2, 5}), V({2, 35})}));
}

TEST(ElfInfoTest, PackedRelativeRelocationsNeedGlibc236) {
  Result<ElfInfo> info = ReadElfInfo(DynamicGlibcElf("GLIBC_ABI_DT_RELR").bytes);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->max_glibc(), V({2, 36}));
}

TEST(ElfInfoTest, ParsesGlibcVersionNames) {
  EXPECT_EQ(ParseGlibcVersionName("GLIBC_2.34"), V({2, 34}));
  EXPECT_EQ(ParseGlibcVersionName("GLIBC_2.2.5"), V({2, 2, 5}));
  EXPECT_EQ(ParseGlibcVersionName("GLIBC_ABI_DT_RELR"), V({2, 36}));
  for (const char* bad : {"GLIBC_PRIVATE", "GLIBCXX_3.4", "GCC_3.0", "GLIBC_", "GLIBC_2.", "GLIBC_2..3",
                          "GLIBC_x", "GLIBC_2.3a", "GLIBC_99999999999", "GLIBC_1.2.3.4.5"}) {
    EXPECT_EQ(ParseGlibcVersionName(bad), std::nullopt) << bad;
  }
  EXPECT_LT(V({2, 2, 5}), V({2, 34}));
  EXPECT_LT(V({2, 34}), V({2, 34, 1}));
  EXPECT_EQ(V({2, 2, 5}).ToString(), "2.2.5");
}

TEST(ElfInfoTest, RefusesWhatIsNotA64BitLittleEndianExecutable) {
  struct Case {
    std::string bytes;
    std::string message;
  };
  std::string elf = BuildElf({}).bytes;
  std::string elf32 = elf, big = elf, object = elf, core = elf;
  elf32[4] = 1;
  big[5] = 2;
  Put(&object, 16, 1, 2);
  Put(&core, 16, 4, 2);
  for (const Case& c : {Case{"", "not an ELF"}, Case{"#!/bin/sh\necho hi\n", "a script"},
                        Case{"hello world, not a binary", "not an ELF"}, Case{elf32, "32-bit"},
                        Case{big, "big-endian"}, Case{object, "relocatable object"}, Case{core, "core dump"},
                        Case{elf.substr(0, 40), "truncated ELF header"}}) {
    Result<ElfInfo> info = ReadElfInfo(c.bytes);
    ASSERT_FALSE(info.ok()) << c.message;
    EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(info.status().message(), HasSubstr(c.message));
  }
}

TEST(ElfInfoTest, RefusesASharedLibrary) {
  ElfSpec spec;
  spec.type = 3;
  spec.needed = {"libc.so.6"};
  Result<ElfInfo> info = ReadElfInfo(BuildElf(spec).bytes);
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.status().message(), HasSubstr("shared library"));
}

TEST(ElfInfoTest, MalformedTablesAreErrors) {
  testing::BuiltElf base = DynamicGlibcElf();
  auto expect_error = [](const std::string& bytes, const std::string& message) {
    Result<ElfInfo> info = ReadElfInfo(bytes);
    ASSERT_FALSE(info.ok()) << message;
    EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(info.status().message(), HasSubstr(message));
  };
  std::string b = base.bytes;
  Put(&b, 32, 1ull << 62, 8);  // e_phoff
  expect_error(b, "program headers lie outside");
  b = base.bytes;
  Put(&b, 56, 0, 2);
  expect_error(b, "no program headers");
  b = base.bytes;
  Put(&b, 54, 32, 2);
  expect_error(b, "program header size");
  b = base.bytes;
  Put(&b, base.dynamic_offset + 16 * 2 + 8, 0x10, 8);  // DT_STRTAB below the PT_LOAD
  expect_error(b, "DT_STRTAB");
  b = base.bytes;
  Put(&b, base.dynamic_offset + 16 * 3 + 8, 1ull << 40, 8);  // DT_STRSZ
  expect_error(b, "DT_STRSZ");
  b = base.bytes;
  Put(&b, base.dynamic_offset + 8, 1u << 30, 8);  // DT_NEEDED index
  expect_error(b, "DT_NEEDED name");
  b = base.bytes;
  Put(&b, base.verneed_offset + 8, 1u << 31, 4);  // vn_aux
  expect_error(b, "outside the file");
  b = base.bytes;
  b[base.strtab_offset + (b.size() - base.strtab_offset) - 1] = 'x';  // still ok: not a string end
  EXPECT_TRUE(ReadElfInfo(b).ok());
}

// Chain links (vn_next, vna_next) are unsigned forward offsets, so a chain cannot loop; one
// that jumps out of the file, or a count beyond any real binary, is an error.
TEST(ElfInfoTest, VersionChainsAreBounded) {
  testing::BuiltElf base = DynamicGlibcElf();
  std::string b = base.bytes;
  uint64_t libc_need = base.verneed_offset + 32;  // after libstdc++'s need and its one aux
  Put(&b, libc_need + 2, 60000, 2);              // vn_cnt: more aux entries than there are
  Put(&b, libc_need + 16 + 16 + 12, 1u << 30, 4);  // the last aux now points out of the file
  EXPECT_FALSE(ReadElfInfo(b).ok());
  b = base.bytes;
  Put(&b, base.dynamic_offset + 16 * 5 + 8, 1u << 20, 8);  // DT_VERNEEDNUM
  Result<ElfInfo> info = ReadElfInfo(b);
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.status().message(), HasSubstr("DT_VERNEEDNUM"));
}

// Every prefix and every single-byte corruption: an error or a result, never a crash (the
// fuzzer does this at scale; this keeps a deterministic floor in every test run).
TEST(ElfInfoTest, EveryPrefixAndByteFlipIsHandled) {
  for (const std::string& file : {DynamicGlibcElf().bytes, CorpusFile("dynamic_glibc234_x86_64")}) {
    for (size_t n = 0; n <= file.size(); ++n) {
      Result<ElfInfo> info = ReadElfInfo(std::string_view(file).substr(0, n));
      EXPECT_TRUE(info.ok() || info.status().code() == StatusCode::kInvalidArgument) << info.status().ToString();
    }
    for (size_t i = 0; i < std::min<size_t>(file.size(), 2048); ++i) {
      for (char flip : {'\xff', '\x00', '\x80'}) {
        std::string b = file;
        b[i] = flip;
        Result<ElfInfo> info = ReadElfInfo(b);
        EXPECT_TRUE(info.ok() || info.status().code() == StatusCode::kInvalidArgument) << info.status().ToString();
      }
    }
  }
}

TEST(ElfInfoTest, MachineNames) {
  EXPECT_EQ(MachineName(62), "x86_64");
  EXPECT_EQ(MachineName(183), "arm64");
  EXPECT_EQ(MachineName(3), "EM_3");
}

}  // namespace
}  // namespace zerostart::package
