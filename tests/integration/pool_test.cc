// End-to-end tests of the emulator's pool of execution environments, against real processes over
// 127.0.0.1: build/bin/faulty in-process (the emulator library) and under the `zerostart serve`
// binary. Concurrent invokes each get an environment of their own; idle environments are frozen
// and, after the idle timeout, reclaimed; one environment's crash, timeout or failed init leaves
// the others serving; a caller that hangs up does not lose or repeat its invoke; SIGTERM to serve
// leaves no process or cgroup behind; Event invokes are retried, then recorded; go1.x functions,
// streaming invocations and Function URLs share the pool and its limit; in the Managed Instances
// model, a timed-out invoke's slot is freed when the runtime answers it late.
//
// Every test waits for events (START/REPORT lines, answers, files, the pool's state); none uses
// time to synchronise, and none asserts how long something took.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <regex>
#include <set>
#include <thread>

#include "src/emulator/emulator.h"
#include "tests/integration/emulator_fixture.h"
#include "tests/integration/test_support.h"

namespace zerostart::emulator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::BinPath;
using testing::ChildProcess;
using testing::Header;
using testing::InvokeClient;
using testing::Json;
using testing::ReportFor;
using testing::StartedRequestIds;
using testing::WaitUntil;

using Headers = std::vector<std::pair<std::string, std::string>>;

// True while process group `pgid` has a member (zombies included).
bool ProcessGroupExists(pid_t pgid) { return ::kill(-pgid, 0) == 0 || errno == EPERM; }

// How many times `needle` occurs in `text`.
size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

size_t CountOf(const std::vector<std::string>& ids, const std::string& id) {
  return static_cast<size_t>(std::count(ids.begin(), ids.end(), id));
}

class PoolTest : public EmulatorFixture {};

// --- Scaling out ---

TEST_F(PoolTest, EachConcurrentInvokeGetsItsOwnEnvironment) {
  StartFaulty([](EmulatorOptions& options) { options.concurrency = 4; });
  std::vector<std::string> payloads;
  std::vector<std::shared_future<http::Response>> answers;
  for (int i = 0; i < 4; ++i) {
    payloads.push_back(WaitFileEvent("n" + std::to_string(i)));
    answers.push_back(InvokeInBackground(payloads.back()));
  }
  // All four run at once, each in an environment of its own, with a Runtime API of its own.
  ASSERT_TRUE(WaitForStarts(4)) << Log();
  const std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
  EXPECT_EQ(environments.size(), 4u);
  std::set<std::string> addresses;
  for (const Pool::EnvironmentInfo& environment : environments) {
    EXPECT_TRUE(environment.ready);
    EXPECT_FALSE(environment.frozen);
    addresses.insert(environment.runtime_api);
  }
  EXPECT_EQ(addresses.size(), 4u);
  EXPECT_EQ(addresses.count(""), 0u);
  EXPECT_EQ(FunctionPids().size(), 4u);
  EXPECT_EQ(emulator_->pool().stats().busy, 4);
  EXPECT_TRUE(testing::ParseReports(Log()).empty()) << Log();  // nothing answered yet

  Release();
  for (int i = 0; i < 4; ++i) {
    const http::Response& response = answers[static_cast<size_t>(i)].get();
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_FALSE(response.headers.Has("X-Amz-Function-Error")) << response.body;
    EXPECT_EQ(response.body, payloads[static_cast<size_t>(i)]);
    EXPECT_TRUE(WaitReport(response).count("Init Duration")) << Log();  // four cold starts
  }
  // The next invoke finds a warm environment.
  InvokeClient client = Client();
  const http::Response warm = MustInvoke(client, R"({"action":"echo","warm":true})");
  EXPECT_EQ(warm.body, R"({"action":"echo","warm":true})");
  EXPECT_FALSE(WaitReport(warm).count("Init Duration")) << Log();
  EXPECT_EQ(emulator_->pool().stats().started, 4u);
}

// --- Idle environments: frozen, then reclaimed ---

// The parameter is EmulatorOptions::enforce_limits: with limits, environments have cgroups of
// their own and are frozen with the cgroup freezer (where the machine lets us); without, their
// process groups get SIGSTOP.
class IdleFreezeTest : public PoolTest, public ::testing::WithParamInterface<bool> {
 protected:
  struct Ticks {
    long long ticks = -1;
    long long pid = -1;
  };
  Ticks InvokeTicks(InvokeClient& client) {
    const http::Response response = MustInvoke(client, R"({"action":"ticks"})");
    WaitReport(response);  // the environment is idle once its REPORT is out
    const nlohmann::json json = Json(response.body);
    EXPECT_TRUE(json.is_object() && json.contains("ticks")) << response.body;
    if (!json.is_object()) return {};
    return {json.value("ticks", -1LL), json.value("pid", -1LL)};
  }

