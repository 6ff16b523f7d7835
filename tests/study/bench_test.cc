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

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

TEST_F(BenchTest, TinyQuickRunWritesEverySampleCostsAReportAndCharts) {
  if (!HaveBinary("echo") || !HaveBinary("sin")) GTEST_SKIP() << "echo or sin not built";
  // Each function its own payload, and one optional function that is not there.
  const nlohmann::json config = {
      {"functions",
       {{{"name", "echo"}, {"path", BinPath("echo")}, {"payloads", {{{"payload", {{"hello", "world"}}}}}}},
        {{"name", "sin"}, {"path", BinPath("sin")}, {"payloads", {{{"payload", {{"iterations", 1000}}}}}}},
        {{"name", "java-sin"}, {"path", "/nonexistent/bootstrap"}, {"optional", true}}}}};
  WriteFile(dir_ + "/bench.json", config.dump());
  ASSERT_EQ(Run({"--config", dir_ + "/bench.json", "--quick", "--memory", "128,1769", "--commit", "c0ffee"}),
            0)
      << stderr_;
  const nlohmann::json j = Results();
  ASSERT_FALSE(j.is_discarded());
  for (const char* key : {"schema", "complete", "commit", "machine", "method", "memory_mb", "functions", "arch",
                          "prices", "tuning", "cells", "skipped"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(j["complete"].get<bool>());
  EXPECT_EQ(j["commit"], "c0ffee");
  EXPECT_FALSE(j["machine"]["kernel"].get<std::string>().empty());
  EXPECT_EQ(j["memory_mb"], nlohmann::json({128, 1769}));
  EXPECT_EQ(j["arch"], "");  // no --arch: each function is priced as its ELF says
  EXPECT_EQ(j["functions"][0]["arch"], "x86_64");
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_EQ(j["skipped"][0]["function"], "java-sin");
  ASSERT_EQ(j["cells"].size(), 4u);  // echo and sin at two settings
  for (const nlohmann::json& cell : j["cells"]) {
    SCOPED_TRACE(cell["function"].get<std::string>() + " " + std::to_string(cell["memory_mb"].get<int>()));
    ASSERT_EQ(cell["series"].size(), 2u);
    const nlohmann::json& cold = cell["series"][0];
    const nlohmann::json& warm = cell["series"][1];
    EXPECT_EQ(cold["kind"], "cold");
    EXPECT_EQ(cold["samples"], 3);  // --quick: 3 fresh processes
    EXPECT_EQ(cold["errors"], 0);
    EXPECT_EQ(cold["init_duration_ms"]["count"], 3);
    EXPECT_EQ(warm["kind"], "warm");
    EXPECT_EQ(warm["samples"], 5);  // --quick's 5
    EXPECT_EQ(warm["warmups"], 2);  // the spawning invoke and --quick's one warm-up
    EXPECT_EQ(warm["duration_ms"]["count"], 5);
    EXPECT_GT(warm["max_memory_mb"]["median"].get<double>(), 0);
    for (const nlohmann::json& sample : cell["samples"]) {
      for (const char* key : {"kind", "workload", "warmup", "ok", "error", "client_ms", "duration_ms",
                              "init_duration_ms", "max_memory_mb", "outlier"}) {
        EXPECT_TRUE(sample.contains(key)) << key;
      }
    }
  }
  ASSERT_EQ(j["tuning"].size(), 2u);
  for (const nlohmann::json& tuning : j["tuning"]) {
    ASSERT_EQ(tuning["settings"].size(), 2u);
    EXPECT_GT(tuning["settings"][0]["cost_per_million"].get<double>(), 0.2);  // the request fee and more
    EXPECT_TRUE(tuning["best"]["speed"].is_number()) << tuning;
    EXPECT_TRUE(tuning["best"]["cost"].is_number()) << tuning;
    EXPECT_TRUE(tuning["best"]["balanced"].is_number()) << tuning;
  }
  EXPECT_NE(stderr_.find("zerostart bench: echo {\"hello\":\"world\"}: fastest "), std::string::npos) << stderr_;
  const std::string md = ReadFile(out_ + "/report.md");
  for (const char* section : {"# zerostart bench", "## Best memory setting", "## Method", "## Charts",
                              "### echo", "### sin", "per 1M invocations", "## Skipped functions", "c0ffee"}) {
    EXPECT_NE(md.find(section), std::string::npos) << section;
  }
  if (Exists("/usr/bin/gnuplot")) {
    for (const char* chart : {"duration_vs_memory.svg", "cost_vs_memory.svg", "cold_start.svg"}) {
      EXPECT_TRUE(Exists(out_ + "/" + chart)) << chart << "\n" << md;
    }
    EXPECT_NE(ReadFile(out_ + "/cost_vs_memory.svg").find("<svg"), std::string::npos);
  } else {
    EXPECT_NE(md.find("No charts"), std::string::npos);
  }
}

TEST_F(BenchTest, AZipFromPackageIsMeasuredFromItsUnpackedTaskRoot) {
  if (!HaveBinary("echo")) GTEST_SKIP() << "echo not built";
  const std::string zip = dir_ + "/echo.zip";
  auto package = ChildProcess::Start({BinPath("zerostart"), "package", "-o", zip, BinPath("echo")});
  ASSERT_TRUE(package.ok());
  std::optional<int> packaged = (*package)->Wait(seconds(30));
  ASSERT_TRUE(packaged && WIFEXITED(*packaged) && WEXITSTATUS(*packaged) == 0) << (*package)->stderr_text();
  ASSERT_EQ(Run({zip, "--memory", "256", "--cold", "1", "--warm", "2", "--payload", R"({"a":1})", "--no-charts"}), 0)
      << stderr_;
  const nlohmann::json j = Results();
  ASSERT_EQ(j["functions"].size(), 1u);
  EXPECT_EQ(j["functions"][0]["name"], "echo");
  EXPECT_EQ(j["functions"][0]["source"], zip);
  const std::string bootstrap = j["functions"][0]["bootstrap"].get<std::string>();
  EXPECT_TRUE(bootstrap.ends_with("/bootstrap")) << bootstrap;
  EXPECT_FALSE(Exists(bootstrap)) << "the unpacked task root is removed at the end";
  EXPECT_EQ(j["cells"][0]["series"][1]["samples"], 2);
}

TEST_F(BenchTest, BadInputIsRefusedBeforeAnythingRuns) {
  if (!HaveBinary("echo")) GTEST_SKIP() << "echo not built";
  const std::string echo = BinPath("echo");
  WriteFile(dir_ + "/notes.txt", "not a function");
  WriteFile(dir_ + "/bad.json", "{nope");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<Case> cases = {
      {{echo, "--memory", "128,64"}, "outside Lambda's range"},
      {{echo, "--memory", "10241"}, "outside Lambda's range"},
      {{echo, "--memory", "12x"}, "not a number"},
      {{"python"}, "python: no such file"},
      {{dir_ + "/notes.txt"}, "neither an executable nor a Lambda zip"},
      {{dir_}, "is a folder"},
      {{echo, "--payload", "@" + dir_ + "/missing.json"}, "missing.json"},
      {{echo, "--payload", "@" + dir_ + "/bad.json"}, "not JSON"},
      {{echo, "--payload", "{nope"}, "not JSON"},
      {{echo, "--arch", "sparc"}, "x86_64, arm64"},
      {{"a=" + echo, "a=" + echo}, "two functions are named 'a'"},
      {{}, "name a function"},
      {{echo, "--config", dir_ + "/bad.json"}, "config: not a JSON object"},
  };
  // A layer zip (an extension, no bootstrap) is a zip, but no function.
  auto layer = ChildProcess::Start({BinPath("zerostart"), "package", "--extension", "-o", dir_ + "/layer.zip", echo});
  ASSERT_TRUE(layer.ok());
  std::optional<int> packaged = (*layer)->Wait(seconds(30));
  ASSERT_TRUE(packaged && WIFEXITED(*packaged) && WEXITSTATUS(*packaged) == 0) << (*layer)->stderr_text();
  cases.push_back({{dir_ + "/layer.zip"}, "the zip has no bootstrap at its root"});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.says);
    EXPECT_EQ(Run(c.args), 2) << stderr_;
    EXPECT_NE(stderr_.find(c.says), std::string::npos) << stderr_;
    EXPECT_FALSE(Exists(out_));
  }
}

