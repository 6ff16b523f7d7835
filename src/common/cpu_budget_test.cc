#include "src/common/cpu_budget.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace zerostart {
namespace {

namespace fs = std::filesystem;

// --- The rule ---

TEST(CpuBudgetTest, MemoryGivesOneThreadPer1769MbRoundedUp) {
  // Lambda's settings, with 6 CPUs visible so only memory decides.
  EXPECT_EQ(ThreadsFor(128, std::nullopt, 6), 1);
  EXPECT_EQ(ThreadsFor(1024, std::nullopt, 6), 1);  // 0.58 vCPU
  EXPECT_EQ(ThreadsFor(1769, std::nullopt, 6), 1);  // exactly one
  EXPECT_EQ(ThreadsFor(1770, std::nullopt, 6), 2);
  EXPECT_EQ(ThreadsFor(3008, std::nullopt, 6), 2);  // 1.7 vCPU
  EXPECT_EQ(ThreadsFor(3538, std::nullopt, 6), 2);  // exactly two
  EXPECT_EQ(ThreadsFor(3539, std::nullopt, 6), 3);
  EXPECT_EQ(ThreadsFor(10240, std::nullopt, 6), 6);  // 5.79 vCPU: Lambda's 6
}

TEST(CpuBudgetTest, VisibleCpusCapEverything) {
  EXPECT_EQ(ThreadsFor(3008, std::nullopt, 1), 1);
  EXPECT_EQ(ThreadsFor(10240, std::nullopt, 2), 2);
  EXPECT_EQ(ThreadsFor(std::nullopt, std::nullopt, 8), 8);  // nothing else known: nproc
  EXPECT_EQ(ThreadsFor(std::nullopt, CpuQuota{400000, 100000}, 3), 3);
  EXPECT_EQ(ThreadsFor(std::nullopt, std::nullopt, 0), 1);
  EXPECT_EQ(ThreadsFor(std::nullopt, std::nullopt, -5), 1);
}

TEST(CpuBudgetTest, QuotaRoundsUpAndTheTightestSourceWins) {
  EXPECT_EQ(ThreadsFor(std::nullopt, CpuQuota{50000, 100000}, 8), 1);    // 0.5
  EXPECT_EQ(ThreadsFor(std::nullopt, CpuQuota{100000, 100000}, 8), 1);   // 1.0
  EXPECT_EQ(ThreadsFor(std::nullopt, CpuQuota{150000, 100000}, 8), 2);   // 1.5
  EXPECT_EQ(ThreadsFor(std::nullopt, CpuQuota{1447, 20000}, 8), 1);      // the emulator at 128 MB
  EXPECT_EQ(ThreadsFor(std::nullopt, CpuQuota{34008, 20000}, 8), 2);     // ... at 3008 MB
  EXPECT_EQ(ThreadsFor(std::nullopt, CpuQuota{115772, 20000}, 8), 6);    // ... at 10240 MB
  // Memory says 6, the quota 2: 2. Memory says 1, the quota 4: 1.
  EXPECT_EQ(ThreadsFor(10240, CpuQuota{200000, 100000}, 8), 2);
  EXPECT_EQ(ThreadsFor(1024, CpuQuota{400000, 100000}, 8), 1);
  // Absurd values neither overflow nor give 0.
  EXPECT_EQ(ThreadsFor(INT64_MAX, CpuQuota{INT64_MAX, 1}, 4), 4);
  EXPECT_EQ(ThreadsFor(1, CpuQuota{1, INT64_MAX}, 4), 1);
  EXPECT_EQ(CpuQuota({1, INT64_MAX}).WholeCpus(), 1);
  EXPECT_EQ(CpuQuota({INT64_MAX, 1}).WholeCpus(), INT64_MAX);
}

TEST(CpuBudgetTest, MemoryFromEnvironment) {
  EXPECT_EQ(MemoryMbFromEnv({}), std::nullopt);
  EXPECT_EQ(MemoryMbFromEnv({{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3008"}}), 3008);
  EXPECT_EQ(MemoryMbFromEnv({{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", " 512\n"}}), 512);
  for (const char* bad : {"", "0", "-128", "12x", "1.5", "abc", "99999999999999999999999"}) {
    EXPECT_EQ(MemoryMbFromEnv({{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", bad}}), std::nullopt) << bad;
  }
}

TEST(CpuBudgetTest, ParsesCpuMax) {
  EXPECT_EQ(ParseCpuMax("max 100000\n"), std::nullopt);
  EXPECT_EQ(ParseCpuMax("max"), std::nullopt);
  EXPECT_EQ(ParseCpuMax("50000 100000\n"), (CpuQuota{50000, 100000}));
  EXPECT_EQ(ParseCpuMax("1447 20000"), (CpuQuota{1447, 20000}));
  EXPECT_EQ(ParseCpuMax("20000"), (CpuQuota{20000, 100000}));  // default period
  for (const char* bad : {"", "\n", "0 100000", "-1 100000", "50000 0", "50000 -5", "x 100000",
                          "50000 100000 7", "50000x 100000", "5e4 100000", "\x01\x02"}) {
    EXPECT_EQ(ParseCpuMax(bad), std::nullopt) << bad;
  }
}

TEST(CpuBudgetTest, ParsesCfsQuota) {
  EXPECT_EQ(ParseCfsQuota("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(ParseCfsQuota("50000\n", "100000\n"), (CpuQuota{50000, 100000}));
  EXPECT_EQ(ParseCfsQuota("", "100000"), std::nullopt);
  EXPECT_EQ(ParseCfsQuota("50000", ""), std::nullopt);
  EXPECT_EQ(ParseCfsQuota("50000", "0"), std::nullopt);
  EXPECT_EQ(ParseCfsQuota("junk", "100000"), std::nullopt);
}

// --- Reading the cgroup files of a fake tree ---

class FakeRoot {
 public:
  FakeRoot() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::path(::testing::TempDir()) /
            ("cpu_budget_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~FakeRoot() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  // Writes `text` at `path` (absolute inside the fake root), creating directories.
  void Write(const std::string& path, const std::string& text) const {
    const fs::path full = root_ / path.substr(1);
    fs::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary) << text;
  }
  void MakeDir(const std::string& path) const { fs::create_directories(root_ / path.substr(1)); }
  std::string root() const { return root_.string(); }
  std::optional<CpuQuota> Quota() const { return ReadCgroupCpuQuota(root()); }

 private:
  fs::path root_;
};

constexpr const char* kV2MountInfo =
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

constexpr const char* kV1MountInfo =
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "31 25 0:27 / /sys/fs/cgroup/systemd rw,nosuid shared:5 - cgroup cgroup "
    "rw,xattr,name=systemd\n"
    "33 25 0:29 / /sys/fs/cgroup/cpuset rw,nosuid shared:7 - cgroup cgroup rw,cpuset\n"
    "34 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:8 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "35 25 0:31 / /sys/fs/cgroup/memory rw,nosuid shared:9 - cgroup cgroup rw,memory\n";

constexpr const char* kV1Cgroup =
    "12:memory:/zerostart/fn\n"
    "4:cpu,cpuacct:/zerostart/fn\n"
    "3:cpuset:/\n"
    "1:name=systemd:/user.slice\n"
    "0::/user.slice\n";

TEST(CpuBudgetReaderTest, CgroupV2) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo", kV2MountInfo);
  t.Write("/proc/self/cgroup", "0::/zerostart/fn\n");
  t.Write("/sys/fs/cgroup/zerostart/fn/cpu.max", "34008 20000\n");
  t.Write("/sys/fs/cgroup/zerostart/cpu.max", "max 100000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{34008, 20000}));
}

TEST(CpuBudgetReaderTest, CgroupV2NoQuota) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo", kV2MountInfo);
  t.Write("/proc/self/cgroup", "0::/user.slice/session-1.scope\n");
  t.Write("/sys/fs/cgroup/user.slice/session-1.scope/cpu.max", "max 100000\n");
  t.Write("/sys/fs/cgroup/user.slice/cpu.max", "max 100000\n");
  // The root group has no cpu.max at all.
  EXPECT_EQ(t.Quota(), std::nullopt);
}

TEST(CpuBudgetReaderTest, CgroupV2NestedParentLimitBinds) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo", kV2MountInfo);
  t.Write("/proc/self/cgroup", "0::/a/b/c\n");
  t.Write("/sys/fs/cgroup/a/b/c/cpu.max", "max 100000\n");
  t.Write("/sys/fs/cgroup/a/b/cpu.max", "300000 100000\n");  // 3
  t.Write("/sys/fs/cgroup/a/cpu.max", "50000 100000\n");     // 0.5: the tightest
  t.Write("/sys/fs/cgroup/cpu.max", "garbage\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{50000, 100000}));
  // Siblings do not count.
  t.Write("/sys/fs/cgroup/a/b/other/cpu.max", "1000 100000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{50000, 100000}));
}

TEST(CpuBudgetReaderTest, CgroupV2InContainerNamespace) {
  // A cgroup namespace: the process sees itself at "/", the mount's root is "/" too, and the
  // files are those of the mount point.
  FakeRoot t;
  t.Write("/proc/self/mountinfo",
          "600 590 0:26 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n");
  t.Write("/proc/self/cgroup", "0::/\n");
  t.Write("/sys/fs/cgroup/cpu.max", "150000 100000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{150000, 100000}));
}

TEST(CpuBudgetReaderTest, CgroupV2BindMountedSubtree) {
  // The mount shows the subtree /docker/abc at /sys/fs/cgroup; the process is in
  // /docker/abc/inner.
  FakeRoot t;
  t.Write("/proc/self/mountinfo",
          "600 590 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  t.Write("/proc/self/cgroup", "0::/docker/abc/inner\n");
  t.Write("/sys/fs/cgroup/inner/cpu.max", "max 100000\n");
  t.Write("/sys/fs/cgroup/cpu.max", "250000 100000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{250000, 100000}));
}

TEST(CpuBudgetReaderTest, PathOutsideTheMountUsesTheMountPoint) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo", kV2MountInfo);
  t.Write("/proc/self/cgroup", "0::/../../elsewhere\n");
  t.Write("/sys/fs/cgroup/cpu.max", "70000 100000\n");
  t.Write("/elsewhere/cpu.max", "1 100000\n");  // never read
  EXPECT_EQ(t.Quota(), (CpuQuota{70000, 100000}));
}

TEST(CpuBudgetReaderTest, CgroupV1) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo", kV1MountInfo);
  t.Write("/proc/self/cgroup", kV1Cgroup);
  t.Write("/sys/fs/cgroup/cpu,cpuacct/zerostart/fn/cpu.cfs_quota_us", "7235\n");
  t.Write("/sys/fs/cgroup/cpu,cpuacct/zerostart/fn/cpu.cfs_period_us", "100000\n");
  t.Write("/sys/fs/cgroup/cpu,cpuacct/zerostart/cpu.cfs_quota_us", "-1\n");
  t.Write("/sys/fs/cgroup/cpu,cpuacct/zerostart/cpu.cfs_period_us", "100000\n");
  // The cpuset hierarchy has no cfs files and does not count.
  t.Write("/sys/fs/cgroup/cpuset/cpu.cfs_quota_us", "1\n");
  t.Write("/sys/fs/cgroup/cpuset/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{7235, 100000}));
}

TEST(CpuBudgetReaderTest, CgroupV1NoQuotaAndNested) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo", kV1MountInfo);
  t.Write("/proc/self/cgroup", kV1Cgroup);
  const std::string group = "/sys/fs/cgroup/cpu,cpuacct";
  for (const std::string& dir : {group, group + "/zerostart", group + "/zerostart/fn"}) {
    t.Write(dir + "/cpu.cfs_quota_us", "-1\n");
    t.Write(dir + "/cpu.cfs_period_us", "100000\n");
  }
  EXPECT_EQ(t.Quota(), std::nullopt);
  t.Write(group + "/zerostart/cpu.cfs_quota_us", "40000\n");
  t.Write(group + "/zerostart/cpu.cfs_period_us", "20000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{40000, 20000}));
}

TEST(CpuBudgetReaderTest, HybridTakesTheTightestOfBoth) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo",
          std::string(kV1MountInfo) +
              "40 25 0:35 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
  t.Write("/proc/self/cgroup", kV1Cgroup);
  t.Write("/sys/fs/cgroup/cpu,cpuacct/zerostart/fn/cpu.cfs_quota_us", "300000\n");
  t.Write("/sys/fs/cgroup/cpu,cpuacct/zerostart/fn/cpu.cfs_period_us", "100000\n");
  t.Write("/sys/fs/cgroup/unified/user.slice/cpu.max", "20000 100000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{20000, 100000}));
}

TEST(CpuBudgetReaderTest, EscapedMountPoint) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo",
          "30 22 0:26 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n");
  t.Write("/proc/self/cgroup", "0::/g\n");
  t.Write("/mnt/my cgroups/g/cpu.max", "60000 100000\n");
  EXPECT_EQ(t.Quota(), (CpuQuota{60000, 100000}));
}

TEST(CpuBudgetReaderTest, MissingOrGarbageFilesFallBack) {
  {
    FakeRoot t;  // nothing at all
    EXPECT_EQ(t.Quota(), std::nullopt);
  }
  {
    FakeRoot t;  // a cgroup file but no mountinfo
    t.Write("/proc/self/cgroup", "0::/g\n");
    EXPECT_EQ(t.Quota(), std::nullopt);
  }
  {
    FakeRoot t;  // garbage everywhere
    t.Write("/proc/self/mountinfo", "\x01\x02 - -\n- cgroup2\n1 2 3 4 5 6 -\n::::\n\n");
    t.Write("/proc/self/cgroup", "garbage\n0:\n::\n0::\n:cpu:\n");
    EXPECT_EQ(t.Quota(), std::nullopt);
  }
  {
    FakeRoot t;  // valid layout, garbage quota files
    t.Write("/proc/self/mountinfo", kV2MountInfo);
    t.Write("/proc/self/cgroup", "0::/g\n");
    t.Write("/sys/fs/cgroup/g/cpu.max", "lots\n");
    t.Write("/sys/fs/cgroup/cpu.max", std::string(100, '9') + " 100000\n");
    EXPECT_EQ(t.Quota(), std::nullopt);
  }
  {
    FakeRoot t;  // cpu.max is a directory; the group's directory is missing
    t.Write("/proc/self/mountinfo", kV2MountInfo);
    t.Write("/proc/self/cgroup", "0::/missing/g\n");
    t.MakeDir("/sys/fs/cgroup/cpu.max");
    EXPECT_EQ(t.Quota(), std::nullopt);
  }
  {
    FakeRoot t;  // v1 with only the quota file
    t.Write("/proc/self/mountinfo", kV1MountInfo);
    t.Write("/proc/self/cgroup", kV1Cgroup);
    t.Write("/sys/fs/cgroup/cpu,cpuacct/zerostart/fn/cpu.cfs_quota_us", "50000\n");
    EXPECT_EQ(t.Quota(), std::nullopt);
  }
}

TEST(CpuBudgetReaderTest, ReadCpuBudgetCombinesTheSources) {
  FakeRoot t;
  t.Write("/proc/self/mountinfo", kV2MountInfo);
  t.Write("/proc/self/cgroup", "0::/fn\n");
  t.Write("/sys/fs/cgroup/fn/cpu.max", "1447 20000\n");
  const CpuBudget budget =
      ReadCpuBudget({{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "10240"}}, t.root());
  EXPECT_EQ(budget.memory_mb, 10240);
  EXPECT_EQ(budget.quota, (CpuQuota{1447, 20000}));
  EXPECT_EQ(budget.visible_cpus, VisibleCpus());
  EXPECT_EQ(budget.threads, 1);  // the quota (0.07 CPU) binds
}

TEST(CpuBudgetReaderTest, RealSystemDoesNotCrash) {
  const int visible = VisibleCpus();
  EXPECT_GE(visible, 1);
  const CpuBudget budget = ReadCpuBudget({});
  EXPECT_GE(budget.threads, 1);
  EXPECT_LE(budget.threads, visible);
  if (budget.quota) {
    EXPECT_GT(budget.quota->quota_us, 0);
    EXPECT_GT(budget.quota->period_us, 0);
  }
}

}  // namespace
}  // namespace zerostart