  // How far faulty's ticking thread (it counts 1-ms sleeps, so it advances only while the
  // process runs) got between two invokes of one environment with about 400 ms of idle time
  // between them.
  long long TicksAcrossIdleTime(bool freeze) {
    StartFaulty([&](EmulatorOptions& options) {
      options.enforce_limits = GetParam();
      options.freeze = freeze;
    });
    if (!emulator_) return -1;
    InvokeClient client = Client();
    const Ticks before = InvokeTicks(client);  // starts the ticking thread
    if (freeze) {
      EXPECT_TRUE(WaitUntil([&] {
        const std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
        return environments.size() == 1 && environments[0].frozen;
      })) << "the idle environment was not frozen";
    } else {
      const std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
      EXPECT_EQ(environments.size(), 1u);
      EXPECT_FALSE(!environments.empty() && environments[0].frozen);
    }
    // Idle time: this pause synchronises nothing (the environment's state is known by now); it
    // only gives a function that is not frozen time to run, so that its ticks would show it.
    std::this_thread::sleep_for(milliseconds(400));
    const Ticks after = InvokeTicks(client);
    EXPECT_EQ(after.pid, before.pid) << "not the same environment";
    return after.ticks - before.ticks;
  }
};

TEST_P(IdleFreezeTest, IdleEnvironmentsAreFrozenBetweenInvokes) {
  const long long ticks = TicksAcrossIdleTime(/*freeze=*/true);
  if (IsSkipped()) return;
  EXPECT_GE(ticks, 0);
  EXPECT_LT(ticks, 100) << "the function ran while it was idle";
}

// The control: the same measure with freezing off does see the idle time, so the test above can
// fail.
TEST_P(IdleFreezeTest, WithoutFreezingIdleEnvironmentsKeepRunning) {
  const long long ticks = TicksAcrossIdleTime(/*freeze=*/false);
  if (IsSkipped()) return;
  EXPECT_GT(ticks, 100) << "the function did not run while it was idle";
}

INSTANTIATE_TEST_SUITE_P(Freezers, IdleFreezeTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "CgroupFreezerWhereUsable" : "Sigstop");
                         });

// A function replaced on disk (zerostart watch): every environment started so far is retired.
TEST_F(PoolTest, RetiredEnvironmentsGetNoInvokeAndGoOnceIdle) {
  StartFaulty([](EmulatorOptions& options) { options.concurrency = 4; });
  InvokeClient client = Client();
  // Environment 1 is busy (waits for the release file), environment 2 idle after an echo.
  std::shared_future<http::Response> busy = InvokeInBackground(WaitFileEvent("busy"));
  ASSERT_TRUE(WaitForStarts(1)) << Log();
  EXPECT_EQ(MustInvoke(client, R"({"n":1})").status, 200);
  ASSERT_EQ(emulator_->pool().stats().started, 2u);

  // The idle one goes now; the busy one stays until its invoke is answered.
  EXPECT_EQ(emulator_->pool().RetireEnvironments(), 1);
  // The next invoke starts a fresh environment: neither old one takes it.
  EXPECT_EQ(MustInvoke(client, R"({"n":2})").status, 200);
  EXPECT_EQ(emulator_->pool().stats().started, 3u);
  EXPECT_EQ(MustInvoke(client, R"({"n":3})").status, 200);
  EXPECT_EQ(emulator_->pool().stats().started, 3u);  // the fresh one is warm now

  Release();
  EXPECT_EQ(busy.get().status, 200);  // the retired environment answered its invoke in flight
  ASSERT_TRUE(testing::WaitUntil([&] { return emulator_->pool().FinishRetiring() == 0; }, seconds(30)));
  ASSERT_TRUE(testing::WaitUntil([&] { return emulator_->pool().stats().environments == 1; }, seconds(30)))
      << emulator_->pool().stats().environments << " environments\n" << Log();
  EXPECT_EQ(MustInvoke(client, R"({"n":4})").status, 200);
  EXPECT_EQ(emulator_->pool().stats().started, 3u);
}

