#include "src/cli/file_watcher.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace zerostart::cli {
namespace {

namespace fs = std::filesystem;

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "zs-watch-test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    fs::create_directories(root_ / "src");
    fs::create_directories(root_ / "build");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const fs::path& path) { std::ofstream(path) << "x"; }

  // The changes until `sentinel` shows up among them (the kernel keeps events in order, so
  // whatever came before it has been read too).
  static std::vector<std::string> ChangesUntil(FileWatcher& watcher, const std::string& sentinel) {
    std::vector<std::string> all;
    while (std::find(all.begin(), all.end(), sentinel) == all.end()) {
      pollfd ready{watcher.fd(), POLLIN, 0};
      if (::poll(&ready, 1, 30'000) <= 0) {
        ADD_FAILURE() << "no event for " << sentinel;
        break;
      }
      FileWatcher::Changes changes = watcher.Read();
      all.insert(all.end(), changes.paths.begin(), changes.paths.end());
    }
    return all;
  }
  static bool Has(const std::vector<std::string>& paths, const fs::path& path) {
    return std::find(paths.begin(), paths.end(), path.string()) != paths.end();
  }

  fs::path root_;
};

TEST_F(FileWatcherTest, SourcesAreChangesAndTheBuildsOutputsAreNot) {
  auto watcher = FileWatcher::Open(root_.string(), {(root_ / "build").string(), (root_ / "fn").string()});
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();
  Write(root_ / "build/out.o");
  Write(root_ / "fn");
  fs::create_directories(root_ / ".git");
  Write(root_ / ".git/index");
  fs::create_directories(root_ / "cmake-build-debug");
  Write(root_ / "cmake-build-debug/CMakeCache.txt");
  Write(root_ / "cmake-build-debug/a.o");
  Write(root_ / "src/handler.cc");
  std::vector<std::string> changes = ChangesUntil(**watcher, (root_ / "src/handler.cc").string());
  EXPECT_FALSE(Has(changes, root_ / "build/out.o"));
  EXPECT_FALSE(Has(changes, root_ / "fn"));
  EXPECT_FALSE(Has(changes, root_ / ".git/index"));
  EXPECT_FALSE(Has(changes, root_ / "cmake-build-debug/a.o"));
}

TEST_F(FileWatcherTest, NewFoldersAreWatchedAndFoldersMovedOutAreForgotten) {
  auto watcher = FileWatcher::Open(root_.string(), {(root_ / "build").string()});
  ASSERT_TRUE(watcher.ok());
  fs::create_directories(root_ / "src/sub");
  ChangesUntil(**watcher, (root_ / "src/sub").string());  // the new folder is a change
  Write(root_ / "src/sub/a.cc");
  ChangesUntil(**watcher, (root_ / "src/sub/a.cc").string());  // and is watched
  const fs::path outside = root_.string() + "-outside";
  fs::rename(root_ / "src/sub", outside);
  ChangesUntil(**watcher, (root_ / "src/sub").string());  // moving it out is a change
  Write(outside / "b.cc");                                // no longer ours
  Write(root_ / "src/c.cc");
  std::vector<std::string> changes = ChangesUntil(**watcher, (root_ / "src/c.cc").string());
  EXPECT_FALSE(Has(changes, root_ / "src/sub/b.cc"));
  fs::remove_all(outside);
}

TEST_F(FileWatcherTest, TheRootGoneIsSaid) {
  auto watcher = FileWatcher::Open(root_.string(), {});
  ASSERT_TRUE(watcher.ok());
  fs::remove_all(root_);
  bool gone = false;
  while (!gone) {
    pollfd ready{(*watcher)->fd(), POLLIN, 0};
    ASSERT_GT(::poll(&ready, 1, 30'000), 0);
    gone = (*watcher)->Read().root_gone;
  }
}

TEST_F(FileWatcherTest, AFolderThatIsNotThereIsNotFound) {
  auto watcher = FileWatcher::Open((root_ / "nothing").string(), {});
  ASSERT_FALSE(watcher.ok());
  EXPECT_EQ(watcher.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace zerostart::cli
