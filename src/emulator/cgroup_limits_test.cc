// CgroupLimits against fake cgroup trees of plain files (v1 and v2 layouts): which files it
// writes, when, and what it reports when no controller is usable. On the real kernel (as root):
// many groups, one per execution environment, created and removed in a row and from threads at
// once (timings printed). The limits themselves are exercised by tests/integration/limits_test.cc,
// the freezer by freezer_test.cc.
#include "src/emulator/cgroup_limits.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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

  // cpu, memory and freezer hierarchies, and an empty cgroup2 beside them (hybrid).
  void V1Layout() {
    Write("proc/self/cgroup", "6:freezer:/\n5:memory:/session/a\n2:cpuacct:/\n1:cpu:/\n0::/\n");
    Write("proc/self/mountinfo",
          "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
          "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
          "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
          "36 31 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
          "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    fs::create_directories(root_ / "sys/fs/cgroup/cpu");
    fs::create_directories(root_ / "sys/fs/cgroup/memory/session/a");
    fs::create_directories(root_ / "sys/fs/cgroup/freezer");
    fs::create_directories(root_ / "sys/fs/cgroup/unified");
  }

  // As V1Layout, without the freezer hierarchy.
  void V1LayoutWithoutFreezer() {
    V1Layout();
    Write("proc/self/cgroup", "5:memory:/session/a\n2:cpuacct:/\n1:cpu:/\n0::/\n");
    Write("proc/self/mountinfo",
          "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
          "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
          "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  }

  void V2Layout(const std::string& controllers, const std::string& subtree) {
    Write("proc/self/cgroup", "0::/user.slice/me\n");
    Write("proc/self/mountinfo", "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n");
    Write("sys/fs/cgroup/user.slice/me/cgroup.controllers", controllers);
    Write("sys/fs/cgroup/user.slice/me/cgroup.subtree_control", subtree);
  }

  std::unique_ptr<CgroupLimits> Create(int memory_mb, bool freezer = true,
                                       const std::string& group_name = "zs-test") {
    CgroupLimitsOptions options;
    options.memory_mb = memory_mb;
    options.visible_cpus = 2;
    options.group_name = group_name;
    options.freezer = freezer;
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
  const std::string freezer = "sys/fs/cgroup/freezer/zs-test/";
  EXPECT_EQ(limits->group_dirs(),
            (std::vector<std::string>{(root_ / cpu).parent_path().string(),
                                      (root_ / memory).parent_path().string(),
                                      (root_ / freezer).parent_path().string()}));
  EXPECT_EQ(limits->join_fds().size(), 3u);
  EXPECT_FALSE(Exists(freezer + "freezer.state"));  // nothing written: a new group is THAWED
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
  DeleteFiles(freezer);
  limits->Remove();
  EXPECT_FALSE(Exists(cpu));
  EXPECT_FALSE(Exists(memory));
  EXPECT_FALSE(Exists(freezer));
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

TEST_F(FakeTree, V1FreezerGroupFreezesThroughFreezerStateAndIsThawedByRemove) {
  V1Layout();
  std::unique_ptr<CgroupLimits> limits = Create(128);
  const std::string freezer = "sys/fs/cgroup/freezer/zs-test/";
  EXPECT_EQ(limits->MakeFreezer(), nullptr);  // no freezer.state (a real group always has one)
  Write(freezer + "freezer.state", "THAWED\n");
  std::unique_ptr<Freezer> frozen = limits->MakeFreezer();
  ASSERT_NE(frozen, nullptr);
  EXPECT_EQ(frozen->mechanism(), "cgroup v1 freezer");
  // Beside it, while it lives: the empty group kept frozen so that Freeze and Thaw stay cheap.
  const std::string keeper = "sys/fs/cgroup/freezer/zerostart-" + std::to_string(::getpid()) + "-keeper";
  EXPECT_TRUE(Exists(keeper));
  ASSERT_TRUE(frozen->Freeze().ok());
  EXPECT_EQ(Read(freezer + "freezer.state"), "FROZEN\n");
  EXPECT_TRUE(frozen->IsFrozen());
  ASSERT_TRUE(frozen->Thaw().ok());
  EXPECT_EQ(Read(freezer + "freezer.state"), "THAWED\n");
  EXPECT_FALSE(frozen->IsFrozen());

  ASSERT_TRUE(frozen->Freeze().ok());
  DeleteFiles("sys/fs/cgroup/cpu/zs-test");
  DeleteFiles("sys/fs/cgroup/memory/session/a/zs-test");
  limits->Remove();
  EXPECT_EQ(Read(freezer + "freezer.state"), "THAWED");  // thawed before the kills and rmdir
  EXPECT_FALSE(Exists("sys/fs/cgroup/cpu/zs-test"));
  EXPECT_FALSE(Exists(keeper));  // the last v1 freezer group of this process is gone
  EXPECT_EQ(limits->MakeFreezer(), nullptr);
}

TEST_F(FakeTree, NoFreezerHierarchyNoV2FreezeFileNoFreezerAndNothingReported) {
  V1LayoutWithoutFreezer();
  std::unique_ptr<CgroupLimits> limits = Create(128);
  // The cgroup2 mount was tried for a group of its own, and dropped: no cgroup.freeze there.
  EXPECT_EQ(limits->group_dirs().size(), 2u);
  EXPECT_FALSE(Exists("sys/fs/cgroup/unified/zs-test"));
  EXPECT_EQ(limits->MakeFreezer(), nullptr);
  EXPECT_EQ(limits->missing(), "");  // the limits are enforced; the caller freezes by SIGSTOP
  DeleteFiles("sys/fs/cgroup/cpu/zs-test");
  DeleteFiles("sys/fs/cgroup/memory/session/a/zs-test");
}

TEST_F(FakeTree, FreezerOptionOffMakesNoFreezerGroup) {
  V1Layout();
  std::unique_ptr<CgroupLimits> limits = Create(128, /*freezer=*/false);
  EXPECT_EQ(limits->group_dirs().size(), 2u);
  EXPECT_FALSE(Exists("sys/fs/cgroup/freezer/zs-test"));
  EXPECT_EQ(limits->MakeFreezer(), nullptr);
  DeleteFiles("sys/fs/cgroup/cpu/zs-test");
  DeleteFiles("sys/fs/cgroup/memory/session/a/zs-test");
}

TEST_F(FakeTree, V2FreezerIsTheSharedGroupsCgroupFreeze) {
  V2Layout("cpu memory\n", "cpu memory\n");
  std::unique_ptr<CgroupLimits> limits = Create(512);
  const std::string dir = "sys/fs/cgroup/user.slice/me/zs-test/";
  EXPECT_EQ(limits->group_dirs().size(), 1u);
  EXPECT_EQ(limits->join_fds().size(), 1u);
  EXPECT_EQ(limits->MakeFreezer(), nullptr);  // the fake group has no cgroup.freeze yet
  Write(dir + "cgroup.freeze", "0\n");
  Write(dir + "cgroup.events", "populated 1\nfrozen 0\n");
  std::unique_ptr<Freezer> freezer = limits->MakeFreezer();
  ASSERT_NE(freezer, nullptr);
  EXPECT_EQ(freezer->mechanism(), "cgroup v2 freezer");
  ASSERT_TRUE(freezer->Freeze().ok());
  EXPECT_EQ(Read(dir + "cgroup.freeze"), "1\n");
  EXPECT_FALSE(freezer->IsFrozen());  // asked, not yet done: the kernel says so in cgroup.events
  Write(dir + "cgroup.events", "populated 1\nfrozen 1\n");
  EXPECT_TRUE(freezer->IsFrozen());
  limits->Remove();
  EXPECT_EQ(Read(dir + "cgroup.freeze"), "0");
  fs::remove_all(root_ / dir);
}

TEST_F(FakeTree, StaleGroupsOfDeadEmulatorsGoOursStayAFrozenOneIsThawed) {
  V1Layout();
  const std::string self = "zerostart-" + std::to_string(::getpid());
  const std::string dead = "zerostart-2147483646";  // above any pid_max: no such process
  ASSERT_NE(::kill(2147483646, 0), 0);
  const std::string parent = "sys/fs/cgroup/freezer/";
  fs::create_directories(root_ / parent / (self + "-7"));      // a live environment of ours
  fs::create_directories(root_ / parent / (dead + "-1"));      // empty: removed
  Write(parent + dead + "-2/freezer.state", "FROZEN");          // populated (here: not empty)
  std::unique_ptr<CgroupLimits> limits = Create(128, true, self + "-8");
  EXPECT_TRUE(Exists(parent + self + "-7"));
  EXPECT_FALSE(Exists(parent + dead + "-1"));
  EXPECT_EQ(Read(parent + dead + "-2/freezer.state"), "THAWED");
  EXPECT_TRUE(Exists(parent + self + "-8"));
  DeleteFiles("sys/fs/cgroup/cpu/" + self + "-8");
  DeleteFiles("sys/fs/cgroup/memory/session/a/" + self + "-8");
  DeleteFiles(parent + self + "-8");
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
  EXPECT_EQ(limits->missing().find("freez"), std::string::npos);  // the freezer is not a limit
  // Also no group for the freezer alone: this (fake) kernel has no cgroup.freeze.
  EXPECT_FALSE(Exists("sys/fs/cgroup/user.slice/me/zs-test"));
  EXPECT_EQ(limits->MakeFreezer(), nullptr);
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
  EXPECT_EQ(limits->group_dirs().size(), 2u);  // cpu and freezer
  DeleteFiles("sys/fs/cgroup/cpu/zs-test");
  DeleteFiles("sys/fs/cgroup/freezer/zs-test");
}

// --- The real kernel: one group per execution environment, many of them ---

using Clock = std::chrono::steady_clock;

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

CgroupLimitsOptions RealOptions() {
  static std::atomic<int> counter{100000};
  CgroupLimitsOptions options;
  options.memory_mb = 128;
  options.visible_cpus = 2;
  options.group_name = "zerostart-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  return options;
}

// What one CgroupLimits gets here.
struct Here {
  size_t groups = 0;
  bool freezer = false;
};

// What one CgroupLimits gets here, or a reason to skip.
std::string HereOrWhyNot(Here* here) {
  if (::geteuid() != 0) return "not root: cannot create cgroups";
  std::unique_ptr<CgroupLimits> probe = CgroupLimits::Create(RealOptions());
  here->groups = probe->group_dirs().size();
  here->freezer = probe->MakeFreezer() != nullptr;
  if (here->groups == 0) return "no usable cgroup here: " + probe->missing();
  return "";
}

TEST(RealCgroupsTest, AHundredGroupsInARowThenRemoved) {
  Here here;
  if (std::string why = HereOrWhyNot(&here); !why.empty()) GTEST_SKIP() << why;
  const size_t groups = here.groups;
  constexpr int kCount = 100;
  std::vector<std::unique_ptr<CgroupLimits>> live;
  double create_us = 0;
  double last_create_us = 0;
  for (int i = 0; i < kCount; ++i) {
    const Clock::time_point start = Clock::now();
    live.push_back(CgroupLimits::Create(RealOptions()));
    last_create_us = MicrosSince(start);
    create_us += last_create_us;
    ASSERT_EQ(live.back()->group_dirs().size(), groups) << live.back()->missing();
  }
  // Each Create scanned the parents for stale groups: none of ours went.
  for (const auto& limits : live) {
    for (const std::string& dir : limits->group_dirs()) EXPECT_TRUE(fs::exists(dir)) << dir;
  }
  std::vector<std::string> dirs;
  double remove_us = 0;
  for (auto& limits : live) {
    for (const std::string& dir : limits->group_dirs()) dirs.push_back(dir);
    const Clock::time_point start = Clock::now();
    limits->Remove();
    remove_us += MicrosSince(start);
  }
  for (const std::string& dir : dirs) EXPECT_FALSE(fs::exists(dir)) << dir;
  std::printf("%d environments in a row, %zu groups each: Create %.0f us (the 100th, with 99 live: "
              "%.0f us), Remove %.0f us per environment\n",
              kCount, groups, create_us / kCount, last_create_us, remove_us / kCount);
}

TEST(RealCgroupsTest, SixteenThreadsCreateAndRemoveAtOnce) {
  Here here;
  if (std::string why = HereOrWhyNot(&here); !why.empty()) GTEST_SKIP() << why;
  const size_t groups = here.groups;
  constexpr int kThreads = 16;
  constexpr int kRounds = 10;
  std::atomic<int> wrong{0};
  std::atomic<int> left{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        std::unique_ptr<CgroupLimits> limits = CgroupLimits::Create(RealOptions());
        const std::vector<std::string> dirs = limits->group_dirs();
        if (dirs.size() != groups || (limits->MakeFreezer() != nullptr) != here.freezer) ++wrong;
        limits->Remove();
        for (const std::string& dir : dirs) left += fs::exists(dir) ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double total_us = MicrosSince(start);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(left.load(), 0);
  std::printf("%d threads x %d environments: %.0f ms in all, %.0f us of wall time per "
              "Create+Remove\n",
              kThreads, kRounds, total_us / 1000, total_us / (kThreads * kRounds));
}

}  // namespace
}  // namespace zerostart::emulator