TEST_F(PoolTest, IdleEnvironmentIsReclaimed) {
  StartFaulty([](EmulatorOptions& options) { options.idle_timeout = milliseconds(200); });
  // What the environment is made of, read while its invoke holds it busy (an idle one could
  // already be gone).
  std::shared_future<http::Response> first = InvokeInBackground(WaitFileEvent("first"));
  ASSERT_TRUE(WaitForStarts(1)) << Log();
  const std::vector<pid_t> pids = FunctionPids();
  ASSERT_EQ(pids.size(), 1u);
  const std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
  ASSERT_EQ(environments.size(), 1u);
  const std::vector<std::string> groups = environments[0].group_dirs;
  if (sink_.stderr_text().find("not enforcing") == std::string::npos) {
    EXPECT_FALSE(groups.empty()) << "limits are enforced, yet the environment has no cgroup";
  }
  Release();
  EXPECT_EQ(first.get().status, 200);
  EXPECT_TRUE(WaitReport(first.get()).count("Init Duration"));

  // 10 s bounds the wait (50 idle timeouts); it is well below the function's 30-s timeout, so
  // an environment that is only looked at again at its invoke's old deadline shows here.
  ASSERT_TRUE(emulator_->pool().WaitForNoEnvironments(seconds(10)))
      << "the environment was not reclaimed after 200 ms of idle time:\n" << Log();
  // Its whole process group is gone, and its cgroups with it.
  EXPECT_FALSE(testing::ProcessAlive(pids[0]));
  EXPECT_FALSE(ProcessGroupExists(pids[0]));
  EXPECT_TRUE(FunctionPids().empty());
  for (const std::string& group : groups) EXPECT_FALSE(std::filesystem::exists(group)) << group;
  const std::vector<std::string> left = testing::CgroupGroupsOf(::getpid());
  EXPECT_TRUE(left.empty()) << left.front();
  EXPECT_EQ(emulator_->pool().stats().environments, 0);

  // The next invoke is a cold start, in a new process.
  InvokeClient client = Client();
  const http::Response next = MustInvoke(client, R"({"action":"echo","after":"reclaim"})");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, R"({"action":"echo","after":"reclaim"})");
  EXPECT_TRUE(WaitReport(next).count("Init Duration")) << Log();
  const std::vector<pid_t> fresh = FunctionPids();
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_NE(fresh[0], pids[0]);
}

// --- One environment failing, the others serving ---

TEST_F(PoolTest, OneEnvironmentCrashingLeavesTheOthersServing) {
  StartFaulty([](EmulatorOptions& options) { options.concurrency = 3; });
  const std::string event_a = WaitFileEvent("a");
  const std::string event_b = WaitFileEvent("b");
  std::shared_future<http::Response> a = InvokeInBackground(event_a);
  std::shared_future<http::Response> b = InvokeInBackground(event_b);
  ASSERT_TRUE(WaitForStarts(2)) << Log();
  const std::vector<pid_t> busy = FunctionPids();
  ASSERT_EQ(busy.size(), 2u);

  // A third environment starts for the crash, and dies with it.
  InvokeClient client = Client();
  const http::Response crashed = MustInvoke(client, R"({"action":"crash"})");
  const std::string id = Header(crashed, "X-Amzn-RequestId");
  EXPECT_EQ(crashed.status, 200);
  EXPECT_EQ(Header(crashed, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(crashed.body, R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: )" + id +
                              R"( Error: Runtime exited with error: signal: segmentation fault"})");
  const std::map<std::string, std::string> report = WaitReport(id);
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "error");
  EXPECT_TRUE(WaitUntil([&] { return emulator_->pool().Environments().size() == 2; }));
  EXPECT_TRUE(WaitUntil([&] { return FunctionPids().size() == 2; }));

  // The two others never noticed.
  for (pid_t pid : busy) EXPECT_TRUE(testing::ProcessAlive(pid)) << pid;
  EXPECT_EQ(testing::ParseReports(Log()).size(), 1u) << Log();
  Release();
  EXPECT_EQ(a.get().status, 200);
  EXPECT_EQ(a.get().body, event_a);
  EXPECT_EQ(b.get().status, 200);
  EXPECT_EQ(b.get().body, event_b);
  EXPECT_FALSE(a.get().headers.Has("X-Amz-Function-Error"));
  EXPECT_FALSE(b.get().headers.Has("X-Amz-Function-Error"));
}

