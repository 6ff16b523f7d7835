#include "src/scaffold/new_project.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace zerostart::scaffold {
namespace {

namespace fs = std::filesystem;

class NewProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "zs-new-test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // Every entry of root_, so that a test sees that nothing else was left behind.
  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root_)) out.push_back(fs::relative(e.path(), root_).string());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path root_;
  const std::vector<ProjectFile> files_ = {{"CMakeLists.txt", "project(x)\n"}, {"src/main.cc", "int main() {}\n"}};
};

TEST_F(NewProjectTest, WritesEveryFileIntoANewFolderAndNothingElse) {
  const mode_t before = ::umask(027);  // the folder gets what mkdir would give it
  auto written = WriteProject((root_ / "fn").string(), files_);
  ::umask(before);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(*written, (std::vector<std::string>{(root_ / "fn/CMakeLists.txt").string(),
                                                (root_ / "fn/src/main.cc").string()}));
  EXPECT_EQ(Read(root_ / "fn/src/main.cc"), "int main() {}\n");
  EXPECT_EQ(Entries(), (std::vector<std::string>{"fn", "fn/CMakeLists.txt", "fn/src", "fn/src/main.cc"}));
  EXPECT_EQ(fs::status(root_ / "fn").permissions(), static_cast<fs::perms>(0750));
}

TEST_F(NewProjectTest, FillsAnEmptyFolder) {
  fs::create_directory(root_ / "fn");
  ASSERT_TRUE(WriteProject((root_ / "fn").string(), files_).ok());
  EXPECT_TRUE(fs::exists(root_ / "fn/src/main.cc"));
}

TEST_F(NewProjectTest, FillsTheCurrentFolderOrOneNamedWithATrailingSlashInPlace) {
  fs::create_directory(root_ / "fn");
  fs::permissions(root_ / "fn", fs::perms::owner_all);  // 0700: kept, as the folder is kept
  ASSERT_TRUE(WriteProject((root_ / "fn").string() + "/", files_).ok());
  EXPECT_EQ(Entries(), (std::vector<std::string>{"fn", "fn/CMakeLists.txt", "fn/src", "fn/src/main.cc"}));
  EXPECT_EQ(fs::status(root_ / "fn").permissions(), fs::perms::owner_all);

  fs::create_directory(root_ / "here");
  const fs::path before = fs::current_path();
  fs::current_path(root_ / "here");
  auto written = WriteProject(".", files_);
  fs::current_path(before);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->front(), (root_ / "here/CMakeLists.txt").string());
  EXPECT_TRUE(fs::exists(root_ / "here/src/main.cc"));
}

TEST_F(NewProjectTest, RefusesANonEmptyFolderAndLeavesItAsItWas) {
  fs::create_directory(root_ / "fn");
  std::ofstream(root_ / "fn/mine.txt") << "keep me";
  auto written = WriteProject((root_ / "fn").string(), files_);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(written.status().message().find("exists and is not empty"), std::string::npos);
  EXPECT_EQ(Entries(), (std::vector<std::string>{"fn", "fn/mine.txt"}));
  EXPECT_EQ(Read(root_ / "fn/mine.txt"), "keep me");
}

TEST_F(NewProjectTest, RefusesAFileInThePlaceOfTheFolder) {
  std::ofstream(root_ / "fn") << "a file";
  auto written = WriteProject((root_ / "fn").string(), files_);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.status().message().find("is not a folder"), std::string::npos);
  EXPECT_EQ(Entries(), std::vector<std::string>{"fn"});
}

TEST_F(NewProjectTest, AMissingParentIsNotFoundAndNothingIsMade) {
  auto written = WriteProject((root_ / "no/such/fn").string(), files_);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Entries().empty());
}

TEST_F(NewProjectTest, AFailedWriteLeavesNothingBehind) {
  // A file whose folder cannot be made (a file of the same name is in the way).
  const std::vector<ProjectFile> clash = {{"src", "a file named src"}, {"src/main.cc", "int main() {}\n"}};
  auto written = WriteProject((root_ / "fn").string(), clash);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().code(), StatusCode::kInternal);
  EXPECT_TRUE(Entries().empty()) << Entries().front();
}

}  // namespace
}  // namespace zerostart::scaffold
