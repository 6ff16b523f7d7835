// Helpers for the emulator's end-to-end tests: paths of the built binaries, a child process
// with captured output (for `zerostart serve`), a keep-alive Invoke API client, and parsing of
// REPORT lines.
#ifndef ZEROSTART_TESTS_INTEGRATION_TEST_SUPPORT_H_
#define ZEROSTART_TESTS_INTEGRATION_TEST_SUPPORT_H_

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/common/testing/test_config.h"
#include "src/http/connection.h"
#include "zerostart/status.h"

namespace zerostart::testing {

// Whether build/bin/<name> (BinPath, test_config.h) exists (function binaries are built by other
// components).
bool HaveBinary(const std::string& name);
// tests/integration/curl_bootstrap.sh in the source tree.
std::string CurlBootstrapPath();

// Polls `condition` until true or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Direct children of `pid` (all threads), from /proc.
std::vector<pid_t> ChildrenOf(pid_t pid);
// True if `pid` exists and is not a zombie.
bool ProcessAlive(pid_t pid);

// Every cgroup directory named "zerostart-<pid>-N" (the groups of the execution environments of
// process `pid`'s emulators) under /sys/fs/cgroup, however deep the group serve runs in.
std::vector<std::string> CgroupGroupsOf(pid_t pid);

// The exit code of a wait status (-N for death by signal N; -1000 when the process has not
// exited, `status` empty).
int ExitCode(std::optional<int> status);

// A child process with stdout and stderr captured into strings.
class ChildProcess {
 public:
  // argv[0] is the program path. Inherits our environment.
  static Result<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv);
  // Kills (SIGKILL) and reaps the process if still running.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  std::string stdout_text() const;
  std::string stderr_text() const;
  // Waits until `text` appears in stderr (or stdout).
  bool WaitForStderr(const std::string& text, std::chrono::milliseconds timeout);
  bool WaitForStdout(const std::string& text, std::chrono::milliseconds timeout);
  void Signal(int signal);
  // SIGTERM, then SIGKILL if it has not exited within `grace`; waits for it either way. (serve
  // removes its cgroups and unpacked task roots on SIGTERM; SIGKILL would leave them.)
  void Terminate(std::chrono::milliseconds grace = std::chrono::seconds(30));
  // The wait status, once exited within `timeout` (and its output read to the end).
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  ChildProcess() = default;
  void ReadLoop(int fd, bool is_stdout);

  pid_t pid_ = -1;
  std::optional<int> status_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string stdout_;
  std::string stderr_;
  int streams_closed_ = 0;  // readers that reached end of stream
  std::thread stdout_reader_;
  std::thread stderr_reader_;
};

// One kept-open connection to an Invoke API.
class InvokeClient {
 public:
  static Result<InvokeClient> Connect(uint16_t port);
  // POST /2015-03-31/functions/<function>/invocations with `payload` and extra headers.
  Result<http::Response> Invoke(const std::string& payload,
                                const std::vector<std::pair<std::string, std::string>>& headers = {},
                                const std::string& function = "function");
  // Sends `request` as is, then reads one response.
  Result<http::Response> Send(const http::Request& request);
  // Sends raw bytes (for malformed requests) and reads one response.
  Result<http::Response> SendRaw(const std::string& bytes);
  http::Connection& connection() { return *connection_; }

 private:
  explicit InvokeClient(std::unique_ptr<http::Connection> connection) : connection_(std::move(connection)) {}
  std::unique_ptr<http::Connection> connection_;
};

// The fields of every REPORT line in `log`, in order (name -> value, e.g. "Duration" ->
// "1.23 ms", "RequestId" -> "<id>").
std::vector<std::map<std::string, std::string>> ParseReports(const std::string& log);
// The REPORT of `request_id`, if present.
std::optional<std::map<std::string, std::string>> ReportFor(const std::string& log,
                                                            const std::string& request_id);
// Request ids of the START lines in `log`, in order.
std::vector<std::string> StartedRequestIds(const std::string& log);
// The leading number of a field such as "12.34 ms" or "52 MB".
double FieldNumber(const std::string& value);

// The value of header `name` in `response`, "" when absent.
inline std::string Header(const http::Response& response, std::string_view name) {
  return std::string(response.headers.Get(name).value_or(""));
}

// `text` parsed as JSON; a discarded value (is_discarded()) when it is not JSON. Defined in
// test_support.cc: the parser is instantiated once, not in every test that includes this.
nlohmann::json Json(const std::string& text);

}  // namespace zerostart::testing

#endif  // ZEROSTART_TESTS_INTEGRATION_TEST_SUPPORT_H_