TEST_F(PoolTest, OneEnvironmentTimingOutLeavesTheOthersServing) {
  // The other invokes must outlive a 1-s timeout without being charged for it: their
  // environments wait in init (which an invoke's timeout does not count) until `gate` exists,
  // while the hanging invoke times out; then they run.
  const std::string gate = dir_ + "/init_gate";
  std::ofstream(gate).put('\n');
  StartFaulty([&](EmulatorOptions& options) {
    options.concurrency = 3;
    options.function.timeout_seconds = 1;
    options.function.env_overrides["FAULTY_INIT_WAIT_FILE"] = gate;
  });
  std::shared_future<http::Response> hang = InvokeInBackground(R"({"action":"hang"})");
  ASSERT_TRUE(WaitForStarts(1)) << Log();
  const std::vector<pid_t> hanging = FunctionPids();
  ASSERT_EQ(hanging.size(), 1u);
  ASSERT_EQ(::unlink(gate.c_str()), 0);
  const std::string event_a = WaitFileEvent("a");
  const std::string event_b = WaitFileEvent("b");
  std::shared_future<http::Response> a = InvokeInBackground(event_a);
  std::shared_future<http::Response> b = InvokeInBackground(event_b);
  // All three environments exist at once (the other two are spawned well within the second the
  // hanging invoke has).
  ASSERT_TRUE(WaitUntil([&] { return FunctionPids().size() == 3; })) << "the other environments did not start";

  const http::Response& timed_out = hang.get();
  const std::string id = Header(timed_out, "X-Amzn-RequestId");
  EXPECT_EQ(timed_out.status, 200);
  EXPECT_EQ(Header(timed_out, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(timed_out.body, R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: )" + id +
                                R"( Error: Task timed out after 1.00 seconds"})");
  const std::map<std::string, std::string> report = WaitReport(id);
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "timeout");
  // The timed-out environment's process group was killed, and only that one.
  EXPECT_TRUE(WaitUntil([&] { return !ProcessGroupExists(hanging[0]); }));
  const std::vector<pid_t> others = FunctionPids();
  EXPECT_EQ(others.size(), 2u);
  for (pid_t pid : others) EXPECT_NE(pid, hanging[0]);

  std::ofstream(gate).put('\n');
  ASSERT_TRUE(WaitForStarts(3)) << Log();
  Release();
  EXPECT_EQ(a.get().status, 200);
  EXPECT_EQ(a.get().body, event_a);
  EXPECT_EQ(b.get().status, 200);
  EXPECT_EQ(b.get().body, event_b);
  EXPECT_TRUE(WaitReport(a.get()).count("Init Duration"));
  EXPECT_TRUE(WaitReport(b.get()).count("Init Duration"));
  EXPECT_EQ(FunctionPids(), others);
}

TEST_F(PoolTest, InitFailingInOneOfManyEnvironments) {
  // faulty fails its init whenever `fail` exists.
  const std::string fail = dir_ + "/fail_init";
  StartFaulty([&](EmulatorOptions& options) {
    options.concurrency = 3;
    options.function.env_overrides["FAULTY_INIT_FAIL_FILE"] = fail;
  });
  const std::string event_a = WaitFileEvent("a");
  std::shared_future<http::Response> a = InvokeInBackground(event_a);
  ASSERT_TRUE(WaitForStarts(1)) << Log();
  const std::vector<pid_t> warm = FunctionPids();
  ASSERT_EQ(warm.size(), 1u);

  // A is busy: the next invoke starts a new environment, whose init fails.
  std::ofstream(fail).put('\n');
  InvokeClient client = Client();
  const http::Response failed = MustInvoke(client, R"({"action":"echo","n":1})");
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(Header(failed, "X-Amz-Function-Error"), "Unhandled");
  const nlohmann::json error = Json(failed.body);
  ASSERT_TRUE(error.is_object()) << failed.body;
  EXPECT_TRUE(error.contains("errorType")) << failed.body;
  EXPECT_NE(failed.body.find("init failed on purpose"), std::string::npos) << failed.body;
  const std::map<std::string, std::string> report = WaitReport(failed);
  EXPECT_EQ(report.count("Status") ? report.at("Status") : "", "error");
  EXPECT_EQ(Count(Log(), "INIT_REPORT Init Duration: "), 1u) << Log();
  EXPECT_TRUE(WaitUntil([&] { return emulator_->pool().Environments().size() == 1; }));

  // A's invoke went on meanwhile.
  EXPECT_TRUE(testing::ProcessAlive(warm[0]));
  Release();
  EXPECT_EQ(a.get().status, 200);
  EXPECT_EQ(a.get().body, event_a);

  // With init healthy again: the warm environment takes one invoke, a new one (whose init now
  // succeeds) the next.
  ASSERT_EQ(::unlink(fail.c_str()), 0);
  const std::string release_c = dir_ + "/release_c";
  const std::string event_c = WaitFileEvent("c", release_c);
  std::shared_future<http::Response> c = InvokeInBackground(event_c);
  ASSERT_TRUE(WaitForStarts(3)) << Log();  // a, the failed one, c
  const http::Response fresh = MustInvoke(client, R"({"action":"echo","n":2})");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.body, R"({"action":"echo","n":2})");
  EXPECT_FALSE(fresh.headers.Has("X-Amz-Function-Error"));
  EXPECT_TRUE(WaitReport(fresh).count("Init Duration")) << Log();
  std::ofstream(release_c).put('\n');
  EXPECT_EQ(c.get().body, event_c);
  EXPECT_FALSE(WaitReport(c.get()).count("Init Duration")) << Log();
  EXPECT_EQ(Count(Log(), "INIT_REPORT"), 1u) << Log();
}