TEST_F(BenchTest, UnwritableOutputFolderIsAClearError) {
  std::vector<std::string> argv = {BinPath("zerostart"), "bench", BinPath("echo"), "--memory", "128",
                                   "--out", "/dev/null/bench"};
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
  const int status = Run({BinPath("echo"), "--memory", "128", "--cold", "20", "--warm", "20", "--no-charts"});
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
  ASSERT_EQ(Run({"failing=" + BinPath("faulty"), "echo=" + BinPath("echo"), "--memory", "128", "--cold", "2",
                 "--warm", "2", "--warmups", "1", "--payload", R"({"action":"error"})", "--no-charts"}),
            0)
      << stderr_;
  const nlohmann::json j = Results();
  ASSERT_EQ(j["cells"].size(), 2u);
  const nlohmann::json& failing = j["cells"][0];
  EXPECT_EQ(failing["function"], "failing");
  ASSERT_EQ(failing["series"].size(), 2u);
  // The warm series also discards two warm-ups (its spawning invoke and --warmups 1), which
  // fail too but are not counted as errors; a cold series has none.
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
  EXPECT_EQ(j["cells"][1]["series"][1]["errors"], 0);  // echo, after it, still measured
  // No setting of the failing function can be chosen; echo's can.
  EXPECT_TRUE(j["tuning"][0]["best"]["cost"].is_null()) << j["tuning"][0];
  EXPECT_EQ(j["tuning"][1]["best"]["cost"], 128);
  const std::string md = ReadFile(out_ + "/report.md");
  EXPECT_NE(md.find("MyError"), std::string::npos);
  EXPECT_NE(md.find("none usable"), std::string::npos);
}

