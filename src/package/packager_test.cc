#include "src/package/packager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <map>

#include "src/package/elf_test_util.h"

namespace zerostart::package {
namespace {

using ::testing::HasSubstr;
using testing::CorpusPath;
using testing::ReadTestFile;
using testing::ScratchDir;
using testing::WriteTestFile;

struct LayerEntry {
  std::string data;
  uint32_t unix_mode = 0;  // the external attributes' upper half: file type and permissions
};

// The zip at `path` read back with libzip: name -> contents and Unix mode.
std::map<std::string, LayerEntry> ReadLayerEntries(const std::string& path) {
  std::map<std::string, LayerEntry> out;
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  EXPECT_NE(archive, nullptr) << "libzip error " << error;
  if (archive == nullptr) return out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    zip_uint64_t index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_index(archive, index, 0, &st);
    LayerEntry entry;
    uint8_t opsys = 0;
    uint32_t attributes = 0;
    zip_file_get_external_attributes(archive, index, 0, &opsys, &attributes);
    EXPECT_EQ(opsys, ZIP_OPSYS_UNIX) << st.name;
    entry.unix_mode = attributes >> 16;
    entry.data.resize(st.size);
    zip_file_t* file = zip_fopen_index(archive, index, 0);
    EXPECT_EQ(zip_fread(file, entry.data.data(), st.size), static_cast<zip_int64_t>(st.size));
    zip_fclose(file);
    out[st.name] = entry;
  }
  zip_close(archive);
  return out;
}

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

TEST(PackagerTest, DefaultExtensionOutputIsTheBinaryNameDashLayerDotZip) {
  EXPECT_EQ(DefaultOutputPath("build/bin/invoke-log", true), "invoke-log-layer.zip");
  EXPECT_EQ(DefaultOutputPath("/", true), "extension-layer.zip");
}

TEST(PackagerTest, AnExtensionIsPackagedAsALayerWithExtensionsSlashName) {
  ScratchDir dir;
  WriteTestFile(dir / "telemetry-ext", testing::CorpusFile("static_x86_64"));
  PackageOptions options;
  options.binary_path = dir / "telemetry-ext";
  options.output_path = dir / "layer.zip";
  options.root = dir.path();
  options.extension = true;
  Result<PackageResult> result = Package(options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->entry_name, "extensions/telemetry-ext");
  EXPECT_EQ(result->arch, Arch::kX86_64);
  EXPECT_TRUE(result->elf.is_static());
  EXPECT_TRUE(result->warnings.empty());
  std::map<std::string, LayerEntry> entries = ReadLayerEntries(dir / "layer.zip");
  ASSERT_EQ(entries.size(), 2u);
  ASSERT_EQ(entries.count("extensions/"), 1u);
  EXPECT_EQ(entries["extensions/"].unix_mode, static_cast<uint32_t>(S_IFDIR | 0755));
  ASSERT_EQ(entries.count("extensions/telemetry-ext"), 1u);
  EXPECT_EQ(entries["extensions/telemetry-ext"].unix_mode, static_cast<uint32_t>(S_IFREG | 0755));
  EXPECT_TRUE(entries["extensions/telemetry-ext"].data == testing::CorpusFile("static_x86_64"));
  EXPECT_EQ(entries.count("bootstrap"), 0u);
}

TEST(PackagerTest, AnExtensionGetsTheSameChecksAsAFunction) {
  ScratchDir dir;
  WriteTestFile(dir / "script", "#!/bin/sh\necho hi\n");
  PackageOptions script{dir / "script", {}, dir / "l.zip", {}, dir.path(), true};
  Result<PackageResult> result = Package(script);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("a script (starts with #!)"));
  PackageOptions wrong_arch{CorpusPath("static_arm64"), Arch::kX86_64, dir / "l.zip", {}, dir.path(), true};
  result = Package(wrong_arch);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("an arm64 binary, but --arch is x86_64"));
  EXPECT_EQ(dir.List(), (std::vector<std::string>{"script"}));
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