// --- Callers ---

TEST_F(PoolTest, ClientDisconnectingWhileItsInvokeRuns) {
  StartFaulty();
  {
    InvokeClient raw = Client();
    http::Request request;
    request.method = "POST";
    request.target = "/2015-03-31/functions/function/invocations";
    request.headers.Add("Host", "127.0.0.1");
    request.headers.Add("Content-Type", "application/json");
    request.body = WaitFileEvent("gone");
    ASSERT_TRUE(raw.connection().Write(request).ok());
    ASSERT_TRUE(WaitForStarts(1)) << Log();
  }  // the caller hangs up while its invoke runs
  const std::string id = StartedRequestIds(Log()).at(0);
  const std::vector<Pool::EnvironmentInfo> environments = emulator_->pool().Environments();
  ASSERT_EQ(environments.size(), 1u);
  const std::vector<pid_t> pids = FunctionPids();

  Release();
  EXPECT_TRUE(WaitReport(id).count("Init Duration")) << Log();
  InvokeClient client = Client();
  const http::Response next = MustInvoke(client, R"({"action":"echo","after":"hang-up"})");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, R"({"action":"echo","after":"hang-up"})");
  // Served warm by the same environment, which printed the earlier REPORT before this START.
  EXPECT_FALSE(WaitReport(next).count("Init Duration")) << Log();
  const std::vector<Pool::EnvironmentInfo> after = emulator_->pool().Environments();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].runtime_api, environments[0].runtime_api);
  EXPECT_EQ(FunctionPids(), pids);
  const std::string log = Log();
  EXPECT_EQ(Count(log, "REPORT RequestId: " + id + "\t"), 1u) << log;
  EXPECT_EQ(CountOf(StartedRequestIds(log), id), 1u) << log;
}

