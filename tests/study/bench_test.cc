// `zerostart bench` as a user runs it, on configurations that take seconds: what it writes
// (results.json keys and sample counts, report.md sections, a chart when gnuplot is here) and
// how it meets bad input, failing and hanging functions and SIGINT. Never timings.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"

namespace zerostart::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

class BenchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/zs-bench-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    out_ = dir_ + "/out";
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  // Runs `zerostart bench ARGS --out <out>` to the end; returns the exit status.
  int Run(std::vector<std::string> args, std::unique_ptr<ChildProcess>* keep = nullptr) {
    std::vector<std::string> argv = {BinPath("zerostart"), "bench", "--out", out_};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = ChildProcess::Start(argv);
    EXPECT_TRUE(child.ok());
    if (!child.ok()) return -1;
    std::optional<int> status = (*child)->Wait(seconds(100));
    EXPECT_TRUE(status.has_value()) << (*child)->stderr_text();
    stderr_ = (*child)->stderr_text();
    if (keep) *keep = std::move(child).value();
    return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  }

  nlohmann::json Results() { return Json(ReadFile(out_ + "/results.json")); }

  std::string dir_;
  std::string out_;
  std::string stderr_;
};

TEST_F(BenchTest, TinyQuickRunWritesEverySampleAReportAndCharts) {
  if (!HaveBinary("echo") || !HaveBinary("sin")) GTEST_SKIP() << "echo or sin not built";
  ASSERT_EQ(Run({"--quick", "--functions", "echo,sin,java-sin", "--memory", "128,1769", "--runs", "2",
                 "--sin-iterations", "1000", "--java-sin", "/nonexistent/bootstrap", "--commit", "c0ffee"}),
            0)
      << stderr_;
  const nlohmann::json j = Results();
  ASSERT_FALSE(j.is_discarded());
  for (const char* key : {"schema", "complete", "commit", "machine", "method", "memory_mb", "cells", "skipped"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(j["complete"].get<bool>());
  EXPECT_EQ(j["commit"], "c0ffee");
  EXPECT_FALSE(j["machine"]["kernel"].get<std::string>().empty());
  EXPECT_EQ(j["memory_mb"], nlohmann::json({128, 1769}));
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_EQ(j["skipped"][0]["function"], "java-sin");
  ASSERT_EQ(j["cells"].size(), 4u);  // echo and sin at two settings
  for (const nlohmann::json& cell : j["cells"]) {
    SCOPED_TRACE(cell["function"].get<std::string>() + " " + std::to_string(cell["memory_mb"].get<int>()));
    ASSERT_EQ(cell["series"].size(), 2u);
    const nlohmann::json& cold = cell["series"][0];
    const nlohmann::json& warm = cell["series"][1];
    EXPECT_EQ(cold["kind"], "cold");
    EXPECT_EQ(cold["samples"], 2);  // --runs 2 fresh processes
    EXPECT_EQ(cold["errors"], 0);
    EXPECT_EQ(cold["init_duration_ms"]["count"], 2);
    EXPECT_EQ(warm["kind"], "warm");
    EXPECT_EQ(warm["samples"], 2);
    // The spawning invoke, then the workload's warm-ups capped at --runs: echo's quick 5 -> 2,
    // sin's 1.
    EXPECT_EQ(warm["warmups"], cell["function"] == "echo" ? 3 : 2);
    EXPECT_EQ(warm["duration_ms"]["count"], 2);
    EXPECT_GT(warm["max_memory_mb"]["median"].get<double>(), 0);
    for (const nlohmann::json& sample : cell["samples"]) {
      for (const char* key : {"kind", "workload", "warmup", "ok", "error", "client_ms", "duration_ms",
                              "init_duration_ms", "max_memory_mb", "outlier"}) {
        EXPECT_TRUE(sample.contains(key)) << key;
      }
    }
  }
  const std::string md = ReadFile(out_ + "/report.md");
  for (const char* section : {"# zerostart bench", "## Method", "## Targets, checked",
                              "## The original study's claims beside ours", "## Charts",
                              "### echo (native)", "### sin (native)", "## Skipped functions"}) {
    EXPECT_NE(md.find(section), std::string::npos) << section;
  }
  if (Exists("/usr/bin/gnuplot")) {
    EXPECT_TRUE(Exists(out_ + "/duration_vs_memory.svg")) << md;
    EXPECT_TRUE(Exists(out_ + "/cold_start.svg"));
    EXPECT_NE(ReadFile(out_ + "/cold_start.svg").find("<svg"), std::string::npos);
  } else {
    EXPECT_NE(md.find("No charts"), std::string::npos);
  }
}

TEST_F(BenchTest, MemoryOutsideLambdasRangeIsRefusedBeforeAnythingRuns) {
  EXPECT_EQ(Run({"--functions", "echo", "--memory", "128,64"}), 2);
  EXPECT_NE(stderr_.find("outside Lambda's range"), std::string::npos) << stderr_;
  EXPECT_FALSE(Exists(out_));
  EXPECT_EQ(Run({"--functions", "echo", "--memory", "10241"}), 2);
  EXPECT_EQ(Run({"--functions", "python"}), 2);
}

TEST_F(BenchTest, UnwritableOutputFolderIsAClearError) {
  std::vector<std::string> argv = {BinPath("zerostart"), "bench", "--functions", "echo", "--memory", "128",
                                   "--out", "/dev/null/study"};
  auto child = ChildProcess::Start(argv);
  ASSERT_TRUE(child.ok());
  std::optional<int> status = (*child)->Wait(seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE((*child)->stderr_text().find("/dev/null"), std::string::npos) << (*child)->stderr_text();
}

TEST_F(BenchTest, AFullDiskIsAClearErrorAndLeavesNoPartialFiles) {
  // A one-page tmpfs as the output folder: results.json cannot fit. Needs root (CI is root).
  ASSERT_EQ(::mkdir(out_.c_str(), 0755), 0);
  if (std::system(("mount -t tmpfs -o size=4k zs-bench-full '" + out_ + "' 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  }
  const int status = Run({"--functions", "echo", "--memory", "128", "--runs", "20", "--no-charts"});
  std::error_code error;
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(out_, error)) {
    left.push_back(entry.path().filename().string());
  }
  std::system(("umount '" + out_ + "'").c_str());
  EXPECT_EQ(status, 1) << stderr_;
  EXPECT_NE(stderr_.find("No space left"), std::string::npos) << stderr_;
  EXPECT_TRUE(left.empty()) << "left in the full folder: " << left.front();
}

TEST_F(BenchTest, AFunctionThatFailsEveryInvokeIsRecordedAndTheRunGoesOn) {
  if (!HaveBinary("faulty") || !HaveBinary("echo")) GTEST_SKIP() << "faulty or echo not built";
  ASSERT_EQ(Run({"--functions", "echo,sin", "--memory", "128", "--runs", "2", "--sin-iterations", "1000",
                 "--bootstrap", "echo=" + BinPath("faulty"), "--payload", R"(echo={"action":"error"})",
                 "--no-charts"}),
            0)
      << stderr_;
  const nlohmann::json j = Results();
  ASSERT_EQ(j["cells"].size(), 2u);
  const nlohmann::json& failing = j["cells"][0];
  EXPECT_EQ(failing["function"], "echo");
  ASSERT_EQ(failing["series"].size(), 2u);
  // --runs 2 is both the number of cold starts and the warm series' kept samples. The warm
  // series also discards two warm-ups (its spawning invoke and the workload's one warm-up,
  // min(1, --runs)), which fail too but are not counted as errors; a cold series has none.
  const nlohmann::json& cold = failing["series"][0];
  const nlohmann::json& warm = failing["series"][1];
  EXPECT_EQ(cold["kind"], "cold");
  EXPECT_EQ(cold["errors"], 2) << cold;
  EXPECT_EQ(cold["warmups"], 0) << cold;
  EXPECT_EQ(warm["kind"], "warm");
  EXPECT_EQ(warm["errors"], 2) << warm;
  EXPECT_EQ(warm["warmups"], 2) << warm;
  for (const nlohmann::json& series : failing["series"]) {
    EXPECT_EQ(series["samples"], 0) << series;  // no invoke succeeded
    EXPECT_NE(series["error_examples"][0].get<std::string>().find("MyError"), std::string::npos);
  }
  EXPECT_EQ(j["cells"][1]["series"][1]["errors"], 0);  // sin, after it, still measured
  EXPECT_NE(ReadFile(out_ + "/report.md").find("MyError"), std::string::npos);
}

TEST_F(BenchTest, AFunctionThatNeverAnswersTimesOutAndIsRecorded) {
  if (!HaveBinary("faulty")) GTEST_SKIP() << "faulty not built";
  ASSERT_EQ(Run({"--functions", "echo", "--memory", "128", "--runs", "1", "--timeout", "0.5",
                 "--bootstrap", "echo=" + BinPath("faulty"), "--payload", R"(echo={"action":"hang"})",
                 "--no-charts"}),
            0)
      << stderr_;
  const nlohmann::json j = Results();
  ASSERT_EQ(j["cells"].size(), 1u);
  const nlohmann::json& cold = j["cells"][0]["series"][0];
  EXPECT_EQ(cold["errors"], 1);
  EXPECT_NE(cold["error_examples"].dump().find("Timedout"), std::string::npos) << cold;
}

TEST_F(BenchTest, SigintStopsTheFunctionAndWritesTheSamplesSoFar) {
  if (!HaveBinary("faulty")) GTEST_SKIP() << "faulty not built";
  std::vector<std::string> argv = {BinPath("zerostart"), "bench", "--out", out_, "--functions", "echo",
                                   "--memory", "128,256", "--runs", "200", "--no-charts",
                                   "--bootstrap", "echo=" + BinPath("faulty"),
                                   "--payload", R"(echo={"action":"sleep_ms","ms":100})"};
  auto child = ChildProcess::Start(argv);
  ASSERT_TRUE(child.ok());
  // Cold starts are running: each spawns a function process, a child of zerostart.
  std::vector<pid_t> functions;
  ASSERT_TRUE(WaitUntil([&] {
    functions = ChildrenOf((*child)->pid());
    return !functions.empty();
  }, seconds(20)));
  // A sample taken: the progress line of the first finished invoke ("[1/N invokes, ..."),
  // written after its sample is kept.
  ASSERT_TRUE((*child)->WaitForStderr("[1/", seconds(60))) << (*child)->stderr_text();
  std::vector<pid_t> now = ChildrenOf((*child)->pid());
  functions.insert(functions.end(), now.begin(), now.end());
  (*child)->Signal(SIGINT);
  std::optional<int> status = (*child)->Wait(seconds(20));
  ASSERT_TRUE(status.has_value()) << "zerostart bench did not stop on SIGINT";
  ASSERT_TRUE(WIFEXITED(*status)) << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 130) << (*child)->stderr_text();
  for (pid_t pid : functions) EXPECT_FALSE(ProcessAlive(pid)) << "function process " << pid << " left";
  // Nor a cgroup: the emulator names its groups zerostart-<pid>-<n> (src/emulator/cgroup_limits.h).
  const std::string prefix = "zerostart-" + std::to_string((*child)->pid()) + "-";
  for (const char* hierarchy : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified"}) {
    std::error_code error;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             hierarchy, std::filesystem::directory_options::skip_permission_denied, error)) {
      if (!entry.is_directory(error)) continue;
      EXPECT_NE(entry.path().filename().string().rfind(prefix, 0), 0u)
          << "cgroup left behind: " << entry.path();
    }
  }
  const nlohmann::json j = Results();
  ASSERT_FALSE(j.is_discarded()) << (*child)->stderr_text();
  EXPECT_FALSE(j["complete"].get<bool>());
  ASSERT_GE(j["cells"].size(), 1u);
  EXPECT_GT(j["cells"][0]["samples"].size(), 0u);
  EXPECT_LT(j["cells"][0]["samples"].size(), 200u);
  EXPECT_NE(ReadFile(out_ + "/report.md").find("INCOMPLETE"), std::string::npos);
}

}  // namespace
}  // namespace zerostart::testing
