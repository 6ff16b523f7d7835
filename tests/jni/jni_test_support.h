// Helpers shared by the JNI bridge's end-to-end tests: the build's paths of the bridge and the
// Java test functions, the reason the tests cannot run (they skip with it), and a
// `zerostart serve` child with one kept-open Invoke API client.
#ifndef ZEROSTART_TESTS_JNI_JNI_TEST_SUPPORT_H_
#define ZEROSTART_TESTS_JNI_JNI_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace zerostart::testing::jni {

// lib/ of the build: libzerostart_jni.so and zerostart.jar.
inline const std::string& LibDir() { return TestConfig("jni_lib_dir"); }
// Where the Java test functions (tests/jni/java) are compiled.
inline const std::string& TestClasses() { return TestConfig("jni_test_classes"); }
// The compiled class of the Java test function `name` (e.g. "JniTestFunction").
inline std::string TestClass(const std::string& name) { return TestClasses() + "/" + name + ".class"; }

// `jni_test_bootstrap.sh LIB_DIR CLASS_DIR MODE` (serve|misuse: JniTestFunction; stream:
// JniStreamingFunction) as the function of `zerostart serve`.
inline std::vector<std::string> TestFunction(const std::string& mode) {
  return {SourcePath("tests/jni/jni_test_bootstrap.sh"), LibDir(), TestClasses(), mode};
}

// The checked example of docs/WORKLOAD.md, and the Java k-means function's answer to it without
// its timings (Deterministic).
inline constexpr char kCheckedKmeansRequest[] = R"({"n":1000,"d":2,"k":4,"maxIterations":100,"seed":42})";
inline constexpr char kCheckedKmeansAnswer[] =
    R"({"centers":[[0.7509584063719078,0.2744345615683796],[0.22036060140316627,0.7436680160665908],)"
    R"([0.22701359357460477,0.23024931996091927],[0.7453573903796181,0.7435688847315909]],)"
    R"("sizes":[252,266,228,254],"sse":41.46465311349745,"iterations":10)";

// A k-means response without its timings and thread count (the only fields that may differ).
inline std::string Deterministic(const std::string& body) {
  const size_t at = body.find(",\"generateMs\":");
  return at == std::string::npos ? body : body.substr(0, at);
}

inline bool Readable(const std::string& path) { return !path.empty() && ::access(path.c_str(), R_OK) == 0; }

// Why the bridge's tests cannot run here, or "" when they can: the bridge must be built, `java`
// on PATH, and `needed` (besides the bridge) present. Tests under the emulator add
// BinPath("zerostart") to `needed` (MissingPrerequisite).
inline std::string MissingBridgePrerequisite(const std::vector<std::string>& needed) {
  if (TestConfig("jni_built") != "1") {
    return "built without the JNI bridge (no JDK found at configure time, or ZS_SANITIZE)";
  }
  std::vector<std::string> paths{LibDir() + "/libzerostart_jni.so", LibDir() + "/zerostart.jar"};
  paths.insert(paths.end(), needed.begin(), needed.end());
  for (const std::string& path : paths) {
    if (!Readable(path)) return path + " is missing";
  }
  if (std::system("java -version >/dev/null 2>&1") != 0) return "no `java` on PATH";
  return "";
}

// MissingBridgePrerequisite, for tests that run the function under `zerostart serve`.
inline std::string MissingPrerequisite(std::vector<std::string> needed) {
  needed.push_back(BinPath("zerostart"));
  return MissingBridgePrerequisite(needed);
}

// Skips the test, with the reason, unless MissingPrerequisite(NEEDED) is "".
#define ZS_SKIP_WITHOUT_JDK(needed)                                                     \
  do {                                                                                  \
    const std::string missing = ::zerostart::testing::jni::MissingPrerequisite(needed); \
    if (!missing.empty()) GTEST_SKIP() << "JNI tests: " << missing;                     \
  } while (0)

// Skips the test, with the reason, unless MissingBridgePrerequisite(NEEDED) is "".
#define ZS_SKIP_WITHOUT_BRIDGE(needed)                                                        \
  do {                                                                                        \
    const std::string missing = ::zerostart::testing::jni::MissingBridgePrerequisite(needed); \
    if (!missing.empty()) GTEST_SKIP() << "JNI tests: " << missing;                           \
  } while (0)

// `zerostart serve --port 0 FLAGS -- FUNCTION...`, with one kept-open Invoke API client.
// Failures to start are test failures; ok() says whether it is serving.
class Served {
 public:
  Served(const std::vector<std::string>& flags, const std::vector<std::string>& function) {
    std::vector<std::string> argv{BinPath("zerostart"), "serve", "--port", "0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back("--");
    argv.insert(argv.end(), function.begin(), function.end());
    auto child = ChildProcess::Start(argv);
    EXPECT_TRUE(child.ok()) << child.status().ToString();
    if (!child.ok()) return;
    serve_ = std::move(child).value();
    EXPECT_TRUE(serve_->WaitForStderr(")\n", std::chrono::seconds(10))) << serve_->stderr_text();
    std::smatch match;
    const std::string ready = serve_->stderr_text();
    if (!std::regex_search(ready, match, std::regex(R"(on http://127\.0\.0\.1:(\d+) \()"))) {
      ADD_FAILURE() << ready;
      return;
    }
    port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
    auto client = InvokeClient::Connect(port_);
    EXPECT_TRUE(client.ok());
    if (client.ok()) client_.emplace(std::move(client).value());
  }
  ~Served() {
    if (serve_) {
      serve_->Signal(SIGTERM);
      serve_->Wait(std::chrono::seconds(5));
    }
  }
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;

  bool ok() const { return client_.has_value(); }
  // The Invoke API's port (for other clients).
  uint16_t port() const { return port_; }
  // A buffered Invoke on the kept-open connection; an empty response (and a test failure) when
  // it could not be made.
  http::Response Invoke(const std::string& payload) {
    auto response = client_->Invoke(payload);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  }
  ChildProcess& process() { return *serve_; }
  // Waits until serve has printed `reports` REPORT lines (each just after its answer; our reader
  // takes it from the pipe a moment later) and returns how many carry an Init Duration: the
  // function processes started. -1, and a test failure, when they did not all come.
  int InitsAfterReports(size_t reports) {
    const bool all = WaitUntil([&] { return ParseReports(serve_->stdout_text()).size() == reports; });
    EXPECT_TRUE(all) << serve_->stdout_text();
    if (!all) return -1;
    int inits = 0;
    for (const auto& report : ParseReports(serve_->stdout_text())) {
      inits += static_cast<int>(report.count("Init Duration"));
    }
    return inits;
  }
  // The function's process (the JVM: the bootstraps exec it), or -1.
  pid_t FunctionPid() const {
    const std::vector<pid_t> children = ChildrenOf(serve_->pid());
    return children.size() == 1 ? children[0] : -1;
  }

 private:
  std::unique_ptr<ChildProcess> serve_;
  uint16_t port_ = 0;
  std::optional<InvokeClient> client_;
};

}  // namespace zerostart::testing::jni

#endif  // ZEROSTART_TESTS_JNI_JNI_TEST_SUPPORT_H_
