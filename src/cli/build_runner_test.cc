#include "src/cli/build_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "src/common/unique_fd.h"

namespace zerostart::cli {
namespace {

const std::vector<std::string> kEnv = {"PATH=/usr/bin:/bin"};

TEST(BuildRunnerTest, KeepsBothOutputsAndSaysHowTheBuildEnded) {
  BuildOutcome ok = RunBuild("echo compiled", "/", kEnv, -1);
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.output, "compiled\n");
  EXPECT_EQ(ok.what, "");

  BuildOutcome failed = RunBuild("echo out; echo 'error: no' >&2; exit 3", "/", kEnv, -1);
  EXPECT_FALSE(failed.ok);
  EXPECT_FALSE(failed.interrupted);
  EXPECT_EQ(failed.what, "exit status 3");
  EXPECT_EQ(failed.output, "out\nerror: no\n");
}

TEST(BuildRunnerTest, RunsInTheGivenFolderWithTheGivenEnvironment) {
  BuildOutcome outcome = RunBuild("pwd; echo \"$ZS_MARK\"", "/tmp", {"PATH=/usr/bin:/bin", "ZS_MARK=mine"}, -1);
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.output, "/tmp\nmine\n");
}

TEST(BuildRunnerTest, ADaemonHoldingTheOutputOpenDoesNotHoldTheBuild) {
  // The background sleep keeps the pipe open; the build is over when the shell exits, and the
  // group (the sleep with it) is killed.
  BuildOutcome outcome = RunBuild("sleep 300 & echo started", "/", kEnv, -1);
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.output, "started\n");
}

TEST(BuildRunnerTest, ACancelStopsTheBuildsWholeGroup) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  ASSERT_EQ(::write(write_end.get(), "x", 1), 1);  // the cancel is already there
  BuildOutcome outcome = RunBuild("sleep 300", "/", kEnv, read_end.get());
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.what, "interrupted");
}

TEST(BuildRunnerTest, AFolderThatIsNotThereIsAFailedBuildWithTheReason) {
  BuildOutcome outcome = RunBuild("true", "/no/such/folder", kEnv, -1);
  EXPECT_FALSE(outcome.ok);
  EXPECT_NE(outcome.what, "");
}

}  // namespace
}  // namespace zerostart::cli
