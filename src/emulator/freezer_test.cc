// Freezers. Against plain files: what the cgroup freezers write and read. On the real kernel,
// for each mechanism usable here (cgroup v1 and v2 need root): a spinning process tree stops
// (its CPU time stays put) and runs again, no exit is seen by a waiter in between, Remove() of a
// frozen group leaves nothing, and the cost of Freeze and Thaw is printed.
#include "src/emulator/freezer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "src/common/cgroup_fs.h"
#include "src/common/spawn.h"
#include "src/common/split.h"
#include "src/common/unique_fd.h"
#include "src/emulator/cgroup_limits.h"
#include "src/emulator/function_process.h"
#include "src/emulator/log_sink.h"

namespace zerostart::emulator {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// --- Against plain files ---

class FreezerFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/zs_freezer_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Put(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string Get(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(FreezerFilesTest, V1WritesFreezerStateAndReadsItBack) {
  EXPECT_EQ(MakeCgroupV1Freezer(dir_.string()), nullptr);  // no freezer.state
  Put("freezer.state", "THAWED\n");
  std::unique_ptr<Freezer> freezer = MakeCgroupV1Freezer(dir_.string());
  ASSERT_NE(freezer, nullptr);
  EXPECT_EQ(freezer->mechanism(), "cgroup v1 freezer");
  EXPECT_FALSE(freezer->IsFrozen());
  ASSERT_TRUE(freezer->Freeze().ok());
  EXPECT_EQ(Get("freezer.state"), "FROZEN\n");
  EXPECT_TRUE(freezer->IsFrozen());
  Put("freezer.state", "FREEZING\n");  // the kernel's word until every task has stopped
  EXPECT_FALSE(freezer->IsFrozen());
  ASSERT_TRUE(freezer->Thaw().ok());
  EXPECT_EQ(Get("freezer.state").substr(0, 6), "THAWED");
}

TEST_F(FreezerFilesTest, V2WritesCgroupFreezeAndReadsFrozenFromCgroupEvents) {
  EXPECT_EQ(MakeCgroupV2Freezer(dir_.string()), nullptr);  // no cgroup.freeze (the root group)
  Put("cgroup.freeze", "0\n");
  Put("cgroup.events", "populated 1\nfrozen 0\n");
  std::unique_ptr<Freezer> freezer = MakeCgroupV2Freezer(dir_.string());
  ASSERT_NE(freezer, nullptr);
  EXPECT_EQ(freezer->mechanism(), "cgroup v2 freezer");
  ASSERT_TRUE(freezer->Freeze().ok());
  EXPECT_EQ(Get("cgroup.freeze"), "1\n");
  EXPECT_FALSE(freezer->IsFrozen());  // asked; the kernel has not said so yet
  Put("cgroup.events", "populated 1\nfrozen 1\n");
  EXPECT_TRUE(freezer->IsFrozen());
  ASSERT_TRUE(freezer->Thaw().ok());
  EXPECT_EQ(Get("cgroup.freeze"), "0\n");
  fs::remove(dir_ / "cgroup.events");
  EXPECT_FALSE(freezer->IsFrozen());
}

// --- On the real kernel ---

// utime + stime of `pid` (clock ticks; /proc/PID/stat fields 14 and 15, proc(5)).
uint64_t CpuTicks(pid_t pid) {
  const std::string stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat").value_or("");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  const std::vector<std::string_view> fields = SplitWhitespace(std::string_view(stat).substr(close + 1));
  if (fields.size() < 13) return 0;
  return std::stoull(std::string(fields[11])) + std::stoull(std::string(fields[12]));
}

// Polls `condition` (a state file or /proc) until it holds, for at most `limit`.
bool WaitUntil(const std::function<bool()>& condition, milliseconds limit = milliseconds(10000)) {
  const steady_clock::time_point give_up = steady_clock::now() + limit;
  while (!condition()) {
    if (steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

double MicrosBetween(steady_clock::time_point start, steady_clock::time_point end) {
  return std::chrono::duration<double, std::micro>(end - start).count();
}

// A root under which CgroupLimits sees only the cgroup2 mount (the real one, through a symlink)
// and our cgroup2 path: on a hybrid host the v1 freezer is chosen first, and this is how the v2
// one gets tested there too. "" and `why` set when there is no cgroup2 mount.
std::string MakeV2OnlyRoot(std::string* why) {
  const std::vector<CgroupMount> mounts =
      ParseCgroupMounts(ReadSmallFile("/proc/self/mountinfo").value_or(""));
  const auto v2 = std::find_if(mounts.begin(), mounts.end(), [](const CgroupMount& m) { return m.v2; });
  std::string path;
  for (const CgroupMembership& membership :
       ParseProcCgroup(ReadSmallFile("/proc/self/cgroup").value_or(""))) {
    if (membership.v2) path = membership.path;
  }
  if (v2 == mounts.end() || path.empty()) {
    *why = "no cgroup2 mount";
    return "";
  }
  char pattern[] = "/tmp/zs_freezer_v2_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    *why = "mkdtemp failed";
    return "";
  }
  const fs::path root = pattern;
  fs::create_directories(root / "proc/self");
  fs::create_directories(root / "sys/fs/cgroup");
  std::ofstream(root / "proc/self/cgroup") << "0::" << path << "\n";
  std::ofstream(root / "proc/self/mountinfo")
      << "1 1 0:1 " << v2->root << " /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
  fs::create_directory_symlink(v2->mount_point, root / "sys/fs/cgroup/unified");
  return root.string();
}

class RealFreezerTest : public ::testing::TestWithParam<std::string_view> {
 protected:
  void SetUp() override {
    mechanism_ = GetParam();
    if (mechanism_ == "SIGSTOP") return;
    if (::geteuid() != 0) GTEST_SKIP() << "not root: cannot create cgroups";
    CgroupLimitsOptions options;
    options.memory_mb = 1769;  // a whole CPU (none is throttled before Throttle() anyway)
    options.visible_cpus = 2;
    options.group_name = "zerostart-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_);
    if (mechanism_ == "cgroup v2 freezer") {
      std::string why;
      root_ = MakeV2OnlyRoot(&why);
      if (root_.empty()) GTEST_SKIP() << why;
      options.root = root_;
    }
    limits_ = CgroupLimits::Create(options);
    std::unique_ptr<Freezer> probe = limits_->MakeFreezer();
    if (probe == nullptr || probe->mechanism() != mechanism_) {
      GTEST_SKIP() << "no " << mechanism_ << " here (got "
                   << (probe ? probe->mechanism() : std::string_view("none")) << ")";
    }
  }

  void TearDown() override {
    if (pid_ > 0) {
      if (freezer_) (void)freezer_->Thaw();
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (limits_) limits_->Remove();
    if (!root_.empty()) {
      fs::remove(fs::path(root_) / "sys/fs/cgroup/unified");  // the symlink, never what it names
      fs::remove_all(root_);
    }
  }

  // Spawns `spec` (into the groups, if any) and makes its freezer.
  void Start(SpawnSpec spec) {
    if (limits_) spec.join_cgroup_fds = limits_->join_fds();
    Result<pid_t> pid = SpawnProcessGroup(spec);
    ASSERT_TRUE(pid.ok()) << pid.status().ToString();
    pid_ = *pid;
    freezer_ = limits_ ? limits_->MakeFreezer() : MakeSignalFreezer(pid_);
    ASSERT_NE(freezer_, nullptr);
    ASSERT_EQ(freezer_->mechanism(), mechanism_);
  }

  // A process tree that burns CPU: a shell spinning in a loop, with a sleeping child.
  void StartSpinner() {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "sleep 1000 & while :; do :; done"};
    spec.env = {"PATH=/usr/bin:/bin"};
    Start(std::move(spec));
  }

  static inline int counter_ = 200000;
  std::string_view mechanism_;
  std::string root_;
  std::unique_ptr<CgroupLimits> limits_;
  pid_t pid_ = -1;
  std::unique_ptr<Freezer> freezer_;
};

TEST_P(RealFreezerTest, FreezeStopsTheTreeAndThawLetsItRunAgain) {
  ASSERT_NO_FATAL_FAILURE(StartSpinner());
  for (int round = 0; round < 2; ++round) {  // a second time: the kept descriptor takes more writes
    const uint64_t started = CpuTicks(pid_);
    ASSERT_TRUE(WaitUntil([&] { return CpuTicks(pid_) > started; })) << "the spinner never ran";
    ASSERT_TRUE(freezer_->Freeze().ok());
    ASSERT_TRUE(WaitUntil([&] { return freezer_->IsFrozen(); })) << mechanism_ << " never froze";
    const uint64_t frozen = CpuTicks(pid_);
    // An interval to watch, not a synchronization: frozen, the tree gets no CPU at all.
    std::this_thread::sleep_for(milliseconds(150));
    EXPECT_EQ(CpuTicks(pid_), frozen);
    EXPECT_TRUE(freezer_->IsFrozen());
    ASSERT_TRUE(freezer_->Freeze().ok());  // again: harmless

    // What FunctionProcess's reaper waits for (WEXITED): a stop is not an exit.
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT), 0);
    EXPECT_EQ(info.si_pid, 0);

    ASSERT_TRUE(freezer_->Thaw().ok());
    EXPECT_TRUE(WaitUntil([&] { return CpuTicks(pid_) > frozen; })) << "no CPU after Thaw";
    EXPECT_FALSE(freezer_->IsFrozen());
  }
}

TEST_P(RealFreezerTest, RemoveOfAFrozenGroupLeavesNothing) {
  if (!limits_) GTEST_SKIP() << "no cgroup with " << mechanism_;
  ASSERT_NO_FATAL_FAILURE(StartSpinner());
  ASSERT_TRUE(freezer_->Freeze().ok());
  ASSERT_TRUE(WaitUntil([&] { return freezer_->IsFrozen(); }));
  const std::vector<std::string> dirs = limits_->group_dirs();
  const steady_clock::time_point start = steady_clock::now();
  limits_->Remove();
  const double remove_us = MicrosBetween(start, steady_clock::now());
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  for (const std::string& dir : dirs) EXPECT_FALSE(fs::exists(dir)) << dir;
  EXPECT_LT(remove_us, 1e6);  // not Remove's 2 s of retries: the kills took at once
  EXPECT_EQ(freezer_->Freeze().code(), StatusCode::kNotFound) << freezer_->Freeze().ToString();
  std::printf("%.*s: Remove of a frozen environment (%zu groups, 2 processes): %.0f us\n",
              static_cast<int>(mechanism_.size()), mechanism_.data(), dirs.size(), remove_us);
}

// The warm path: a process blocked in read (as a runtime in GET /next), frozen, thawed, then
// given a byte to echo. Prints the median and worst of each step over the rounds.
TEST_P(RealFreezerTest, CostOfFreezeAndThaw) {
  int to_child[2];
  int from_child[2];
  ASSERT_EQ(::pipe2(to_child, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(from_child, O_CLOEXEC), 0);
  UniqueFd to_read(to_child[0]), to_write(to_child[1]);
  UniqueFd from_read(from_child[0]), from_write(from_child[1]);
  SpawnSpec spec;
  spec.argv = {"/bin/cat"};
  spec.stdin_fd = to_read.get();
  spec.stdout_fd = from_write.get();
  ASSERT_NO_FATAL_FAILURE(Start(std::move(spec)));
  to_read.Reset();
  from_write.Reset();
  const auto echo = [&] {
    char byte = 'x';
    return ::write(to_write.get(), &byte, 1) == 1 && ::read(from_read.get(), &byte, 1) == 1;
  };
  constexpr int kRounds = 100;
  std::vector<double> plain, freeze, frozen_after, thaw, echo_after_thaw;
  for (int i = 0; i < kRounds; ++i) {
    steady_clock::time_point t0 = steady_clock::now();
    ASSERT_TRUE(echo());
    plain.push_back(MicrosBetween(t0, steady_clock::now()));
  }
  for (int i = 0; i < kRounds; ++i) {
    const steady_clock::time_point t0 = steady_clock::now();
    ASSERT_TRUE(freezer_->Freeze().ok());
    const steady_clock::time_point t1 = steady_clock::now();
    ASSERT_TRUE(WaitUntil([&] { return freezer_->IsFrozen(); }));
    const steady_clock::time_point t2 = steady_clock::now();
    ASSERT_TRUE(freezer_->Thaw().ok());
    const steady_clock::time_point t3 = steady_clock::now();
    ASSERT_TRUE(echo());
    const steady_clock::time_point t4 = steady_clock::now();
    freeze.push_back(MicrosBetween(t0, t1));
    frozen_after.push_back(MicrosBetween(t0, t2));
    thaw.push_back(MicrosBetween(t2, t3));
    echo_after_thaw.push_back(MicrosBetween(t3, t4));
  }
  const auto median_max = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    char text[64];
    std::snprintf(text, sizeof text, "%.1f/%.0f", v[v.size() / 2], v.back());
    return std::string(text);
  };
  std::printf("%-17.*s (us, median/max of %d): Freeze() %s, frozen after %s, Thaw() %s, "
              "echo after Thaw %s (echo never frozen %s)\n",
              static_cast<int>(mechanism_.size()), mechanism_.data(), kRounds,
              median_max(freeze).c_str(), median_max(frozen_after).c_str(),
              median_max(thaw).c_str(), median_max(echo_after_thaw).c_str(),
              median_max(plain).c_str());
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, RealFreezerTest,
                         ::testing::Values("SIGSTOP", "cgroup v1 freezer", "cgroup v2 freezer"),
                         [](const ::testing::TestParamInfo<std::string_view>& info) {
                           if (info.param == "SIGSTOP") return std::string("Sigstop");
                           return std::string(info.param == "cgroup v1 freezer" ? "CgroupV1"
                                                                                : "CgroupV2");
                         });

TEST(SignalFreezerTest, FunctionProcessSeesNoExitInStopAndContinueAndAStoppedTreeCanBeKilled) {
  CapturingLogSink sink;
  SpawnOptions options;
  options.path = "/bin/sh";
  options.args = {"-c", "while :; do :; done"};
  options.working_dir = "/";
  Result<std::unique_ptr<FunctionProcess>> spawned = FunctionProcess::Spawn(options, &sink, nullptr);
  ASSERT_TRUE(spawned.ok()) << spawned.status().ToString();
  std::unique_ptr<FunctionProcess> process = std::move(spawned).value();
  std::unique_ptr<Freezer> freezer = MakeSignalFreezer(process->pid());
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(freezer->Freeze().ok());
    ASSERT_TRUE(WaitUntil([&] { return freezer->IsFrozen(); }));
    ASSERT_TRUE(freezer->Thaw().ok());
    ASSERT_TRUE(WaitUntil([&] { return !freezer->IsFrozen(); }));
  }
  EXPECT_FALSE(process->exit_info().has_value());  // the reaper waits for WEXITED only
  ASSERT_TRUE(freezer->Freeze().ok());
  ASSERT_TRUE(WaitUntil([&] { return freezer->IsFrozen(); }));
  process->Signal(SIGKILL);  // SIGKILL needs no SIGCONT
  ASSERT_TRUE(process->WaitForExit(milliseconds(10000)));
  const int status = process->exit_info()->wait_status;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_EQ(freezer->Thaw().code(), StatusCode::kNotFound);  // the group is gone
}

// An environment with extensions has several process groups (without a cgroup): all stop, all
// continue.
TEST(SignalFreezerTest, SeveralGroupsStopAndContinueTogether) {
  CapturingLogSink sink;
  SpawnOptions options;
  options.path = "/bin/sh";
  options.args = {"-c", "while :; do :; done"};
  options.working_dir = "/";
  std::vector<std::unique_ptr<FunctionProcess>> processes;
  for (int i = 0; i < 2; ++i) {
    Result<std::unique_ptr<FunctionProcess>> spawned = FunctionProcess::Spawn(options, &sink, nullptr);
    ASSERT_TRUE(spawned.ok()) << spawned.status().ToString();
    processes.push_back(std::move(spawned).value());
  }
  std::unique_ptr<Freezer> both = MakeSignalFreezer({processes[0]->pid(), processes[1]->pid()});
  std::unique_ptr<Freezer> second = MakeSignalFreezer(processes[1]->pid());
  ASSERT_TRUE(both->Freeze().ok());
  ASSERT_TRUE(WaitUntil([&] { return both->IsFrozen(); }));
  EXPECT_TRUE(second->IsFrozen());  // the second group too, not just the first
  ASSERT_TRUE(both->Thaw().ok());
  ASSERT_TRUE(WaitUntil([&] { return !second->IsFrozen(); }));
  for (const auto& process : processes) process->Signal(SIGKILL);
}

}  // namespace
}  // namespace zerostart::emulator
