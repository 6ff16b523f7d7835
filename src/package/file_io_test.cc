#include "src/package/file_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "src/package/elf_test_util.h"

namespace zerostart::package {
namespace {

using ::testing::HasSubstr;
using testing::ReadTestFile;
using testing::ScratchDir;
using testing::WriteTestFile;

TEST(FileIoTest, ReadsAFileAndRefusesOthers) {
  ScratchDir dir;
  WriteTestFile(dir / "f", "hello");
  Result<std::string> ok = ReadFileBytes(dir / "f", 5);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "hello");
  Result<std::string> missing = ReadFileBytes(dir / "missing", 100);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(dir / "missing"));
  EXPECT_THAT(missing.status().message(), HasSubstr("No such file or directory"));
  Result<std::string> directory = ReadFileBytes(dir.path(), 100);
  EXPECT_EQ(directory.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(directory.status().message(), HasSubstr("is a directory"));
  EXPECT_EQ(ReadFileBytes(dir / "f", 4).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReadFileBytes("/dev/null", 4).status().code(), StatusCode::kInvalidArgument);
}

TEST(FileIoTest, WritesAtomicallyWithTheUmaskMode) {
  ScratchDir dir;
  mode_t old = ::umask(022);
  ASSERT_TRUE(WriteFileAtomically(dir / "out.zip", "first").ok());
  EXPECT_EQ(ReadTestFile(dir / "out.zip"), "first");
  ASSERT_TRUE(WriteFileAtomically(dir / "out.zip", "second").ok());  // replaces
  EXPECT_EQ(ReadTestFile(dir / "out.zip"), "second");
  struct stat st;
  ASSERT_EQ(::stat((dir / "out.zip").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  ::umask(old);
  EXPECT_EQ(dir.List(), std::vector<std::string>{"out.zip"});  // no temporary left
}

TEST(FileIoTest, UnwritableOutputLeavesNothingBehind) {
  ScratchDir dir;
  WriteTestFile(dir / "file", "x");
  ::mkdir((dir / "sub").c_str(), 0755);
  struct Case {
    std::string path;
    StatusCode code;
    std::string message;
  };
  for (const Case& c : {Case{dir / "missing/out.zip", StatusCode::kFailedPrecondition, "No such file or directory"},
                        Case{dir / "file/out.zip", StatusCode::kFailedPrecondition, "Not a directory"},
                        Case{dir / "sub", StatusCode::kInvalidArgument, "is a directory"},
                        Case{dir / "sub/", StatusCode::kInvalidArgument, "is a directory"},
                        Case{"/proc/out.zip", StatusCode::kFailedPrecondition, "cannot write /proc/out.zip"}}) {
    Status status = WriteFileAtomically(c.path, "data");
    EXPECT_EQ(status.code(), c.code) << c.path << ": " << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr(c.message)) << c.path;
  }
  EXPECT_EQ(dir.List(), (std::vector<std::string>{"file", "sub"}));
  EXPECT_TRUE(std::filesystem::is_empty(dir / "sub"));
}

}  // namespace
}  // namespace zerostart::package
