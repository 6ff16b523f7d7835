// bin/streamer (main.cc) as a child process against FakeRuntimeApi: the chunks, the content
// type, the prelude, errors before and after the first byte, a crash mid-stream, and a
// response held open until the test creates a file.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/common/base64.h"
#include "src/common/lambda_protocol.h"
#include "src/common/testing/test_config.h"
#include "src/runtime/testing/fake_runtime_api.h"

namespace zerostart {
namespace {

using runtime::testing::EventReply;
using runtime::testing::FakeRuntimeApi;
using runtime::testing::ServeEvents;

struct StreamerExit {
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal killed it
  std::string out;     // its stdout
};

// Runs bin/streamer against `server` until it ends (it does once the server stops serving).
StreamerExit RunStreamer(const FakeRuntimeApi& server) {
  std::string path = testing::BinPath("streamer");
  std::string out_path = ::testing::TempDir() + "zs_streamer_" + std::to_string(::getpid()) + ".out";
  std::string api = "AWS_LAMBDA_RUNTIME_API=" + server.address();
  std::string retry = "ZEROSTART_RUNTIME_RETRY_MS=20";
  char* envp[] = {api.data(), retry.data(), nullptr};
  char* argv[] = {path.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  StreamerExit result;
  int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot spawn " << path;
  if (rc != 0) return result;
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  std::ifstream in(out_path);
  std::stringstream text;
  text << in.rdbuf();
  result.out = text.str();
  std::remove(out_path.c_str());
  return result;
}

std::vector<http::Request> StreamerPosts(const FakeRuntimeApi& server) {
  std::vector<http::Request> posts;
  for (http::Request& r : server.requests()) {
    if (r.method == "POST") posts.push_back(std::move(r));
  }
  return posts;
}

std::string StreamerHeader(const http::Headers& headers, std::string_view name) {
  return std::string(headers.Get(name).value_or("<absent>"));
}

TEST(StreamerFunctionTest, WritesTheChunksWithTheContentTypeAndPrintsOnlyWhenAsked) {
  FakeRuntimeApi server(ServeEvents(
      {EventReply("a", R"({"chunks":3,"chunk_bytes":4,"content_type":"text/plain","stdout":"hello"})"),
       EventReply("b", R"({"chunks":2,"text":"tick\n","interval_ms":1})"),
       EventReply("c", "")}));
  StreamerExit exit = RunStreamer(server);
  EXPECT_EQ(exit.exit_code, 1);  // the server went away
  EXPECT_EQ(exit.out, "hello\n");
  std::vector<http::Request> posts = StreamerPosts(server);
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].target, "/2018-06-01/runtime/invocation/a/response");
  EXPECT_EQ(StreamerHeader(posts[0].headers, "Lambda-Runtime-Function-Response-Mode"), "streaming");
  EXPECT_EQ(StreamerHeader(posts[0].headers, "Content-Type"), "text/plain");
  EXPECT_EQ(posts[0].body, "aaaabbbbcccc");
  EXPECT_EQ(posts[1].body, "tick\ntick\n");
  EXPECT_EQ(StreamerHeader(posts[1].headers, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(posts[2].body, "");  // an empty event: an empty streamed response
  for (const http::Request& post : posts) EXPECT_TRUE(post.trailers.empty());
}

TEST(StreamerFunctionTest, ErrorsBeforeTheFirstByteAreErrorsAfterItAreTrailers) {
  FakeRuntimeApi server(ServeEvents({EventReply("bt", R"({"before":"throw","chunks":1})"),
                                     EventReply("bf", R"({"before":"fail"})"),
                                     EventReply("at", R"({"chunks":2,"text":"x","after":"throw"})"),
                                     EventReply("af", R"({"chunks":1,"text":"y","after":"fail"})"),
                                     EventReply("bad", "[1]"),
                                     EventReply("odd", R"({"after":"later"})")}));
  RunStreamer(server);
  std::vector<http::Request> posts = StreamerPosts(server);
  ASSERT_EQ(posts.size(), 6u);
  EXPECT_EQ(posts[0].target, "/2018-06-01/runtime/invocation/bt/error");
  EXPECT_EQ(StreamerHeader(posts[0].headers, "Lambda-Runtime-Function-Error-Type"), "std::runtime_error");
  EXPECT_EQ(posts[1].target, "/2018-06-01/runtime/invocation/bf/error");
  EXPECT_EQ(StreamerHeader(posts[1].headers, "Lambda-Runtime-Function-Error-Type"), "StreamerError");

  EXPECT_EQ(posts[2].target, "/2018-06-01/runtime/invocation/at/response");
  EXPECT_EQ(posts[2].body, "xx");
  EXPECT_EQ(StreamerHeader(posts[2].trailers, "Lambda-Runtime-Function-Error-Type"), "std::runtime_error");
  Result<std::string> thrown = Base64Decode(StreamerHeader(posts[2].trailers, "Lambda-Runtime-Function-Error-Body"));
  ASSERT_TRUE(thrown.ok());
  EXPECT_EQ(nlohmann::json::parse(*thrown)["errorMessage"], "streamer: thrown after 2 chunks");

  EXPECT_EQ(posts[3].body, "y");
  EXPECT_EQ(StreamerHeader(posts[3].trailers, "Lambda-Runtime-Function-Error-Type"), "StreamerError");
  Result<std::string> failed = Base64Decode(StreamerHeader(posts[3].trailers, "Lambda-Runtime-Function-Error-Body"));
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(nlohmann::json::parse(*failed)["errorMessage"], "streamer: failed after 1 chunks");

  for (size_t i : {4u, 5u}) {
    EXPECT_EQ(posts[i].target.substr(posts[i].target.size() - 6), "/error");
    EXPECT_EQ(StreamerHeader(posts[i].headers, "Lambda-Runtime-Function-Error-Type"), "InvalidEvent");
  }
}

TEST(StreamerFunctionTest, PreludeStartsAFunctionUrlResponse) {
  FakeRuntimeApi server(ServeEvents({EventReply(
      "p", R"({"prelude":{"statusCode":201,"headers":{"x-a":"1","x-n":2},"cookies":["c=1"]},)"
           R"("chunks":1,"text":"body"})")}));
  RunStreamer(server);
  std::vector<http::Request> posts = StreamerPosts(server);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(StreamerHeader(posts[0].headers, "Content-Type"), lambda::kHttpIntegrationResponseContentType);
  EXPECT_EQ(posts[0].body, std::string(R"({"statusCode":201,"headers":{"x-a":"1","x-n":"2"},"cookies":["c=1"]})") +
                               std::string(8, '\0') + "body");
}

TEST(StreamerFunctionTest, ChunksArriveWhileTheResponseIsHeldOpen) {
  const std::string flag = ::testing::TempDir() + "zs_streamer_flag_" + std::to_string(::getpid());
  std::remove(flag.c_str());
  std::mutex mutex;
  std::condition_variable changed;
  std::string received;
  FakeRuntimeApi server(
      ServeEvents({EventReply("held", R"({"chunks":2,"text":"tick","after":"wait_file:)" + flag + "\"}")}),
      [&](const http::Request&, std::string_view piece, size_t) {
        {
          std::lock_guard lock(mutex);
          received += piece;
        }
        changed.notify_all();
        return true;
      });
  std::thread creator([&] {
    std::unique_lock lock(mutex);
    // 20 s bounds only a failing run: the chunks come long before.
    bool arrived = changed.wait_for(lock, std::chrono::seconds(20), [&] { return received == "ticktick"; });
    EXPECT_TRUE(arrived) << "received so far: " << received;
    EXPECT_EQ(server.requests().size(), 1u);  // the response is still open: only /next is complete
    lock.unlock();
    std::ofstream(flag).put('1');
  });
  StreamerExit exit = RunStreamer(server);
  creator.join();
  std::remove(flag.c_str());
  EXPECT_EQ(exit.exit_code, 1);
  std::vector<http::Request> posts = StreamerPosts(server);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].body, "ticktick");
}

TEST(StreamerFunctionTest, ACrashMidStreamLeavesThePartialBody) {
  FakeRuntimeApi server(ServeEvents({EventReply("crash", R"({"chunks":1,"text":"partial","after":"crash"})")}));
  StreamerExit exit = RunStreamer(server);
  EXPECT_EQ(exit.signal, SIGSEGV);
  ASSERT_TRUE(server.WaitForRequests(2, std::chrono::seconds(20)));
  std::vector<http::Request> posts = StreamerPosts(server);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].body, "partial");
  EXPECT_TRUE(posts[0].trailers.empty());
}

}  // namespace
}  // namespace zerostart
