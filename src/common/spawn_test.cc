#include "src/common/spawn.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace zerostart {
namespace {

int WaitExitCode(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SpawnTest, ChildGetsExactlyTheGivenEnvironment) {
  ASSERT_EQ(setenv("ZS_SPAWN_TEST_PARENT_ONLY", "1", 1), 0);
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c",
               "[ \"$FOO\" = bar ] && [ -z \"${ZS_SPAWN_TEST_PARENT_ONLY+x}\" ] && exit 0; exit 9"};
  spec.env = {"FOO=bar"};
  Result<pid_t> pid = SpawnProcessGroup(spec);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  EXPECT_EQ(WaitExitCode(*pid), 0);
}

TEST(SpawnTest, ChildLeadsItsOwnProcessGroupAndUsesTheGivenStdin) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c", "read line; [ \"$line\" = go ] && exit 7; exit 1"};
  spec.stdin_fd = fds[0];
  Result<pid_t> pid = SpawnProcessGroup(spec);
  close(fds[0]);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  // The child is blocked reading the pipe, so it is certainly alive here.
  EXPECT_EQ(getpgid(*pid), *pid);
  ASSERT_EQ(write(fds[1], "go\n", 3), 3);
  close(fds[1]);
  EXPECT_EQ(WaitExitCode(*pid), 7);
}

TEST(SpawnTest, ErrorsByCause) {
  SpawnSpec spec;
  EXPECT_EQ(SpawnProcessGroup(spec).status().code(), StatusCode::kInvalidArgument);
  spec.argv = {"/nonexistent/zerostart-no-such-program"};
  EXPECT_EQ(SpawnProcessGroup(spec).status().code(), StatusCode::kNotFound);

  char path[] = "/tmp/zs_spawn_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_EQ(chmod(path, 0644), 0);  // exists, not executable
  spec.argv = {path};
  EXPECT_EQ(SpawnProcessGroup(spec).status().code(), StatusCode::kFailedPrecondition);
  unlink(path);
}

}  // namespace
}  // namespace zerostart
