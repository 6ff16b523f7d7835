// FunctionSource and LaunchCommand on files written here: executables, zips, folders, ELF
// headers for each machine (BuildElf), and a stand-in for qemu.
#include "src/package/function_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "src/package/elf_test_util.h"
#include "src/package/zip_writer.h"

namespace zerostart::package {
namespace function_source_test {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::WriteTestFile;

// An executable at `path` whose bytes are an ELF header for `machine`.
void WriteElf(const std::string& path, uint16_t machine) {
  testing::ElfSpec spec;
  spec.machine = machine;
  WriteTestFile(path, testing::BuildElf(spec).bytes);
  ::chmod(path.c_str(), 0755);
}

TEST(FunctionSourceTest, AnExecutableRunsAsItIs) {
  ScratchDir dir;
  WriteElf(dir / "bootstrap", kElfMachineX86_64);
  auto source = FunctionSource::Open(dir / "bootstrap", dir.path());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->bootstrap(), dir / "bootstrap");
  EXPECT_EQ(source->task_root(), "");
  EXPECT_EQ(source->arch(), "x86_64");
  EXPECT_FALSE(source->from_zip());
}

TEST(FunctionSourceTest, AFolderIsATaskRootOnlyForOpenCode) {
  ScratchDir dir;
  ::mkdir((dir / "code").c_str(), 0755);
  EXPECT_THAT(FunctionSource::Open(dir / "code", dir.path()).status().message(), HasSubstr("is a folder"));
  EXPECT_THAT(FunctionSource::OpenCode(dir / "code", dir.path()).status().message(),
              HasSubstr("has no executable bootstrap"));
  WriteTestFile(dir / "code/bootstrap", "#!/bin/sh\n");
  ::chmod((dir / "code/bootstrap").c_str(), 0755);
  auto source = FunctionSource::OpenCode(dir / "code", dir.path());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->task_root(), dir / "code");
  EXPECT_EQ(source->bootstrap(), dir / "code/bootstrap");
  EXPECT_EQ(source->arch(), "");  // a script
}

TEST(FunctionSourceTest, AnElfForAnotherMachineIsRefusedAndItsZipRemoved) {
  ScratchDir dir;
  WriteElf(dir / "ppc", 20);
  EXPECT_THAT(FunctionSource::Open(dir / "ppc", dir.path()).status().message(),
              HasSubstr("is built for EM_20, which Lambda does not run"));
  ZipEntry entry;
  entry.name = "bootstrap";
  entry.data = testing::ReadTestFile(dir / "ppc");
  entry.mode = 0755;
  auto zip = BuildZip({entry});
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  WriteTestFile(dir / "fn.zip", *zip);
  ::mkdir((dir / "tmp").c_str(), 0700);
  auto zipped = FunctionSource::Open(dir / "fn.zip", dir / "tmp");
  EXPECT_EQ(zipped.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(zipped.status().message(), HasSubstr("bootstrap in " + (dir / "fn.zip") + " is built for EM_20"));
  EXPECT_TRUE(std::filesystem::is_empty(dir / "tmp"));
}

TEST(FunctionSourceTest, Arm64RunsUnderQemuOnX8664OrIsRefused) {
  if (HostArch() != "x86_64") GTEST_SKIP() << "an x86_64 host's rule";
  ScratchDir dir;
  WriteElf(dir / "arm", kElfMachineAarch64);
  auto source = FunctionSource::Open(dir / "arm", dir.path());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->arch(), "arm64");
  WriteTestFile(dir / "qemu", "#!/bin/sh\n");
  ::chmod((dir / "qemu").c_str(), 0755);
  auto launch = LaunchCommand(*source, dir / "qemu");
  ASSERT_TRUE(launch.ok()) << launch.status().ToString();
  EXPECT_THAT(*launch, ElementsAre(dir / "qemu", dir / "arm"));
  auto refused = LaunchCommand(*source, dir / "no-qemu");
  EXPECT_THAT(refused.status().message(), HasSubstr("install " + (dir / "no-qemu") + " (Debian package qemu-user-static)"));
}

}  // namespace function_source_test
}  // namespace zerostart::package
