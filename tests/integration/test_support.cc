#include "tests/integration/test_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/common/net.h"

extern char** environ;

namespace zerostart::testing {

nlohmann::json Json(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

int ExitCode(std::optional<int> status) {
  if (!status) return -1000;
  if (WIFEXITED(*status)) return WEXITSTATUS(*status);
  return -WTERMSIG(*status);
}

bool HaveBinary(const std::string& name) { return ::access(BinPath(name).c_str(), X_OK) == 0; }

std::string CurlBootstrapPath() {
  return SourcePath("tests/integration/curl_bootstrap.sh");
}

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task_dir.c_str());
  if (dir == nullptr) return out;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream children(task_dir + "/" + entry->d_name + "/children");
    pid_t child;
    while (children >> child) out.push_back(child);
  }
  ::closedir(dir);
  return out;
}

bool ProcessAlive(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) return false;
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) return line.find('Z') == std::string::npos;
  }
  return false;
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return InternalError("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  int rc = ::posix_spawn(&child->pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    return InternalError(std::string("posix_spawn: ") + std::strerror(rc));
  }
  ChildProcess* self = child.get();
  child->stdout_reader_ = std::thread([self, fd = out[0]] { self->ReadLoop(fd, true); });
  child->stderr_reader_ = std::thread([self, fd = err[0]] { self->ReadLoop(fd, false); });
  return child;
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
  if (stdout_reader_.joinable()) stdout_reader_.join();
  if (stderr_reader_.joinable()) stderr_reader_.join();
}

void ChildProcess::ReadLoop(int fd, bool is_stdout) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard<std::mutex> lock(mutex_);
    (is_stdout ? stdout_ : stderr_).append(buffer, static_cast<size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard<std::mutex> lock(mutex_);
  ++streams_closed_;
  changed_.notify_all();
}

std::string ChildProcess::stdout_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stdout_;
}

std::string ChildProcess::stderr_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stderr_;
}

bool ChildProcess::WaitForStderr(const std::string& text, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return stderr_.find(text) != std::string::npos; });
}

bool ChildProcess::WaitForStdout(const std::string& text, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return stdout_.find(text) != std::string::npos; });
}

void ChildProcess::Signal(int signal) {
  if (!status_) ::kill(pid_, signal);
}

void ChildProcess::Terminate(std::chrono::milliseconds grace) {
  Signal(SIGTERM);
  if (!Wait(grace)) {
    Signal(SIGKILL);
    Wait(grace);
  }
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = status;
      // Let the readers take the last bytes (the pipes end when the process is gone; 10 s only
      // bounds a grandchild that keeps them open).
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait_for(lock, std::chrono::seconds(10), [this] { return streams_closed_ == 2; });
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Result<InvokeClient> InvokeClient::Connect(uint16_t port) {
  ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect({"127.0.0.1", port}));
  return InvokeClient(std::make_unique<http::Connection>(std::move(fd)));
}

Result<http::Response> InvokeClient::Invoke(const std::string& payload,
                                            const std::vector<std::pair<std::string, std::string>>& headers,
                                            const std::string& function) {
  http::Request request;
  request.method = "POST";
  request.target = "/2015-03-31/functions/" + function + "/invocations";
  request.headers.Add("Host", "127.0.0.1");
  request.headers.Add("Content-Type", "application/json");
  for (const auto& [name, value] : headers) request.headers.Add(name, value);
  request.body = payload;
  return Send(request);
}

Result<http::Response> InvokeClient::Send(const http::Request& request) {
  ZS_RETURN_IF_ERROR(connection_->Write(request));
  return connection_->ReadResponse();
}

Result<http::Response> InvokeClient::SendRaw(const std::string& bytes) {
  ZS_RETURN_IF_ERROR(net::WriteAll(connection_->fd(), bytes));
  return connection_->ReadResponse();
}

std::vector<std::map<std::string, std::string>> ParseReports(const std::string& log) {
  std::vector<std::map<std::string, std::string>> reports;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("REPORT ", 0) != 0) continue;
    std::map<std::string, std::string> fields;
    std::string body = line.substr(7);
    size_t start = 0;
    while (start < body.size()) {
      size_t tab = body.find('\t', start);
      std::string field = body.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
      size_t colon = field.find(": ");
      if (colon != std::string::npos) fields[field.substr(0, colon)] = field.substr(colon + 2);
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    reports.push_back(std::move(fields));
  }
  return reports;
}

std::optional<std::map<std::string, std::string>> ReportFor(const std::string& log,
                                                            const std::string& request_id) {
  for (auto& report : ParseReports(log)) {
    if (report["RequestId"] == request_id) return report;
  }
  return std::nullopt;
}

std::vector<std::string> StartedRequestIds(const std::string& log) {
  std::vector<std::string> ids;
  std::istringstream lines(log);
  std::string line;
  const std::string prefix = "START RequestId: ";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    ids.push_back(line.substr(prefix.size(), line.find(' ', prefix.size()) - prefix.size()));
  }
  return ids;
}

double FieldNumber(const std::string& value) { return std::strtod(value.c_str(), nullptr); }

std::vector<std::string> CgroupGroupsOf(pid_t pid) {
  namespace fs = std::filesystem;
  const std::string prefix = "zerostart-" + std::to_string(pid) + "-";
  std::vector<std::string> found;
  std::error_code error;
  fs::recursive_directory_iterator it("/sys/fs/cgroup", fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it.depth() > 4) it.disable_recursion_pending();
    if (!it->is_directory(error)) continue;
    if (it->path().filename().string().rfind(prefix, 0) == 0) {
      found.push_back(it->path().string());
      it.disable_recursion_pending();
    }
  }
  return found;
}

}  // namespace zerostart::testing
