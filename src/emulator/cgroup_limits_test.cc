// CgroupLimits against fake cgroup trees of plain files (v1 and v2 layouts): which files it
// writes, when, and what it reports when no controller is usable. The real kernel is exercised
// by tests/integration/limits_test.cc.
#include "src/emulator/cgroup_limits.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zerostart::emulator {
namespace {

namespace fs = std::filesystem;

TEST(LambdaCpuQuotaTest, LinearInMemoryOverATwentyMillisecondPeriod) {
  // round(20000 * MB / 1769) µs per 20 ms period (MB/1769 vCPU: AWS Lambda Developer Guide,
  // "Configure Lambda function memory").
  EXPECT_EQ(LambdaCpuQuota(128, 2), (CpuQuota{1447, 20000}));
  EXPECT_EQ(LambdaCpuQuota(256, 2), (CpuQuota{2894, 20000}));
  EXPECT_EQ(LambdaCpuQuota(512, 2), (CpuQuota{5789, 20000}));
  EXPECT_EQ(LambdaCpuQuota(1024, 2), (CpuQuota{11577, 20000}));
  EXPECT_EQ(LambdaCpuQuota(1769, 2), (CpuQuota{20000, 20000}));
  EXPECT_EQ(LambdaCpuQuota(3008, 2), (CpuQuota{34008, 20000}));
  EXPECT_EQ(LambdaCpuQuota(10240, 6), (CpuQuota{115772, 20000}));
}

TEST(LambdaCpuQuotaTest, CappedByTheVisibleCpus) {
  EXPECT_EQ(LambdaCpuQuota(10240, 2), (CpuQuota{40000, 20000}));
  EXPECT_EQ(LambdaCpuQuota(3008, 1), (CpuQuota{20000, 20000}));
  EXPECT_EQ(LambdaCpuQuota(3008, 0), (CpuQuota{20000, 20000}));  // counts as 1
}

TEST(LambdaMemoryLimitTest, MebibytesInBytes) {
  EXPECT_EQ(LambdaMemoryLimitBytes(128), 134217728u);
  EXPECT_EQ(LambdaMemoryLimitBytes(10240), 10737418240u);
}

TEST(ParseOomKillCountTest, FindsTheCounterInV1AndV2Files) {
  EXPECT_EQ(ParseOomKillCount("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"), 3u);
  EXPECT_EQ(ParseOomKillCount("low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n"), 1u);
  EXPECT_EQ(ParseOomKillCount("oom_kill_disable 0\nunder_oom 0\n"), std::nullopt);  // < 4.13
  EXPECT_EQ(ParseOomKillCount("oom_kill x\n"), std::nullopt);
}

// A temporary root with proc/self/{cgroup,mountinfo} and cgroup directories of plain files.
class FakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/zs_cgroup_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    fs::create_directories(root_ / "proc/self");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const fs::path& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  std::string Read(const fs::path& relative) {
    std::ifstream in(root_ / relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  bool Exists(const fs::path& relative) { return fs::exists(root_ / relative); }
  // What the kernel would let rmdir do: the group's files vanish with it.
  void DeleteFiles(const fs::path& relative) {
    for (const auto& entry : fs::directory_iterator(root_ / relative)) fs::remove(entry.path());
  }

  void V1Layout() {
    Write("proc/self/cgroup", "5:memory:/session/a\n2:cpuacct:/\n1:cpu:/\n0::/\n");
    Write("proc/self/mountinfo",
          "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
          "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
          "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
          "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    fs::create_directories(root_ / "sys/fs/cgroup/cpu");
    fs::create_directories(root_ / "sys/fs/cgroup/memory/session/a");
    fs::create_directories(root_ / "sys/fs/cgroup/unified");
  }

  void V2Layout(const std::string& controllers, const std::string& subtree) {
    Write("proc/self/cgroup", "0::/user.slice/me\n");
    Write("proc/self/mountinfo", "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n");
    Write("sys/fs/cgroup/user.slice/me/cgroup.controllers", controllers);
    Write("sys/fs/cgroup/user.slice/me/cgroup.subtree_control", subtree);
  }

  std::unique_ptr<CgroupLimits> Create(int memory_mb) {
    CgroupLimitsOptions options;
    options.memory_mb = memory_mb;
    options.visible_cpus = 2;
    options.group_name = "zs-test";
    options.root = root_.string();
    return CgroupLimits::Create(options);
  }

  fs::path root_;
};

TEST_F(FakeTree, V1GroupsUnderOurOwnGroupInEachHierarchy) {
  V1Layout();
  std::unique_ptr<CgroupLimits> limits = Create(128);
  EXPECT_TRUE(limits->cpu_enforced());
  EXPECT_TRUE(limits->memory_enforced());
  EXPECT_EQ(limits->missing(), "");
  const std::string cpu = "sys/fs/cgroup/cpu/zs-test/";
  const std::string memory = "sys/fs/cgroup/memory/session/a/zs-test/";
  EXPECT_EQ(limits->group_dirs(),
            (std::vector<std::string>{(root_ / cpu).parent_path().string(),
                                      (root_ / memory).parent_path().string()}));
  EXPECT_EQ(limits->join_fds().size(), 2u);
  EXPECT_EQ(Read(cpu + "cpu.cfs_period_us"), "20000");
  EXPECT_FALSE(Exists(cpu + "cpu.cfs_quota_us"));  // init is unthrottled until Throttle()
  EXPECT_EQ(Read(memory + "memory.limit_in_bytes"), "134217728");
  EXPECT_FALSE(Exists(memory + "memory.memsw.limit_in_bytes"));  // only written when present

  limits->BeforeSpawn();
  EXPECT_EQ(Read(cpu + "cpu.cfs_quota_us"), "-1");
  limits->Throttle();
  EXPECT_EQ(Read(cpu + "cpu.cfs_quota_us"), "1447");
  limits->BeforeSpawn();  // a fresh process inits unthrottled again
  EXPECT_EQ(Read(cpu + "cpu.cfs_quota_us"), "-1");

  DeleteFiles(cpu);
  DeleteFiles(memory);
  limits->Remove();
  EXPECT_FALSE(Exists(cpu));
  EXPECT_FALSE(Exists(memory));
  EXPECT_TRUE(Exists("sys/fs/cgroup/memory/session/a"));
  EXPECT_TRUE(limits->group_dirs().empty());
  limits->Remove();  // idempotent
}

TEST_F(FakeTree, V1OomKillCounterComparedWithItsValueAtSpawn) {
  V1Layout();
  std::unique_ptr<CgroupLimits> limits = Create(128);
  const std::string oom_control = "sys/fs/cgroup/memory/session/a/zs-test/memory.oom_control";
  Write(oom_control, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  limits->BeforeSpawn();
  const int killed = SIGKILL;  // a wait status: terminated by SIGKILL
  EXPECT_FALSE(limits->OomKilledSinceSpawn(killed));
  Write(oom_control, "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
  EXPECT_TRUE(limits->OomKilledSinceSpawn(killed));
  limits->BeforeSpawn();
  EXPECT_FALSE(limits->OomKilledSinceSpawn(killed));
}

TEST_F(FakeTree, V1WithoutOomKillCounterFallsBackToFailcntAndSigkill) {
  V1Layout();
  std::unique_ptr<CgroupLimits> limits = Create(256);
  const std::string dir = "sys/fs/cgroup/memory/session/a/zs-test/";
  Write(dir + "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
  Write(dir + "memory.failcnt", "0\n");
  limits->BeforeSpawn();
  Write(dir + "memory.failcnt", "12\n");
  EXPECT_TRUE(limits->OomKilledSinceSpawn(SIGKILL));
  EXPECT_FALSE(limits->OomKilledSinceSpawn(SIGSEGV));
  EXPECT_FALSE(limits->OomKilledSinceSpawn(3 << 8));  // exit status 3
}

TEST_F(FakeTree, V2OneGroupForBothControllersEnabledInTheParent) {
  V2Layout("cpuset cpu io memory pids\n", "");
  std::unique_ptr<CgroupLimits> limits = Create(3008);
  EXPECT_EQ(limits->missing(), "");
  const std::string dir = "sys/fs/cgroup/user.slice/me/zs-test/";
  ASSERT_EQ(limits->group_dirs().size(), 1u);
  EXPECT_EQ(limits->join_fds().size(), 1u);
  // Each controller was enabled for the children with its own write (a plain file keeps the last).
  EXPECT_EQ(Read("sys/fs/cgroup/user.slice/me/cgroup.subtree_control"), "+memory");
  EXPECT_EQ(Read(dir + "cpu.max"), "max 20000");
  EXPECT_EQ(Read(dir + "memory.max"), std::to_string(3008ull << 20));
  limits->Throttle();
  EXPECT_EQ(Read(dir + "cpu.max"), "34008 20000");
  limits->BeforeSpawn();
  EXPECT_EQ(Read(dir + "cpu.max"), "max 20000");

  Write(dir + "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
  limits->BeforeSpawn();
  Write(dir + "memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
  EXPECT_TRUE(limits->OomKilledSinceSpawn(SIGKILL));
  DeleteFiles(dir);
  limits.reset();  // the destructor removes the group
  EXPECT_FALSE(Exists(dir));
}

TEST_F(FakeTree, V2AlreadyDelegatedAndOptionalFilesOnlyWhenPresent) {
  V2Layout("cpu memory\n", "cpu memory\n");
  std::unique_ptr<CgroupLimits> limits = Create(512);
  const std::string dir = "sys/fs/cgroup/user.slice/me/zs-test/";
  EXPECT_EQ(Read("sys/fs/cgroup/user.slice/me/cgroup.subtree_control"), "cpu memory\n");  // untouched
  EXPECT_FALSE(Exists(dir + "memory.swap.max"));
  EXPECT_FALSE(Exists(dir + "memory.oom.group"));
  DeleteFiles(dir);
}

TEST_F(FakeTree, V2WithoutControllersSaysWhatIsMissingAndCreatesNothing) {
  V2Layout("hugetlb\n", "");
  std::unique_ptr<CgroupLimits> limits = Create(128);
  EXPECT_FALSE(limits->cpu_enforced());
  EXPECT_FALSE(limits->memory_enforced());
  EXPECT_TRUE(limits->group_dirs().empty());
  EXPECT_TRUE(limits->join_fds().empty());
  EXPECT_NE(limits->missing().find("--memory 128: not enforcing the CPU share"), std::string::npos)
      << limits->missing();
  EXPECT_NE(limits->missing().find("no cpu controller"), std::string::npos) << limits->missing();
  EXPECT_NE(limits->missing().find("no memory controller"), std::string::npos) << limits->missing();
  EXPECT_NE(limits->missing().find("measuring only"), std::string::npos);
  EXPECT_EQ(limits->missing().find('\n'), std::string::npos);  // one line
  EXPECT_FALSE(Exists("sys/fs/cgroup/user.slice/me/zs-test"));
  limits->BeforeSpawn();  // harmless without controllers
  limits->Throttle();
  EXPECT_FALSE(limits->OomKilledSinceSpawn(SIGKILL));
}

TEST_F(FakeTree, NothingMountedOrNotWritable) {
  Write("proc/self/cgroup", "0::/\n");
  Write("proc/self/mountinfo", "22 1 0:21 / /proc rw - proc proc rw\n");
  std::unique_ptr<CgroupLimits> limits = Create(1024);
  EXPECT_NE(limits->missing().find("no cgroup cpu controller mounted"), std::string::npos)
      << limits->missing();

  // v1 mounted, but our group's directory cannot take a child (here: it does not exist).
  V1Layout();
  fs::remove_all(root_ / "sys/fs/cgroup/memory/session");
  limits = Create(1024);
  EXPECT_TRUE(limits->cpu_enforced());
  EXPECT_FALSE(limits->memory_enforced());
  EXPECT_NE(limits->missing().find("not enforcing the memory limit (cannot create "),
            std::string::npos)
      << limits->missing();
  EXPECT_EQ(limits->group_dirs().size(), 1u);
  DeleteFiles("sys/fs/cgroup/cpu/zs-test");
}

}  // namespace
}  // namespace zerostart::emulator