TEST_F(PoolTest, AFunctionThatNeverAsksAgainTimesOutTheInvokeWaitingForIt) {
  // A runtime that answers its first invoke and then never calls /next again (stuck after its
  // answer): the invoke given to its environment next must not wait forever.
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  const std::string script = dir_ + "/bootstrap";
  {
    std::ofstream out(script);
    out << "#!/bin/bash\n"
           "api=http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation\n"
           "id=$(curl -sS -D - -o /dev/null \"$api/next\" | tr -d '\\r' |"
           " awk 'tolower($1)==\"lambda-runtime-aws-request-id:\" {print $2}')\n"
           "curl -sS -o /dev/null -d '\"answered\"' \"$api/$id/response\"\n"
           "exec sleep 1000\n";
  }
  StartScript(script);

  InvokeClient client = Client();
  EXPECT_EQ(MustInvoke(client, "{}").body, R"("answered")");
  // Its process never asks again: the next invoke times out (the 1 s timeout, not forever), and
  // its environment is replaced for the one after.
  const http::Response stuck = MustInvoke(client, "{}");
  EXPECT_EQ(stuck.status, 200);
  EXPECT_EQ(Header(stuck, "X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(Json(stuck.body)["errorType"], "Sandbox.Timedout") << stuck.body;
  EXPECT_EQ(WaitReport(stuck)["Status"], "timeout") << Log();
  const http::Response fresh = MustInvoke(client, "{}");
  EXPECT_EQ(fresh.body, R"("answered")");
  EXPECT_TRUE(WaitReport(fresh).count("Init Duration")) << Log();
}

TEST_F(PoolTest, ALateStreamedAnswerFreesTheSlotOfATimedOutManagedInvoke) {
  // Lambda Managed Instances with one slot: a timed-out invoke keeps its slot until the runtime
  // answers it. This runtime answers its first invoke late, with a streamed /response, once the
  // test has seen the timeout (the `late` file); it is refused (400) but frees the slot.
  if (::access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  const std::string script = dir_ + "/bootstrap";
  const std::string late = dir_ + "/late";
  {
    std::ofstream out(script);
    out << "#!/bin/bash\n"
           "api=http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation\n"
           "next() { curl -sS -D - -o /dev/null \"$api/next\" | tr -d '\\r' |"
           " awk 'tolower($1)==\"lambda-runtime-aws-request-id:\" {print $2}'; }\n"
           "id=$(next)\n"
           "while [ ! -e '" << late << "' ]; do sleep 0.01; done\n"
           "status=$(printf 'too late' | curl -sS -o /dev/null -w '%{http_code}' -H 'Expect:'"
           " -H 'Lambda-Runtime-Function-Response-Mode: streaming' -H 'Transfer-Encoding: chunked'"
           " --data-binary @- \"$api/$id/response\")\n"
           "echo \"late streamed answer: $status\"\n"
           "while id=$(next) && [ -n \"$id\" ]; do\n"
           "  curl -sS -o /dev/null -d '\"served\"' \"$api/$id/response\"\n"
           "done\n";
  }
  StartScript(script, [](EmulatorOptions& options) {
    options.max_concurrency = 1;
    options.idle_timeout = seconds(0);  // never reclaimed: only the late answer can free the slot
  });

  InvokeClient client = Client();
  const http::Response timed_out = MustInvoke(client, "{}");
  EXPECT_EQ(Json(timed_out.body)["errorType"], "Sandbox.Timedout") << timed_out.body;
  EXPECT_EQ(WaitReport(timed_out)["Status"], "timeout") << Log();
  // The runtime still works on it: its slot is taken.
  EXPECT_EQ(MustInvoke(client, "{}").status, 429);

  std::ofstream(late).put('\n');
  ASSERT_TRUE(WaitUntil([&] { return Log().find("late streamed answer: ") != std::string::npos; }, seconds(30)))
      << Log();
  EXPECT_NE(Log().find("late streamed answer: 400\n"), std::string::npos) << Log();
  const http::Response served = MustInvoke(client, "{}");
  EXPECT_EQ(served.status, 200) << served.body;
  EXPECT_EQ(served.body, R"("served")");
  EXPECT_EQ(emulator_->pool().stats().started, 1u);
}

TEST_F(PoolTest, ThrottledStreamingInvokeIsAnHttp429) {
  StartFaulty([](EmulatorOptions& options) { options.concurrency = 1; });
  const std::string event = WaitFileEvent("busy");
  std::shared_future<http::Response> busy = InvokeInBackground(event);
  ASSERT_TRUE(WaitForStarts(1)) << Log();

  InvokeClient client = Client();
  http::Request stream;
  stream.method = "POST";
  stream.target = "/2021-11-15/functions/function/response-streaming-invocations";
  stream.headers.Add("Host", "127.0.0.1");
  stream.headers.Add("Content-Type", "application/json");
  stream.body = R"({"action":"echo"})";
  const http::Response throttled = MustSend(client, stream);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(Header(throttled, "X-Amzn-ErrorType"), "TooManyRequestsException");
  EXPECT_NE(Header(throttled, "Content-Type"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(Json(throttled.body).value("Reason", ""), "ReservedFunctionConcurrentInvocationLimitExceeded")
      << throttled.body;

  // A Function URL is throttled alike.
  for (const std::string method : {"GET", "POST"}) {
    InvokeClient url_client = Client();
    http::Request url;
    url.method = method;
    url.target = "/lambda-url/function/some/path?q=1";
    url.headers.Add("Host", "127.0.0.1");
    if (method == "POST") url.body = "hello";
    const http::Response url_throttled = MustSend(url_client, url);
    EXPECT_EQ(url_throttled.status, 429) << method << " " << url_throttled.body;
    EXPECT_EQ(Json(url_throttled.body).value("Reason", ""), "ReservedFunctionConcurrentInvocationLimitExceeded")
        << url_throttled.body;
  }
  EXPECT_EQ(StartedRequestIds(Log()).size(), 1u) << Log();  // none of them ran
  EXPECT_EQ(emulator_->pool().stats().throttled, 3u);

  Release();
  EXPECT_EQ(busy.get().status, 200);
  EXPECT_EQ(busy.get().body, event);
  // With the environment free again, a streaming invocation runs: a 200 event stream.
  InvokeClient again = Client();
  const http::Response streamed = MustSend(again, stream);
  EXPECT_EQ(streamed.status, 200);
  EXPECT_EQ(Header(streamed, "Content-Type"), "application/vnd.amazon.eventstream");
}

// --- Event invokes ---

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(PoolTest, EventInvokesAreRetriedThenRecorded) {
  const std::string failures = dir_ + "/failures.jsonl";
  StartFaulty([&](EmulatorOptions& options) {
    options.async.max_retry_attempts = 1;
    options.async.retry_delay_seconds = 0.05;
    options.async.on_failure_path = failures;
  });
  InvokeClient client = Client();
  const Headers event_type{{"X-Amz-Invocation-Type", "Event"}};
  const std::string event = R"({"action":"error","attempt":"async"})";
  const http::Response accepted = MustInvoke(client, event, event_type);
  EXPECT_EQ(accepted.status, 202);
  EXPECT_TRUE(accepted.body.empty()) << accepted.body;
  const std::string id = Header(accepted, "X-Amzn-RequestId");
  ASSERT_FALSE(id.empty());

  // Two attempts (the first and one retry), then the record.
  ASSERT_TRUE(WaitUntil([&] { return Lines(failures).size() == 1; }, seconds(30))) << Log();
  const nlohmann::json record = Json(Lines(failures).at(0));
  ASSERT_TRUE(record.is_object()) << Lines(failures).at(0);
  EXPECT_EQ(record.value("version", ""), "1.0");
  const nlohmann::json& context = record["requestContext"];
  EXPECT_EQ(context.value("requestId", ""), id);
  EXPECT_EQ(context.value("condition", ""), "RetriesExhausted");
  EXPECT_EQ(context.value("approximateInvokeCount", 0), 2);
  EXPECT_TRUE(std::regex_search(context.value("functionArn", ""), std::regex(R"(:function:faulty:\$LATEST$)")))
      << record.dump();
  EXPECT_EQ(record["requestPayload"], Json(event));
  EXPECT_EQ(record["responseContext"].value("statusCode", 0), 200);
  EXPECT_EQ(record["responseContext"].value("functionError", ""), "Unhandled");
  EXPECT_EQ(record["responsePayload"].value("errorType", ""), "MyError");
  // Both attempts ran with the event's request id: Lambda's retries keep it.
  EXPECT_TRUE(WaitUntil([&] { return Count(Log(), "REPORT RequestId: " + id + "\t") == 2; })) << Log();
  EXPECT_EQ(StartedRequestIds(Log()), (std::vector<std::string>{id, id})) << Log();

  // An event that succeeds runs once and leaves no record.
  const http::Response ok = MustInvoke(client, R"({"action":"echo","attempt":"ok"})", event_type);
  EXPECT_EQ(ok.status, 202);
  const std::string ok_id = Header(ok, "X-Amzn-RequestId");
  WaitReport(ok_id);
  // Stop lets an attempt that is settling finish (a record included) before it returns: what
  // the file and the log hold then is final.
  emulator_->Stop();
  EXPECT_EQ(Lines(failures).size(), 1u);
  EXPECT_EQ(CountOf(StartedRequestIds(Log()), ok_id), 1u) << Log();
  EXPECT_EQ(sink_.stderr_text().find("dropped"), std::string::npos) << sink_.stderr_text();
}

// --- go1.x ---

TEST_F(PoolTest, Go1xFunctionsGetThePoolToo) {
  StartFaulty([](EmulatorOptions& options) {
    options.function.protocol = Protocol::kGo1x;
    options.concurrency = 2;
  });
  const std::string event_a = WaitFileEvent("a");
  const std::string event_b = WaitFileEvent("b");
  std::shared_future<http::Response> a = InvokeInBackground(event_a);
  std::shared_future<http::Response> b = InvokeInBackground(event_b);
  ASSERT_TRUE(WaitForStarts(2)) << Log();
  EXPECT_EQ(emulator_->pool().Environments().size(), 2u);
  EXPECT_EQ(FunctionPids().size(), 2u);
  Release();
  EXPECT_EQ(a.get().status, 200);
  EXPECT_EQ(a.get().body, event_a);
  EXPECT_EQ(b.get().status, 200);
  EXPECT_EQ(b.get().body, event_b);
  EXPECT_TRUE(WaitReport(a.get()).count("Init Duration"));
  EXPECT_TRUE(WaitReport(b.get()).count("Init Duration"));
}

// --- The `zerostart serve` binary ---

using testing::ExitCode;

class ServePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveBinary("zerostart")) GTEST_SKIP() << BinPath("zerostart") << " is not built";
    if (!testing::HaveBinary("faulty")) GTEST_SKIP() << BinPath("faulty") << " is not built";
    char dir_template[] = "/tmp/zs_serve_pool_XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
  }

  void TearDown() override {
    StopServe();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  // Ends serve if it still runs: SIGTERM first (serve removes its cgroups on the way out;
  // SIGKILL would leave them).
  void StopServe() {
    if (serve_ && !serve_->Wait(milliseconds(0))) {
      serve_->Signal(SIGTERM);
      if (!serve_->Wait(seconds(30))) serve_->Signal(SIGKILL);
    }
    serve_.reset();
  }

  // `zerostart serve --port 0 <flags> -- <function>`, started.
  void StartServe(const std::vector<std::string>& flags, const std::string& function) {
    std::vector<std::string> argv{BinPath("zerostart"), "serve", "--port", "0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back("--");
    argv.push_back(function);
    auto child = ChildProcess::Start(argv);
    ASSERT_TRUE(child.ok()) << child.status().ToString();
    serve_ = std::move(child).value();
  }

  std::string dir_;
  std::unique_ptr<ChildProcess> serve_;
};

TEST_F(ServePoolTest, SigtermToServeWithBusyEnvironments) {
  StartServe({"--concurrency", "3", "--timeout", "60"}, BinPath("faulty"));
  ASSERT_TRUE(serve_->WaitForStderr(")\n", seconds(30))) << serve_->stderr_text();
  std::smatch match;
  const std::string ready = serve_->stderr_text();
  ASSERT_TRUE(std::regex_search(ready, match, std::regex(R"(on http://127\.0\.0\.1:(\d+) \(.*up to 3 environments\))")))
      << ready;
  const uint16_t port = static_cast<uint16_t>(std::stoi(match[1].str()));

  // Three callers, each with an environment of its own, whose function hangs.
  std::vector<std::future<std::string>> callers;
  for (int i = 0; i < 3; ++i) {
    callers.push_back(std::async(std::launch::async, [port] {
      auto client = InvokeClient::Connect(port);
      if (!client.ok()) return "cannot connect: " + client.status().ToString();
      auto response = client->Invoke(R"({"action":"hang"})");
      if (!response.ok()) return std::string("closed");  // the connection ended without an answer
      return std::to_string(response->status) + " " + Header(*response, "X-Amzn-ErrorType");
    }));
  }
  ASSERT_TRUE(WaitUntil([&] { return StartedRequestIds(serve_->stdout_text()).size() == 3; }, seconds(30)))
      << serve_->stdout_text();
  const std::vector<pid_t> functions = testing::ChildrenOf(serve_->pid());
  EXPECT_EQ(functions.size(), 3u);
  const std::vector<std::string> groups = testing::CgroupGroupsOf(serve_->pid());
  if (serve_->stderr_text().find("not enforcing") == std::string::npos) {
    EXPECT_FALSE(groups.empty()) << "limits are enforced, yet serve's environments have no cgroup";
  }

  serve_->Signal(SIGTERM);
  EXPECT_EQ(ExitCode(serve_->Wait(seconds(30))), 0) << serve_->stderr_text();
  for (auto& caller : callers) {
    ASSERT_EQ(caller.wait_for(seconds(30)), std::future_status::ready) << "a caller got no answer";
    const std::string answer = caller.get();
    EXPECT_TRUE(answer == "500 ServiceException" || answer == "closed") << answer;
  }
  // Nothing of serve's is left: no function process (nor any other member of their process
  // groups), no cgroup.
  for (pid_t pid : functions) {
    EXPECT_FALSE(testing::ProcessAlive(pid)) << pid;
    EXPECT_FALSE(ProcessGroupExists(pid)) << pid;
  }
  for (const std::string& group : groups) EXPECT_FALSE(std::filesystem::exists(group)) << group;
  const std::vector<std::string> left = testing::CgroupGroupsOf(serve_->pid());
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST_F(ServePoolTest, BadPoolFlagsAreRefusedBeforeAnythingStarts) {
  // A function that leaves a mark when it starts; --eager would start it at once, were the
  // flags accepted.
  const std::string mark = dir_ + "/started";
  const std::string function = dir_ + "/bootstrap";
  {
    std::ofstream script(function);
    script << "#!/bin/sh\necho started >> " << mark << "\nexec " << BinPath("faulty") << "\n";
  }
  ASSERT_EQ(::chmod(function.c_str(), 0755), 0);
  struct Case {
    std::vector<std::string> flags;
    std::string named;  // what stderr must name
  };
  const std::vector<Case> cases{
      {{"--concurrency", "0"}, "--concurrency"},       {{"--concurrency", "-1"}, "--concurrency"},
      {{"--concurrency", "100000"}, "--concurrency"},  {{"--concurrency", "abc"}, "--concurrency"},
      {{"--max-concurrency"}, "--max-concurrency"},    {{"--max-concurrency", "0"}, "--max-concurrency"},
      {{"--idle-timeout", "-1"}, "--idle-timeout"},    {{"--max-retry-attempts", "3"}, "--max-retry-attempts"},
  };
  for (const Case& bad : cases) {
    std::vector<std::string> flags{"--eager"};
    flags.insert(flags.end(), bad.flags.begin(), bad.flags.end());
    std::string shown;
    for (const std::string& flag : bad.flags) shown += flag + " ";
    StartServe(flags, function);
    const std::optional<int> status = serve_->Wait(seconds(20));
    EXPECT_EQ(ExitCode(status), 2) << shown << serve_->stderr_text();
    EXPECT_NE(serve_->stderr_text().find(bad.named), std::string::npos) << shown << serve_->stderr_text();
    EXPECT_FALSE(std::filesystem::exists(mark)) << shown << "started the function";
    StopServe();
    ::unlink(mark.c_str());
  }
  // The control: with good flags the function does start at once, and leaves its mark.
  StartServe({"--eager", "--concurrency", "2", "--idle-timeout", "0", "--max-retry-attempts", "2"}, function);
  EXPECT_TRUE(WaitUntil([&] { return std::filesystem::exists(mark); }, seconds(30))) << serve_->stderr_text();
  StopServe();
}

}  // namespace
}  // namespace zerostart::emulator
