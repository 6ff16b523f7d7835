#include "src/package/includes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "src/package/elf_test_util.h"

namespace zerostart::package {
namespace {

using ::testing::HasSubstr;
using testing::ScratchDir;
using testing::WriteTestFile;

// A package root `root/` with conf/{a.json, run.sh (0755), deep/b.txt}, data.txt, and a
// sibling `outside/secret` next to it.
class IncludesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "root";
    for (const char* d : {"root", "root/conf", "root/conf/deep", "outside"}) ::mkdir((dir_ / d).c_str(), 0755);
    WriteTestFile(root_ + "/conf/a.json", "{}");
    WriteTestFile(root_ + "/conf/run.sh", "#!/bin/sh\n");
    ::chmod((root_ + "/conf/run.sh").c_str(), 0755);
    WriteTestFile(root_ + "/conf/deep/b.txt", "b");
    WriteTestFile(root_ + "/data.txt", "data");
    WriteTestFile(dir_ / "outside/secret", "secret");
  }

  Result<std::map<std::string, ZipEntry>> Collect(const std::vector<std::string>& paths, uint64_t limit = 1 << 20) {
    IncludeOptions options{root_, {}, limit};
    ZS_ASSIGN_OR_RETURN(std::vector<ZipEntry> entries, CollectIncludes(paths, options));
    std::map<std::string, ZipEntry> by_name;
    for (ZipEntry& e : entries) by_name[e.name] = std::move(e);
    return by_name;
  }

  void ExpectRefused(const std::string& path, StatusCode code, const std::string& message) {
    Result<std::map<std::string, ZipEntry>> got = Collect({path});
    ASSERT_FALSE(got.ok()) << path;
    EXPECT_EQ(got.status().code(), code) << path << ": " << got.status().ToString();
    EXPECT_THAT(got.status().message(), HasSubstr(message)) << path;
  }

  ScratchDir dir_;
  std::string root_;
};

TEST_F(IncludesTest, FilesAndDirectoriesKeepTheirRelativePathAndMode) {
  auto got = Collect({"conf", "data.txt", "./conf/deep/../a.json", root_ + "/data.txt", "conf/"});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::vector<std::string> names;
  for (const auto& [name, entry] : *got) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"conf/", "conf/a.json", "conf/deep/", "conf/deep/b.txt",
                                             "conf/run.sh", "data.txt"}));
  EXPECT_EQ((*got)["conf/run.sh"].mode, 0755u);
  EXPECT_EQ((*got)["conf/a.json"].mode, 0644u);
  EXPECT_EQ((*got)["conf/deep/"].mode, 0755u);
  EXPECT_EQ((*got)["data.txt"].data, "data");
}

TEST_F(IncludesTest, PathsEscapingTheRootAreRefused) {
  for (const std::string& path : {std::string("../outside/secret"), std::string("conf/../../outside"),
                                  dir_ / "outside/secret", std::string("/etc/hostname"), std::string("."),
                                  std::string(".."), root_}) {
    ExpectRefused(path, StatusCode::kInvalidArgument, "escapes the package root");
  }
}

TEST_F(IncludesTest, SymlinksAreFollowedOnlyInsideTheRoot) {
  ASSERT_EQ(::symlink("data.txt", (root_ + "/link.txt").c_str()), 0);
  ASSERT_EQ(::symlink("conf", (root_ + "/conf_link").c_str()), 0);
  auto got = Collect({"link.txt", "conf_link"});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)["link.txt"].data, "data");
  EXPECT_EQ((*got)["conf_link/deep/b.txt"].data, "b");

  ASSERT_EQ(::symlink((dir_ / "outside/secret").c_str(), (root_ + "/out_file").c_str()), 0);
  ASSERT_EQ(::symlink("../outside", (root_ + "/out_dir").c_str()), 0);
  ExpectRefused("out_file", StatusCode::kInvalidArgument, "outside the package root");
  ExpectRefused("out_dir/secret", StatusCode::kInvalidArgument, "outside the package root");
  ::mkdir((root_ + "/tree").c_str(), 0755);
  ASSERT_EQ(::symlink("../../../outside/secret", (root_ + "/conf/deep/escape").c_str()), 0);
  ExpectRefused("conf", StatusCode::kInvalidArgument, "conf/deep/escape: resolves to");
}

TEST_F(IncludesTest, DirectoryLoopsAreRefused) {
  ASSERT_EQ(::symlink("..", (root_ + "/conf/deep/up").c_str()), 0);
  ExpectRefused("conf", StatusCode::kInvalidArgument, "loop");
}

TEST_F(IncludesTest, OtherRefusals) {
  ExpectRefused("missing.txt", StatusCode::kNotFound, "missing.txt: No such file");
  ASSERT_EQ(::symlink("nowhere", (root_ + "/dangling").c_str()), 0);
  ExpectRefused("dangling", StatusCode::kNotFound, "dangling");
  ASSERT_EQ(::mkfifo((root_ + "/fifo").c_str(), 0644), 0);
  ExpectRefused("fifo", StatusCode::kInvalidArgument, "not a regular file or directory");
  WriteTestFile(root_ + "/bootstrap", "x");
  ExpectRefused("bootstrap", StatusCode::kInvalidArgument, "'bootstrap' is the function binary's name");
  ExpectRefused("", StatusCode::kInvalidArgument, "empty path");
  auto big = Collect({"conf"}, 3);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(IncludesTest, SkipsTheGivenFiles) {
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/conf/a.json").c_str(), &st), 0);
  IncludeOptions options{root_, {{st.st_dev, st.st_ino}}, 1 << 20};
  auto got = CollectIncludes({"conf"}, options);
  ASSERT_TRUE(got.ok());
  for (const ZipEntry& e : *got) EXPECT_NE(e.name, "conf/a.json");
  EXPECT_EQ(got->size(), 4u);
}

}  // namespace
}  // namespace zerostart::package
