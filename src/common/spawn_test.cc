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

// Spawns (per `spec`, plus argv and stdin set here) a shell that exits 7 once it reads "go" on
// its stdin, and checks it leads its own process group and got that stdin.
void ExpectOwnGroupAndGivenStdin(SpawnSpec spec) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
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

TEST(SpawnTest, ChildLeadsItsOwnProcessGroupAndUsesTheGivenStdin) {
  ExpectOwnGroupAndGivenStdin(SpawnSpec{});
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

// join_cgroup_fds: the child writes "0" into each before exec (a plain file stands in for
// cgroup.procs here; tests/integration/limits_test.cc uses real cgroups).
TEST(SpawnTest, JoinsTheGivenCgroupFilesBeforeExec) {
  char path[] = "/tmp/zs_spawn_cgroup_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c", std::string("[ \"$(cat ") + path + ")\" = 0 ] && exit 5; exit 1"};
  spec.join_cgroup_fds = {fd};
  Result<pid_t> pid = SpawnProcessGroup(spec);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  EXPECT_EQ(WaitExitCode(*pid), 5);  // the file said "0" when the program started
  close(fd);

  // The forked path reports failures like posix_spawn does.
  const int read_only = open(path, O_RDONLY | O_CLOEXEC);
  ASSERT_GE(read_only, 0);
  spec.join_cgroup_fds = {read_only};
  Result<pid_t> failed = SpawnProcessGroup(spec);
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal);
  EXPECT_NE(failed.status().message().find("cgroup"), std::string::npos) << failed.status().ToString();
  close(read_only);
  const int again = open(path, O_WRONLY | O_CLOEXEC);
  spec.join_cgroup_fds = {again};
  spec.argv = {"/nonexistent/zerostart-no-such-program"};
  EXPECT_EQ(SpawnProcessGroup(spec).status().code(), StatusCode::kNotFound);
  spec.argv = {"/bin/true"};
  spec.working_dir = "/nonexistent-dir";
  EXPECT_EQ(SpawnProcessGroup(spec).status().code(), StatusCode::kNotFound);
  close(again);
  unlink(path);
}

// The forked path starts the child like posix_spawn: own process group, given stdin.
TEST(SpawnTest, ForkedChildLeadsItsOwnProcessGroupWithTheGivenStdio) {
  char path[] = "/tmp/zs_spawn_cgroup_XXXXXX";
  const int cgroup_fd = mkstemp(path);
  ASSERT_GE(cgroup_fd, 0);
  SpawnSpec spec;
  spec.join_cgroup_fds = {cgroup_fd};
  ExpectOwnGroupAndGivenStdin(spec);
  close(cgroup_fd);
  unlink(path);
}

}  // namespace
}  // namespace zerostart
