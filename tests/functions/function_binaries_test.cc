// Runs the real function binaries (bin/echo, bin/faulty) as child processes against
// FakeRuntimeApi: what a Lambda sandbox does, minus the emulator.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/common/net.h"
#include "src/common/testing/test_config.h"
#include "src/common/testing/thread_probe.h"
#include "src/go1x/messages.h"
#include "src/go1x/stream_reader.h"
#include "src/runtime/testing/fake_runtime_api.h"

namespace zerostart {
namespace {

using runtime::testing::EventReply;
using runtime::testing::FakeRuntimeApi;
using runtime::testing::ServeEvents;
using Clock = std::chrono::steady_clock;

struct Outcome {
  int exit_code = -1;    // when exited normally
  int signal = 0;        // when killed by a signal
  // ru_maxrss. Beware: posix_spawn shares the parent's memory until exec (CLONE_VM), and the
  // kernel folds that memory's high-water mark in at exec, so this is at least the test
  // process's own RSS. Use PeakRssKib() for the child's real peak.
  long max_rss_kib = 0;
  std::string out, err;  // captured stdout / stderr
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Child {
 public:
  Child(const std::string& binary, const FakeRuntimeApi& server,
        std::map<std::string, std::string> extra_env = {}) {
    std::map<std::string, std::string> env = {{"AWS_LAMBDA_RUNTIME_API", server.address()},
                                               {"ZEROSTART_RUNTIME_RETRY_MS", "20"}};
    for (auto& [k, v] : extra_env) env[k] = v;
    std::vector<std::string> entries;
    for (auto& [k, v] : env) entries.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (std::string& e : entries) envp.push_back(e.data());
    envp.push_back(nullptr);

    std::string path = zerostart::testing::BinPath(binary);
    static int counter = 0;
    std::string base = ::testing::TempDir() + "zs_fn_" + std::to_string(::getpid()) + "_" +
                       std::to_string(counter++);
    out_path_ = base + ".out";
    err_path_ = base + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char* argv[] = {path.data(), nullptr};
    started_ = Clock::now();
    int rc = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot spawn " << path;
    if (rc != 0) pid_ = -1;
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::remove(out_path_.c_str());
    std::remove(err_path_.c_str());
  }

  Clock::time_point started() const { return started_; }
  pid_t pid() const { return pid_; }
  bool Alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

  // Waits up to `timeout` for the process to end (killing it then, which fails the test).
  Outcome Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    Outcome outcome;
    if (pid_ <= 0) return outcome;
    Clock::time_point limit = Clock::now() + timeout;
    int status = 0;
    rusage usage{};
    for (;;) {
      pid_t done = ::wait4(pid_, &status, WNOHANG, &usage);
      if (done == pid_) break;
      if (Clock::now() > limit) {
        ADD_FAILURE() << "child did not exit in time; killing it";
        ::kill(pid_, SIGKILL);
        ::wait4(pid_, &status, 0, &usage);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    pid_ = -1;
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    outcome.max_rss_kib = usage.ru_maxrss;
    outcome.out = ReadFile(out_path_);
    outcome.err = ReadFile(err_path_);
    return outcome;
  }

 private:
  pid_t pid_ = -1;
  Clock::time_point started_;
  std::string out_path_, err_path_;
};

// VmHWM (peak resident set since exec) of a live process, in KiB; -1 if unreadable.
// `pid` is published by the test thread after posix_spawn returns, which a fast child can
// outrun: wait for it (30 s bounds only a failing run).
long PeakRssKib(const std::atomic<pid_t>& pid) {
  thread_probe::PollUntil([&] { return pid.load() != 0; });
  std::ifstream status("/proc/" + std::to_string(pid.load()) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::vector<http::Request> Posts(const FakeRuntimeApi& server) {
  std::vector<http::Request> posts;
  for (http::Request& r : server.requests()) {
    if (r.method == "POST") posts.push_back(std::move(r));
  }
  return posts;
}

std::string Target(std::string_view id, std::string_view what) {
  return "/2018-06-01/runtime/invocation/" + std::string(id) + "/" + std::string(what);
}

TEST(EchoFunctionTest, EchoesPayloadsAndContentTypesThenExitsWhenLambdaGoes) {
  runtime::testing::Script events = ServeEvents({EventReply("a", R"({"hello":"wörld"})"),
                                                 EventReply("b", "plain text", "text/plain"),
                                                 EventReply("c", "no type", ""),
                                                 EventReply("d", "")});
  std::atomic<pid_t> pid{0};
  std::atomic<long> peak_rss_kib{-1};
  FakeRuntimeApi server([&](const http::Request& request, size_t index) {
    runtime::testing::Reply reply = events(request, index);
    // The last /next: the child has served everything and is blocked on us; measure it.
    if (reply.stop) peak_rss_kib = PeakRssKib(pid);
    return reply;
  });
  Child child("echo", server);
  pid = child.pid();
  ASSERT_TRUE(server.WaitForRequests(2, std::chrono::seconds(30)));
  Outcome outcome = child.Wait();
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(outcome.err.find("unreachable"), std::string::npos) << outcome.err;

  std::vector<http::Request> posts = Posts(server);
  ASSERT_EQ(posts.size(), 4u);
  EXPECT_EQ(posts[0].target, Target("a", "response"));
  EXPECT_EQ(posts[0].body, R"({"hello":"wörld"})");
  EXPECT_EQ(posts[0].headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(posts[1].body, "plain text");
  EXPECT_EQ(posts[1].headers.Get("Content-Type"), "text/plain");
  EXPECT_EQ(posts[2].headers.Get("Content-Type"), "application/json");  // the default
  EXPECT_EQ(posts[3].body, "");
  EXPECT_EQ(server.connections_accepted(), 1u);

  // The runtime's own footprint (VmHWM of the process alone; cold starts are measured by
  // `zerostart bench`, not here).
  RecordProperty("peak_rss_kib", static_cast<int>(peak_rss_kib.load()));
  EXPECT_GT(peak_rss_kib.load(), 0);
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LE(peak_rss_kib.load(), 3 * 1024);  // target: echo peak RSS <= 3 MiB
#endif
}

TEST(FaultyFunctionTest, HandledFailuresAndBigResponsesKeepTheProcessServing) {
  runtime::testing::Script events = ServeEvents({
      EventReply("throw", R"({"action":"throw"})"),
      EventReply("throw_int", R"({"action":"throw_int"})"),
      EventReply("error", R"({"action":"error"})"),
      EventReply("big", R"({"action":"big","bytes":7000000})"),
      EventReply("log", R"({"action":"log","lines":3})"),
      EventReply("alloc", R"({"action":"alloc","mb":8})"),
      EventReply("sleep", R"({"action":"sleep_ms","ms":30})"),
      EventReply("echo", R"({"x":1})"),
  });
  std::atomic<pid_t> pid{0};
  std::atomic<long> peak_rss_kib{-1};
  FakeRuntimeApi server([&](const http::Request& request, size_t index) {
    runtime::testing::Reply reply = events(request, index);
    if (reply.stop) peak_rss_kib = PeakRssKib(pid);
    return reply;
  });
  Child child("faulty", server);
  pid = child.pid();
  Outcome outcome = child.Wait();
  EXPECT_EQ(outcome.exit_code, 1);

  std::vector<http::Request> posts = Posts(server);
  ASSERT_EQ(posts.size(), 8u);
  EXPECT_EQ(posts[0].target, Target("throw", "error"));
  EXPECT_EQ(posts[0].headers.Get("Lambda-Runtime-Function-Error-Type"), "std::runtime_error");
  nlohmann::json thrown = nlohmann::json::parse(posts[0].body);
  EXPECT_EQ(thrown["errorType"], "std::runtime_error");
  EXPECT_EQ(thrown["errorMessage"], "faulty: ünïcödé failure");
  EXPECT_NE(posts[0].body.find("ünïcödé"), std::string::npos);  // raw UTF-8 on the wire

  EXPECT_EQ(posts[1].target, Target("throw_int", "error"));
  EXPECT_EQ(posts[1].headers.Get("Lambda-Runtime-Function-Error-Type"), "UnknownException");
  EXPECT_EQ(posts[2].target, Target("error", "error"));
  EXPECT_EQ(posts[2].headers.Get("Lambda-Runtime-Function-Error-Type"), "MyError");

  EXPECT_EQ(posts[3].target, Target("big", "response"));
  EXPECT_EQ(posts[3].body.size(), 7'000'000u);
  EXPECT_EQ(posts[3].headers.Get("Content-Type"), "application/octet-stream");

  EXPECT_EQ(posts[4].body, R"({"lines":3})");
  EXPECT_NE(outcome.out.find("faulty stdout line 2\n"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.err.find("faulty stderr line 2\n"), std::string::npos) << outcome.err;

  EXPECT_EQ(posts[5].body, R"({"mb":8})");
  EXPECT_GE(peak_rss_kib.load(), 8 * 1024);  // "alloc" really made the pages resident
  EXPECT_EQ(posts[6].target, Target("sleep", "response"));
  EXPECT_EQ(posts[7].body, R"({"x":1})");
}

TEST(FaultyFunctionTest, CrashEndsTheProcessWithSigsegv) {
  FakeRuntimeApi server(ServeEvents({EventReply("c", R"({"action":"crash"})")}));
  Child child("faulty", server);
  Outcome outcome = child.Wait();
  EXPECT_EQ(outcome.signal, SIGSEGV);
  EXPECT_TRUE(Posts(server).empty());
}

TEST(FaultyFunctionTest, ExitMidInvoke) {
  FakeRuntimeApi server(ServeEvents({EventReply("e", R"({"action":"exit"})")}));
  Child child("faulty", server);
  Outcome outcome = child.Wait();
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_TRUE(Posts(server).empty());
}

TEST(FaultyFunctionTest, HangKeepsTheInvokeOpen) {
  FakeRuntimeApi server(ServeEvents({EventReply("h", R"({"action":"hang"})")}));
  Child child("faulty", server);
  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::seconds(30)));
  // The function got the event and sleeps in pause(): it will never answer.
  EXPECT_TRUE(thread_probe::PollUntil([&] {
    std::optional<thread_probe::BlockedCall> call = thread_probe::Blocked(child.pid(), child.pid());
    return call && call->number == SYS_pause;
  }));
  EXPECT_TRUE(child.Alive());
  EXPECT_TRUE(Posts(server).empty());
}  // ~Child kills it

TEST(FaultyFunctionTest, InitFailureIsReported) {
  FakeRuntimeApi server(ServeEvents({EventReply("never", "{}")}));
  Child child("faulty", server, {{"FAULTY_INIT_FAIL", "1"}});
  Outcome outcome = child.Wait();
  EXPECT_EQ(outcome.exit_code, 2);
  std::vector<http::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(requests[0].headers.Get("Lambda-Runtime-Function-Error-Type"), "Runtime.InitError");
  EXPECT_NE(requests[0].body.find("FAULTY_INIT_FAIL"), std::string::npos);
}

TEST(FaultyFunctionTest, InitSleepDelaysTheFirstNext) {
  FakeRuntimeApi server(ServeEvents({EventReply("a", "{}")}));
  Child child("faulty", server, {{"FAULTY_INIT_SLEEP_MS", "150"}});
  ASSERT_TRUE(server.WaitForRequests(1, std::chrono::seconds(30)));
  EXPECT_GE(Clock::now() - child.started(), std::chrono::milliseconds(150));
  Outcome outcome = child.Wait();
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(Posts(server).size(), 1u);
}

TEST(FunctionBinaryTest, WithoutAnyLambdaEnvironmentSaysSo) {
  FakeRuntimeApi unused(ServeEvents({}));
  Child child("echo", unused, {{"AWS_LAMBDA_RUNTIME_API", ""}});
  Outcome outcome = child.Wait();
  EXPECT_NE(outcome.exit_code, 0);
  EXPECT_NE(outcome.err.find("AWS_LAMBDA_RUNTIME_API"), std::string::npos) << outcome.err;
}

TEST(FunctionBinaryTest, Go1xServesPingAndInvokeOnTheServerPort) {
  // _LAMBDA_SERVER_PORT wins over AWS_LAMBDA_RUNTIME_API: the binary becomes a net/rpc server.
  // The client stream is Go's own (tests/testdata/gob/fresh_client.gob: Function.Ping seq 0,
  // then Function.Invoke seq 1 with payload {"k":1}).
  uint16_t port;
  {
    Result<UniqueFd> probe = net::Listen({"127.0.0.1", 0});
    ASSERT_TRUE(probe.ok());
    port = *net::LocalPort(probe->get());
  }
  FakeRuntimeApi unused(ServeEvents({}));
  Child child("echo", unused, {{"_LAMBDA_SERVER_PORT", std::to_string(port)}});
  // Until the function listens (30 s bounds only a failing run).
  Result<UniqueFd> fd = UnavailableError("not yet");
  for (Clock::time_point until = Clock::now() + std::chrono::seconds(30); !fd.ok() && Clock::now() < until;) {
    fd = net::Connect({"127.0.0.1", port});
    if (!fd.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  timeval timeout{30, 0};
  ::setsockopt(fd->get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ASSERT_TRUE(net::WriteAll(fd->get(), ReadFile(zerostart::testing::SourcePath("tests/testdata/gob/fresh_client.gob"))).ok());
  go1x::GobStreamReader reader(fd->get());
  std::vector<gob::Value> values;
  while (values.size() < 4) {
    Result<std::optional<gob::Value>> v = reader.Next();
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE(v->has_value()) << "end of stream after " << values.size() << " values";
    values.push_back(std::move(**v));
  }
  go1x::RpcResponseHeader header;
  ASSERT_TRUE(go1x::FromGob(values[0], &header).ok());
  EXPECT_EQ(header.service_method, "Function.Ping");
  EXPECT_EQ(header.error, "");
  ASSERT_TRUE(go1x::FromGob(values[2], &header).ok());
  EXPECT_EQ(header.service_method, "Function.Invoke");
  EXPECT_EQ(header.seq, 1u);
  EXPECT_EQ(header.error, "");
  go1x::InvokeResponse response;
  ASSERT_TRUE(go1x::FromGob(values[3], &response).ok());
  EXPECT_FALSE(response.has_error);
  EXPECT_EQ(response.payload, R"({"k":1})");
  EXPECT_TRUE(child.Alive());  // go1.x functions keep serving until the platform kills them
}

}  // namespace
}  // namespace zerostart
