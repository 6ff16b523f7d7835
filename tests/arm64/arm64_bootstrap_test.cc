// The arm64 (Graviton) bootstraps for real: scripts/build-arm64.sh's static aarch64 binaries run
// under qemu-aarch64-static behind `zerostart serve`, over the Runtime API on loopback, the way
// Lambda runs them on arm64. echo must answer; kmeans and sin must give exactly the x86_64
// binaries' answers (the k-means engine is exact and never contracts into FMAs on either
// architecture; sin is glibc's on both). Timings under qemu are emulated, so none is checked.
//
// Skips, saying why, when the arm64 build (test config arm64_bin_dir, from -DZS_ARM64_BUILD) or
// qemu (qemu_aarch64) is missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "src/common/testing/test_config.h"
#include "tests/integration/test_support.h"

namespace zerostart {
namespace {

using std::chrono::seconds;
using testing::BinPath;
using testing::ChildProcess;
using testing::InvokeClient;
using testing::Json;

const std::string& kArm64BinDir = testing::TestConfig("arm64_bin_dir");
const std::string& kQemu = testing::TestConfig("qemu_aarch64");

std::string Arm64Binary(const std::string& name) { return kArm64BinDir + "/" + name; }

// The ELF header's e_machine (EM_AARCH64 = 183, EM_X86_64 = 62), -1 when not an ELF file.
int ElfMachine(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  unsigned char header[20] = {};
  if (!file.read(reinterpret_cast<char*>(header), sizeof header)) return -1;
  if (header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') return -1;
  return header[18] | (header[19] << 8);  // little-endian
}

// One `zerostart serve --port 0 -- <function argv>` and its Invoke API port.
class Served {
 public:
  explicit Served(const std::vector<std::string>& function) {
    std::vector<std::string> argv{BinPath("zerostart"), "serve", "--port", "0", "--timeout", "120", "--"};
    argv.insert(argv.end(), function.begin(), function.end());
    auto child = ChildProcess::Start(argv);
    if (!child.ok()) {
      error_ = child.status().ToString();
      return;
    }
    serve_ = std::move(child).value();
    if (!serve_->WaitForStderr(")\n", seconds(10))) {
      error_ = "no ready line: " + serve_->stderr_text();
      return;
    }
    std::smatch match;
    std::string ready = serve_->stderr_text();
    if (!std::regex_search(ready, match, std::regex(R"(serving \S+ on http://127\.0\.0\.1:(\d+) )"))) {
      error_ = "unexpected ready line: " + ready;
      return;
    }
    port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
  }
  ~Served() {
    if (serve_) {
      serve_->Signal(SIGKILL);
      serve_->Wait(seconds(5));
    }
  }

  const std::string& error() const { return error_; }
  // The response body of one invoke; fails the test (and returns "") on a transport error or a
  // function error.
  std::string Invoke(const std::string& payload) {
    auto client = InvokeClient::Connect(port_);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (!client.ok()) return "";
    auto response = client->Invoke(payload);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return "";
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(testing::Header(*response, "X-Amz-Function-Error"), "") << response->body;
    return response->body;
  }
  std::string log() const { return serve_ ? serve_->stdout_text() : ""; }

 private:
  std::unique_ptr<ChildProcess> serve_;
  uint16_t port_ = 0;
  std::string error_;
};

class Arm64BootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kQemu.c_str(), X_OK) != 0) {
      GTEST_SKIP() << kQemu << " is missing (Debian package qemu-user-static)";
    }
    if (::access(Arm64Binary("echo").c_str(), X_OK) != 0) {
      GTEST_SKIP() << "no arm64 build in " << kArm64BinDir
                   << ": run `make arm64` (scripts/build-arm64.sh) and configure with -DZS_ARM64_BUILD=<dir>";
    }
  }

  // The arm64 binary `name` under qemu: checked to be an aarch64 ELF, so an x86_64 binary left
  // in the arm64 tree cannot pass for it.
  std::vector<std::string> UnderQemu(const std::string& name) {
    EXPECT_EQ(ElfMachine(Arm64Binary(name)), 183) << Arm64Binary(name) << " is not an aarch64 ELF";
    return {kQemu, Arm64Binary(name)};
  }
};

// The answer without the fields that measure this run (timings, the worker count).
nlohmann::json WithoutMeasurements(const std::string& body) {
  nlohmann::json value = Json(body);
  EXPECT_TRUE(value.is_object()) << body;
  if (!value.is_object()) return value;
  for (const char* field : {"generateMs", "clusterMs", "elapsedMs", "threads"}) value.erase(field);
  return value;
}

TEST_F(Arm64BootstrapTest, EchoAnswersUnderQemu) {
  Served served(UnderQemu("echo"));
  ASSERT_EQ(served.error(), "");
  const std::string payload = R"({"hello":"graviton","n":[1,2.5,"x"]})";
  EXPECT_EQ(served.Invoke(payload), payload);
  EXPECT_EQ(served.Invoke(R"({"warm":true})"), R"({"warm":true})");  // the same instance, warm
  EXPECT_TRUE(testing::WaitUntil([&] { return testing::ParseReports(served.log()).size() == 2; }))
      << served.log();
}

TEST_F(Arm64BootstrapTest, KmeansMatchesX86_64Exactly) {
  ASSERT_TRUE(testing::HaveBinary("kmeans"));
  Served arm64(UnderQemu("kmeans"));
  ASSERT_EQ(arm64.error(), "");
  Served x86_64({BinPath("kmeans")});
  ASSERT_EQ(x86_64.error(), "");
  for (const std::string request : {
           R"({"n":2000,"d":3,"k":4,"maxIterations":100,"seed":7})",
           R"({"n":20000,"d":5,"k":9,"maxIterations":60,"seed":42,"emptyClusterStrategy":"FARTHEST_POINT"})",
           R"({"k":2,"seed":1,"points":[[0,0],[0.5,1e-300],[10,10],[9.75,10.125],[3,3.0000000000000004]]})",
       }) {
    SCOPED_TRACE(request);
    nlohmann::json expected = WithoutMeasurements(x86_64.Invoke(request));
    nlohmann::json actual = WithoutMeasurements(arm64.Invoke(request));
    ASSERT_TRUE(expected.contains("centers") && expected.contains("sizes") && expected.contains("sse"))
        << expected.dump();
    EXPECT_EQ(actual.dump(), expected.dump());  // the same text: every double to the last bit
  }
}

TEST_F(Arm64BootstrapTest, SinMatchesX86_64Exactly) {
  ASSERT_TRUE(testing::HaveBinary("sin"));
  Served arm64(UnderQemu("sin"));
  ASSERT_EQ(arm64.error(), "");
  Served x86_64({BinPath("sin")});
  ASSERT_EQ(x86_64.error(), "");
  for (const std::string request : {R"({"start":1.0,"iterations":200000})",
                                    R"({"start":-3.25,"iterations":50000})",
                                    R"({"start":1e300,"iterations":1000})"}) {
    SCOPED_TRACE(request);
    nlohmann::json expected = WithoutMeasurements(x86_64.Invoke(request));
    nlohmann::json actual = WithoutMeasurements(arm64.Invoke(request));
    ASSERT_TRUE(expected.contains("xBits")) << expected.dump();
    EXPECT_EQ(actual.dump(), expected.dump());
  }
}

}  // namespace
}  // namespace zerostart
