#include "bench/concurrency/serve_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "src/common/spawn.h"
#include "src/common/unique_fd.h"

extern char** environ;

namespace zerostart::bench::concurrency {
namespace {

using benchmark::ReportValues;

// How long REPORT records may lag behind the answers (serve prints each just after its answer).
constexpr std::chrono::seconds kReportTimeout{30};
constexpr std::chrono::seconds kReadyTimeout{30};
// serve stops at once (it SIGKILLs its functions), a loaded machine aside.
constexpr std::chrono::seconds kStopTimeout{15};

// The serves alive now. Each leads a process group of its own, so a Ctrl-C to this benchmark does
// not reach it: a stop signal to us SIGTERMs them (serve then stops its functions and removes its
// cgroups), and only then ends us.
std::atomic<pid_t> live_serves[4];

void NoteServe(pid_t pid, bool alive) {
  for (std::atomic<pid_t>& slot : live_serves) {
    pid_t expected = alive ? 0 : pid;
    if (slot.compare_exchange_strong(expected, alive ? pid : 0)) return;
  }
}

extern "C" void OnStopSignal(int signal_number) {
  for (std::atomic<pid_t>& slot : live_serves) {
    const pid_t pid = slot.load();
    if (pid > 0) ::kill(pid, SIGTERM);
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

}  // namespace

void StopServesOnSignal() {
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::signal(signal_number, OnStopSignal);
}

Result<std::unique_ptr<ServeProcess>> ServeProcess::Start(const ServeSpec& spec) {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if ((spec.read_reports && ::pipe2(out, O_CLOEXEC) != 0) || ::pipe2(err, O_CLOEXEC) != 0) {
    return InternalError(std::string("pipe2: ") + std::strerror(errno));
  }
  UniqueFd out_read(out[0]), out_write(out[1]), err_read(err[0]), err_write(err[1]);
  SpawnSpec child;
  child.argv = {spec.zerostart, "serve", "--port", "0"};
  // Lambda's JSON log format: START and REPORT come as records with typed fields.
  if (spec.read_reports) child.argv.insert(child.argv.end(), {"--log-format", "json"});
  child.argv.insert(child.argv.end(), spec.options.begin(), spec.options.end());
  child.argv.push_back("--");
  child.argv.push_back(spec.function);
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view inherited(*entry);
    const size_t equals = inherited.find('=');
    const std::string_view key = inherited.substr(0, equals == std::string_view::npos ? inherited.size() : equals + 1);
    const bool overridden = equals != std::string_view::npos && std::any_of(spec.env.begin(), spec.env.end(),
                                        [&](const std::string& own) { return own.starts_with(key); });
    if (!overridden) child.env.emplace_back(inherited);
  }
  child.env.insert(child.env.end(), spec.env.begin(), spec.env.end());
  child.stdout_fd = spec.read_reports ? out_write.get() : kSpawnDevNull;
  child.stderr_fd = err_write.get();
  ZS_ASSIGN_OR_RETURN(pid_t pid, SpawnProcessGroup(child));
  NoteServe(pid, true);
  out_write.Reset();
  err_write.Reset();
  std::unique_ptr<ServeProcess> serve(new ServeProcess(pid));
  if (spec.read_reports) {
    serve->out_reader_ = std::thread([s = serve.get(), fd = std::move(out_read)] {
      ReadLines(fd.get(), [s](std::string_view line) { s->OnStdoutLine(line); });
    });
  }
  serve->err_reader_ = std::thread([s = serve.get(), fd = std::move(err_read)] {
    ReadLines(fd.get(), [s](std::string_view line) { s->OnStderrLine(line); });
    std::lock_guard<std::mutex> lock(s->mutex_);
    s->stderr_closed_ = true;
    s->changed_.notify_all();
  });
  std::unique_lock<std::mutex> lock(serve->mutex_);
  serve->changed_.wait_for(lock, kReadyTimeout, [&] { return serve->port_ != 0 || serve->stderr_closed_; });
  if (serve->port_ == 0) {
    return UnavailableError("zerostart serve did not become ready: " + serve->stderr_text_);
  }
  return serve;
}

Status ServeProcess::Stop() {
  if (stopped_) return OkStatus();
  stopped_ = true;
  ::kill(pid_, SIGTERM);
  Status status = OkStatus();
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd exited{pidfd, POLLIN, 0};
    const int timeout_ms = static_cast<int>(std::chrono::milliseconds(kStopTimeout).count());
    int ready = 0;
    while ((ready = ::poll(&exited, 1, timeout_ms)) < 0 && errno == EINTR) {
    }
    ::close(pidfd);
    if (ready == 0) {
      status = DeadlineExceededError("zerostart serve did not exit within 15 s of SIGTERM");
      ::kill(pid_, SIGKILL);
    }
  }
  int wait_status = 0;
  while (::waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
  }
  NoteServe(pid_, false);
  if (status.ok() && !(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)) {
    status = InternalError("zerostart serve ended with wait status " + std::to_string(wait_status));
  }
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
  return status;
}

uint16_t ServeProcess::port() {
  std::lock_guard<std::mutex> lock(mutex_);
  return port_;
}

size_t ServeProcess::ReportCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reports_.size();
}

bool ServeProcess::WaitForReports(size_t count) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, kReportTimeout, [&] { return reports_.size() >= count || stderr_closed_; }) &&
         reports_.size() >= count;
}

bool ServeProcess::WaitForStarts(size_t count) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, kReportTimeout, [&] { return starts_ >= count || stderr_closed_; }) &&
         starts_ >= count;
}

std::vector<ReportValues> ServeProcess::Reports() {
  std::lock_guard<std::mutex> lock(mutex_);
  return reports_;
}

std::string ServeProcess::StderrText() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stderr_text_;
}

void ServeProcess::ReadLines(int fd, const std::function<void(std::string_view)>& on_line) {
  std::string pending;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buffer, static_cast<size_t>(got));
    size_t begin = 0;
    for (size_t end; (end = pending.find('\n', begin)) != std::string::npos; begin = end + 1) {
      on_line(std::string_view(pending).substr(begin, end - begin));
    }
    pending.erase(0, begin);
  }
  if (!pending.empty()) on_line(pending);
}

void ServeProcess::OnStdoutLine(std::string_view line) {
  constexpr std::string_view kStartType = "platform.start";
  std::optional<benchmark::PlatformRecord> record = benchmark::ParsePlatformRecord(line);
  if (!record || (!record->report && record->type != kStartType)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (record->report) reports_.push_back(std::move(*record->report));
  else ++starts_;
  changed_.notify_all();
}

// "zerostart: serving FUNCTION on http://127.0.0.1:PORT (...)": this build's and older ones'.
void ServeProcess::OnStderrLine(std::string_view line) {
  constexpr std::string_view kServing = "zerostart: serving ";
  constexpr std::string_view kAddress = " on http://127.0.0.1:";
  std::lock_guard<std::mutex> lock(mutex_);
  stderr_text_.append(line).append("\n");
  const size_t at = line.find(kAddress);
  if (port_ == 0 && line.substr(0, kServing.size()) == kServing && at != std::string_view::npos) {
    port_ = static_cast<uint16_t>(std::strtoul(std::string(line.substr(at + kAddress.size())).c_str(), nullptr, 10));
    changed_.notify_all();
  }
}

}  // namespace zerostart::bench::concurrency
