#include "src/package/packager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "src/package/elf_test_util.h"

namespace zerostart::package {
namespace {

using ::testing::HasSubstr;
using testing::CorpusPath;
using testing::ReadTestFile;
using testing::ScratchDir;
using testing::WriteTestFile;

TEST(PackagerTest, DefaultOutputIsTheBinaryNameDotZip) {
  EXPECT_EQ(DefaultOutputPath("build/bin/echo"), "echo.zip");
  EXPECT_EQ(DefaultOutputPath("kmeans"), "kmeans.zip");
  EXPECT_EQ(DefaultOutputPath("/abs/fn/"), "fn.zip");
}

TEST(PackagerTest, PackagesAStaticBinaryReproducibly) {
  ScratchDir dir;
  ::mkdir((dir / "conf").c_str(), 0755);
  WriteTestFile(dir / "conf/app.json", "{}");
  PackageOptions options;
  options.binary_path = CorpusPath("static_x86_64");
  options.output_path = dir / "fn.zip";
  options.includes = {"conf"};
  options.root = dir.path();
  Result<PackageResult> result = Package(options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->arch, Arch::kX86_64);
  EXPECT_EQ(result->bootstrap_bytes, 632u);
  EXPECT_EQ(result->included_files, 1u);
  EXPECT_TRUE(result->warnings.empty());
  std::string first = ReadTestFile(dir / "fn.zip");
  EXPECT_EQ(result->package_bytes, first.size());
  // Again, over the old zip (which now lies in the package root, but is not in --include).
  ASSERT_TRUE(Package(options).ok());
  EXPECT_TRUE(ReadTestFile(dir / "fn.zip") == first);
  EXPECT_EQ(dir.List(), (std::vector<std::string>{"conf", "fn.zip"}));
}

TEST(PackagerTest, AnOldOutputInsideAnIncludedDirectoryIsNotPackagedAgain) {
  ScratchDir dir;
  ::mkdir((dir / "out").c_str(), 0755);
  PackageOptions options{CorpusPath("static_arm64"), std::nullopt, dir / "out/fn.zip", {"out"}, dir.path()};
  ASSERT_TRUE(Package(options).ok());
  std::string first = ReadTestFile(dir / "out/fn.zip");
  Result<PackageResult> again = Package(options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->arch, Arch::kArm64);
  EXPECT_EQ(again->included_files, 0u);
  EXPECT_TRUE(ReadTestFile(dir / "out/fn.zip") == first);
}

TEST(PackagerTest, DynamicWithinGlibc234IsPackagedWithAWarning) {
  ScratchDir dir;
  Result<PackageResult> result = Package({CorpusPath("dynamic_glibc234_x86_64"), Arch::kX86_64, dir / "d.zip", {}, "."});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_THAT(result->warnings[0], HasSubstr("dynamically linked"));
}

TEST(PackagerTest, RefusalsLeaveNoFile) {
  ScratchDir dir;
  WriteTestFile(dir / "script", "#!/bin/sh\necho hi\n");
  WriteTestFile(dir / "text", "hello");
  struct Case {
    PackageOptions options;
    StatusCode code;
    std::string message;
  };
  std::string out = dir / "out.zip";
  std::vector<Case> cases = {
      {{dir / "missing", {}, out, {}, dir.path()}, StatusCode::kNotFound, "missing: No such file or directory"},
      {{dir.path(), {}, out, {}, dir.path()}, StatusCode::kInvalidArgument, "is a directory"},
      {{dir / "script", {}, out, {}, dir.path()}, StatusCode::kInvalidArgument, "script: a script (starts with #!)"},
      {{dir / "text", {}, out, {}, dir.path()}, StatusCode::kInvalidArgument, "not an ELF binary"},
      {{CorpusPath("static_arm64"), Arch::kX86_64, out, {}, dir.path()}, StatusCode::kInvalidArgument,
       "an arm64 binary, but --arch is x86_64"},
      {{CorpusPath("static_x86_64"), Arch::kArm64, out, {}, dir.path()}, StatusCode::kInvalidArgument,
       "an x86_64 binary, but --arch is arm64"},
      {{CorpusPath("dynamic_glibc236_x86_64"), {}, out, {}, dir.path()}, StatusCode::kInvalidArgument,
       "needs GLIBC_2.36"},
      {{CorpusPath("static_x86_64"), {}, out, {"../x"}, dir.path()}, StatusCode::kInvalidArgument,
       "escapes the package root"},
      {{CorpusPath("static_x86_64"), {}, dir / "nodir/out.zip", {}, dir.path()}, StatusCode::kFailedPrecondition,
       "cannot write"},
      {{CorpusPath("static_x86_64"), {}, dir.path(), {}, dir.path()}, StatusCode::kInvalidArgument, "is a directory"},
      {{dir / "text", {}, dir / "text", {}, dir.path()}, StatusCode::kInvalidArgument, "not an ELF"},
  };
  for (const Case& c : cases) {
    Result<PackageResult> result = Package(c.options);
    ASSERT_FALSE(result.ok()) << c.message;
    EXPECT_EQ(result.status().code(), c.code) << result.status().ToString();
    EXPECT_THAT(result.status().message(), HasSubstr(c.message));
  }
  EXPECT_EQ(dir.List(), (std::vector<std::string>{"script", "text"}));
}

TEST(PackagerTest, RefusesToOverwriteTheBinary) {
  ScratchDir dir;
  WriteTestFile(dir / "fn", testing::CorpusFile("static_x86_64"));
  Result<PackageResult> result = Package({dir / "fn", {}, dir / "fn", {}, dir.path()});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("is the function binary itself"));
  EXPECT_EQ(ReadTestFile(dir / "fn"), testing::CorpusFile("static_x86_64"));
}

}  // namespace
}  // namespace zerostart::package
