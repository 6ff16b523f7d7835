// EmulatorFixture: a GoogleTest fixture that runs the emulator in-process (the emulator library)
// for a real function process — build/bin/faulty, or a bash runtime script — on a free port,
// with a scratch directory, a capturing log sink, an Invoke API client, background invokes and
// waits on START/REPORT lines. Every wait is on an event, with a generous deadline.
#ifndef ZEROSTART_TESTS_INTEGRATION_EMULATOR_FIXTURE_H_
#define ZEROSTART_TESTS_INTEGRATION_EMULATOR_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/emulator/emulator.h"
#include "tests/integration/test_support.h"

namespace zerostart::emulator {

class EmulatorFixture : public ::testing::Test {
 protected:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  using InvokeClient = testing::InvokeClient;

  void SetUp() override {
    char dir_template[] = "/tmp/zs_emulator_test_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    release_ = dir_ + "/release";
  }

  void TearDown() override {
    // Let every function that waits for the release file go, stop the emulator (which answers
    // whatever is still in flight), then collect the invokes still running in the background.
    Release();
    if (emulator_) emulator_->Stop();
    background_.clear();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Starts the emulator for build/bin/faulty on a free port; `tweak` adjusts the options.
  void StartFaulty(const std::function<void(EmulatorOptions&)>& tweak = {}) {
    if (!testing::HaveBinary("faulty")) GTEST_SKIP() << testing::BinPath("faulty") << " is not built";
    EmulatorOptions options;
    options.function.path = testing::BinPath("faulty");
    options.function.timeout_seconds = 30;
    options.invoke_address = {"127.0.0.1", 0};
    options.sink = &sink_;
    if (tweak) tweak(options);
    auto started = Emulator::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emulator_ = std::move(started).value();
  }

  // Starts the emulator for the bash runtime `script` (made executable here): one environment,
  // a 1 s timeout; `tweak` adjusts the options.
  void StartScript(const std::string& script, const std::function<void(EmulatorOptions&)>& tweak = {}) {
    ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
    EmulatorOptions options;
    options.function.path = script;
    options.function.timeout_seconds = 1;
    options.invoke_address = {"127.0.0.1", 0};
    options.sink = &sink_;
    options.concurrency = 1;
    if (tweak) tweak(options);
    auto started = Emulator::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    emulator_ = std::move(started).value();
  }

  InvokeClient Client() {
    auto client = InvokeClient::Connect(emulator_->invoke_port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  http::Response MustInvoke(InvokeClient& client, const std::string& payload, const Headers& headers = {}) {
    auto response = client.Invoke(payload, headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  }

  http::Response MustSend(InvokeClient& client, const http::Request& request) {
    auto response = client.Send(request);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? std::move(response).value() : http::Response{};
  }

  // Invokes `payload` on a connection of its own from another thread; the answer is the
  // future's. The fixture keeps a reference, so a test that fails early does not block on it
  // before TearDown has released and stopped everything.
  std::shared_future<http::Response> InvokeInBackground(const std::string& payload) {
    const uint16_t port = emulator_->invoke_port();
    std::shared_future<http::Response> answer =
        std::async(std::launch::async, [port, payload] {
          auto client = InvokeClient::Connect(port);
          if (!client.ok()) return http::Response{};
          auto response = client->Invoke(payload);
          return response.ok() ? std::move(response).value() : http::Response{};
        }).share();
    background_.push_back(answer);
    return answer;
  }

  // A wait_file event: the function holds its environment busy until Release() (or until
  // `path` exists). `tag` makes each event (and so each echoed answer) distinct.
  std::string WaitFileEvent(const std::string& tag) const { return WaitFileEvent(tag, release_); }
  static std::string WaitFileEvent(const std::string& tag, const std::string& path) {
    return R"({"action":"wait_file","path":")" + path + R"(","tag":")" + tag + R"("})";
  }
  void Release() const { std::ofstream(release_).put('\n'); }

  std::string Log() const { return sink_.stdout_text(); }

  // Waits until `count` invokes have started (START lines), i.e. reached their functions.
  bool WaitForStarts(size_t count) {
    return testing::WaitUntil([&] { return testing::StartedRequestIds(Log()).size() >= count; }, std::chrono::seconds(30));
  }

  // The REPORT of `id`, waiting for it (it is written just after the answer).
  std::map<std::string, std::string> WaitReport(const std::string& id) {
    std::optional<std::map<std::string, std::string>> report;
    testing::WaitUntil([&] { return (report = testing::ReportFor(Log(), id)).has_value(); }, std::chrono::seconds(30));
    EXPECT_TRUE(report.has_value()) << "no REPORT for " << id << " in:\n" << Log();
    return report.value_or(std::map<std::string, std::string>{});
  }
  std::map<std::string, std::string> WaitReport(const http::Response& response) {
    return WaitReport(testing::Header(response, "X-Amzn-RequestId"));
  }

  // Our direct children: the function processes (the emulator runs in this process).
  static std::vector<pid_t> FunctionPids() { return testing::ChildrenOf(::getpid()); }

  std::string dir_;      // a scratch directory of the test's own
  std::string release_;  // the file wait_file events wait for
  CapturingLogSink sink_;
  std::unique_ptr<Emulator> emulator_;
  std::vector<std::shared_future<http::Response>> background_;
};

}  // namespace zerostart::emulator

#endif  // ZEROSTART_TESTS_INTEGRATION_EMULATOR_FIXTURE_H_
