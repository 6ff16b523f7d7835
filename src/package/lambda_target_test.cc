#include "src/package/lambda_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/package/elf_test_util.h"

namespace zerostart::package {
namespace {

using ::testing::HasSubstr;

ElfInfo Static(uint16_t machine) {
  ElfInfo info;
  info.machine = machine;
  info.type = 2;
  return info;
}

ElfInfo Dynamic(std::vector<uint32_t> max_glibc) {
  ElfInfo info = Static(kElfMachineX86_64);
  info.interpreter = "/lib64/ld-linux-x86-64.so.2";
  info.needed = {"libc.so.6"};
  if (!max_glibc.empty()) info.glibc_versions = {GlibcVersion{{2, 2, 5}}, GlibcVersion{std::move(max_glibc)}};
  return info;
}

TEST(LambdaTargetTest, ParsesAndNamesArchitectures) {
  EXPECT_EQ(ParseArch("x86_64"), Arch::kX86_64);
  EXPECT_EQ(ParseArch("arm64"), Arch::kArm64);
  EXPECT_EQ(ParseArch("aarch64"), std::nullopt);
  EXPECT_EQ(ArchName(Arch::kArm64), "arm64");
  EXPECT_EQ(ElfMachineFor(Arch::kArm64), 183);
  EXPECT_EQ(ElfMachineFor(Arch::kX86_64), 62);
}

TEST(LambdaTargetTest, StaticBinaryOfEitherArchitectureIsTheGoodCase) {
  for (auto [machine, arch] : {std::pair{kElfMachineX86_64, Arch::kX86_64}, std::pair{kElfMachineAarch64, Arch::kArm64}}) {
    Result<TargetCheck> own = CheckLambdaTarget(Static(machine), std::nullopt);
    ASSERT_TRUE(own.ok()) << own.status().ToString();
    EXPECT_EQ(own->arch, arch);
    EXPECT_TRUE(own->warnings.empty());
    EXPECT_TRUE(CheckLambdaTarget(Static(machine), arch).ok());
  }
}

TEST(LambdaTargetTest, RefusesTheWrongArchitecture) {
  Result<TargetCheck> check = CheckLambdaTarget(Static(kElfMachineAarch64), Arch::kX86_64);
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(check.status().message(), "an arm64 binary, but --arch is x86_64");
  check = CheckLambdaTarget(Static(3), std::nullopt);  // EM_386
  ASSERT_FALSE(check.ok());
  EXPECT_THAT(check.status().message(), HasSubstr("machine EM_3; Lambda runs x86_64"));
}

TEST(LambdaTargetTest, DynamicWithinGlibc234IsAcceptedWithAWarning) {
  Result<TargetCheck> check = CheckLambdaTarget(Dynamic({2, 34}), Arch::kX86_64);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  ASSERT_EQ(check->warnings.size(), 1u);
  EXPECT_THAT(check->warnings[0], HasSubstr("dynamically linked"));
  EXPECT_THAT(check->warnings[0], HasSubstr("libc.so.6"));
  EXPECT_THAT(check->warnings[0], HasSubstr("GLIBC_2.34"));
  EXPECT_THAT(check->warnings[0], HasSubstr("provided.al2023 must supply"));
  EXPECT_TRUE(CheckLambdaTarget(Dynamic({}), std::nullopt).ok());  // e.g. no versioned symbols
}

TEST(LambdaTargetTest, RefusesDynamicNeedingNewerGlibc) {
  for (std::vector<uint32_t> version : {std::vector<uint32_t>{2, 35}, {2, 36}, {2, 34, 1}, {3, 0}}) {
    Result<TargetCheck> check = CheckLambdaTarget(Dynamic(version), std::nullopt);
    ASSERT_FALSE(check.ok()) << GlibcVersion{version}.ToString();
    EXPECT_EQ(check.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(check.status().message(), HasSubstr("needs GLIBC_" + GlibcVersion{version}.ToString()));
    EXPECT_THAT(check.status().message(), HasSubstr("provided.al2023's glibc 2.34"));
    EXPECT_THAT(check.status().message(), HasSubstr("-static"));
  }
}

TEST(LambdaTargetTest, RealCorpusBinaries) {
  Result<ElfInfo> newer = ReadElfInfo(testing::CorpusFile("dynamic_glibc236_x86_64"));
  ASSERT_TRUE(newer.ok());
  EXPECT_FALSE(CheckLambdaTarget(*newer, std::nullopt).ok());
  Result<ElfInfo> ok = ReadElfInfo(testing::CorpusFile("dynamic_glibc234_x86_64"));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(CheckLambdaTarget(*ok, Arch::kX86_64).ok());
}

}  // namespace
}  // namespace zerostart::package