TEST_F(BenchTest, AFunctionThatNeverAnswersTimesOutAndIsRecorded) {
  if (!HaveBinary("faulty")) GTEST_SKIP() << "faulty not built";
  ASSERT_EQ(Run({"hang=" + BinPath("faulty"), "--memory", "128", "--cold", "1", "--warm", "1", "--timeout", "0.5",
                 "--payload", R"({"action":"hang"})", "--no-charts"}),
            0)
      << stderr_;
  const nlohmann::json j = Results();
  ASSERT_EQ(j["cells"].size(), 1u);
  const nlohmann::json& cold = j["cells"][0]["series"][0];
  EXPECT_EQ(cold["errors"], 1);
  EXPECT_EQ(cold["timeouts"], 1);
  EXPECT_NE(cold["error_examples"].dump().find("Timedout"), std::string::npos) << cold;
  EXPECT_GE(j["tuning"][0]["settings"][0]["timeouts"].get<int>(), 1) << j["tuning"];
}

TEST_F(BenchTest, SigintStopsTheFunctionAndWritesTheSamplesSoFar) {
  if (!HaveBinary("faulty")) GTEST_SKIP() << "faulty not built";
  std::vector<std::string> argv = {BinPath("zerostart"), "bench", "--out", out_, "sleeper=" + BinPath("faulty"),
                                   "--memory", "128,256", "--cold", "200", "--no-charts",
                                   "--payload", R"({"action":"sleep_ms","ms":100})"};
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
