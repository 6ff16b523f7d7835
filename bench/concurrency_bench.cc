// zs_concurrency_bench: the pool of execution environments of `zerostart serve`, as callers see
// it. Each part starts its own `zerostart serve` as a child process — its ready line on stderr
// gives the port, its START/END/REPORT lines on stdout are read as they come — and drives it
// from this process over loopback. Every client connection is opened and proven served (a request
// to an unknown path, which the connection's own thread answers 404 without touching the pool)
// before any invoke is sent, so no figure includes the listener's accept backlog. Nothing here
// sleeps to synchronise: it waits for the ready line, for answers and for START/REPORT lines.
//
//   cold    for each N: `serve --concurrency N --no-limits -- faulty`, N connections, N invokes
//           that sleep S ms sent at once (every environment cold), then N again (all warm).
//           Wall time = the first request written -> the last answer read; the slowest cold
//           start = the largest Init Duration among that round's REPORT lines. A cold round
//           passes when it ends within (S + slowest cold start) x 1.1, a warm one within S x 1.1.
//   burst   `serve --concurrency C -- echo`, with cgroups (the default) and with --no-limits; B
//           connections, B invokes sent at once, twice (a cold pool, then a warm one). Each
//           invoke must be answered exactly once, 200 or 429 TooManyRequestsException; each
//           200's X-Amzn-RequestId must be in exactly one REPORT line, no REPORT may lack its
//           200, and each 200's body must be its own payload. Latency = an invoke's request
//           written -> its answer read; throughput = answers / (first written -> last read).
//   warm    one kept-open connection, K sequential invokes of echo per round after 500 untimed
//           ones; configurations (this build with and without freezing and cgroups, and the build
//           in --before-bin) alternate round by round, a fresh serve each (stdout to /dev/null);
//           the CPU time serve and the function spent per invoke (/proc/PID/stat) and the
//           function's context switches per invoke (each freeze adds about two).
//   thaw    the cost of a freeze to the invoke after it, without serve: see RunThaw.
//   memory  `serve --concurrency E --idle-timeout 0 -- faulty`, with and without cgroups, E
//           connections kept open: invokes one at a time (one environment), then E at once,
//           each held until all E have reached their functions (E environments); serve's VmRSS,
//           threads and descriptors once every REPORT is in.
//
//   zs_concurrency_bench --bin DIR [--before-bin DIR] [--json FILE]
//       [--parts cold,burst,warm,thaw,memory] [--cold-sizes 2,4,16,64] [--sleep-ms 500]
//       [--burst 1000] [--burst-concurrency 100] [--warm-count 2000] [--warm-rounds 10]
//       [--thaw-cycles 2000] [--memory-environments 100] [--note KEY=VALUE]...
//
// DIR holds zerostart, echo and faulty; --before-bin's DIR zerostart and echo (warm part only).
// Prints Markdown tables on stdout, progress on stderr, and writes every figure to --json.
// SIGINT/SIGTERM/SIGHUP stop the serve in progress before ending this program.
// Exit status: 0; 1 when a serve cannot be run or a check fails (the tables say which); 2 for
// bad arguments.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "src/common/lambda_protocol.h"
#include "src/common/net.h"
#include "src/common/spawn.h"
#include "src/emulator/cgroup_limits.h"
#include "src/emulator/environment.h"
#include "src/emulator/freezer.h"
#include "src/http/parser.h"
#include "src/study/report_capture.h"
#include "src/study/stats.h"

extern char** environ;

namespace zerostart::bench {
namespace {

using nlohmann::json;
using study::ReportValues;

// A round's answers must all be in by then; beyond it an invoke counts as unanswered.
constexpr std::chrono::seconds kAnswerTimeout{60};
// How long REPORT lines may lag behind the answers (serve prints each just after its answer).
constexpr std::chrono::seconds kReportTimeout{30};
constexpr std::chrono::seconds kReadyTimeout{30};
// serve needs about 0.5 s to stop (SIGTERM, then SIGKILL to the functions after 500 ms).
constexpr std::chrono::seconds kStopTimeout{15};
// The cold part's allowance over (sleep + slowest cold start), and the warm round's over sleep.
constexpr double kSlack = 1.10;
constexpr int kWarmUpInvokes = 500;
constexpr std::string_view kEchoPayload = R"({"k":"abcdefgh"})";  // 16 bytes, as foundation.md

int64_t NowNs() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}
double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// ---------------------------------------------------------------------------------------------
// /proc

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// user + system CPU time of a process (all its threads), in clock ticks; 0 when unreadable.
uint64_t CpuTicks(pid_t pid) {
  const std::string text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  uint64_t ticks = 0;
  for (int i = 3; fields >> field && i <= 15; ++i) {  // field 3 is the state; 14 utime, 15 stime
    if (i >= 14) ticks += std::strtoull(field.c_str(), nullptr, 10);
  }
  return ticks;
}

// The children of every thread of `pid` (serve spawns its functions from several threads).
std::vector<pid_t> Children(pid_t pid) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    std::ifstream in(task.path() / "children");
    long child = 0;
    while (in >> child) children.push_back(static_cast<pid_t>(child));
  }
  return children;
}

// A "Name:   value" field of /proc/PID/status (the number before any unit); 0 if absent.
uint64_t StatusField(pid_t pid, std::string_view name) {
  std::istringstream lines(ReadFile("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ':') {
      return std::strtoull(line.c_str() + name.size() + 1, nullptr, 10);
    }
  }
  return 0;
}

size_t OpenFds(pid_t pid) {
  std::error_code error;
  size_t count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  return count;
}

// CPU time the whole machine spent busy so far (/proc/stat: user, nice, system, irq, softirq),
// and what this process and its reaped descendants spent, both in seconds: their difference
// over a part is what other jobs took from it.
double MachineBusySeconds() {
  std::istringstream in(ReadFile("/proc/stat"));
  std::string cpu;
  uint64_t v[8] = {};
  in >> cpu >> v[0] >> v[1] >> v[2] >> v[3] >> v[4] >> v[5] >> v[6];
  return static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6]) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}
double OwnSeconds() {
  auto seconds = [](const rusage& u) {
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  rusage self{}, children{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  return seconds(self) + seconds(children);
}
std::string LoadAverage() {
  std::istringstream in(ReadFile("/proc/loadavg"));
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// ---------------------------------------------------------------------------------------------
// `zerostart serve` as a child process.

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

struct ServeSpec {
  std::string zerostart;
  std::vector<std::string> options;  // after "serve --port 0"
  std::string function;
  bool read_reports = true;  // false: its stdout goes to /dev/null (no reader woken per invoke)
};

class ServeProcess {
 public:
  // Starts serve and waits for its ready line. Unavailable when it exits first or stays silent.
  static Result<std::unique_ptr<ServeProcess>> Start(const ServeSpec& spec) {
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if ((spec.read_reports && ::pipe2(out, O_CLOEXEC) != 0) || ::pipe2(err, O_CLOEXEC) != 0) {
      return InternalError(std::string("pipe2: ") + std::strerror(errno));
    }
    UniqueFd out_read(out[0]), out_write(out[1]), err_read(err[0]), err_write(err[1]);
    SpawnSpec child;
    child.argv = {spec.zerostart, "serve", "--port", "0"};
    child.argv.insert(child.argv.end(), spec.options.begin(), spec.options.end());
    child.argv.push_back("--");
    child.argv.push_back(spec.function);
    for (char** entry = environ; *entry != nullptr; ++entry) child.env.emplace_back(*entry);
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

  ~ServeProcess() { (void)Stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // SIGTERM, then waits for serve to exit (it stops its functions itself). An error when it
  // does not exit within kStopTimeout (it is then SIGKILLed) or exits other than with 0.
  Status Stop() {
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

  pid_t pid() const { return pid_; }
  uint16_t port() {
    std::lock_guard<std::mutex> lock(mutex_);
    return port_;
  }
  size_t ReportCount() {
    std::lock_guard<std::mutex> lock(mutex_);
    return reports_.size();
  }
  // Waits until at least `count` REPORT lines have arrived; false when kReportTimeout passes.
  bool WaitForReports(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kReportTimeout, [&] { return reports_.size() >= count || stderr_closed_; }) &&
           reports_.size() >= count;
  }
  // Waits until at least `count` START lines have arrived (an invoke reached its function); false
  // when kReportTimeout passes.
  bool WaitForStarts(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kReportTimeout, [&] { return starts_ >= count || stderr_closed_; }) &&
           starts_ >= count;
  }
  // Every REPORT line so far, in the order serve printed them.
  std::vector<ReportValues> Reports() {
    std::lock_guard<std::mutex> lock(mutex_);
    return reports_;
  }

 private:
  explicit ServeProcess(pid_t pid) : pid_(pid) {}

  static void ReadLines(int fd, const std::function<void(std::string_view)>& on_line) {
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

  void OnStdoutLine(std::string_view line) {
    constexpr std::string_view kStart = "START RequestId: ";
    std::optional<ReportValues> report = study::ParseReportLine(line);
    if (!report && line.substr(0, kStart.size()) != kStart) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (report) reports_.push_back(std::move(*report));
    else ++starts_;
    changed_.notify_all();
  }

  // "zerostart: serving FUNCTION on http://127.0.0.1:PORT (...)": this build's and older ones'.
  void OnStderrLine(std::string_view line) {
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

  const pid_t pid_;
  bool stopped_ = false;
  std::thread out_reader_;
  std::thread err_reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  uint16_t port_ = 0;
  bool stderr_closed_ = false;
  std::string stderr_text_;
  std::vector<ReportValues> reports_;
  size_t starts_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Callers: raw keep-alive connections and src/http's Parser, one request in flight on each.

struct Client {
  explicit Client(UniqueFd socket) : fd(std::move(socket)), parser(http::Parser::Kind::kResponse) {}
  UniqueFd fd;
  http::Parser parser;
};

struct Answer {
  int status = 0;  // 0: none
  std::string request_id;
  std::string error_type;  // X-Amzn-ErrorType
  std::string body;
  std::string failure;     // why there is no answer
  int64_t sent_ns = 0;
  int64_t answered_ns = 0;
  double latency_ms() const { return Ms(answered_ns - sent_ns); }
};

std::string InvokeRequest(std::string_view payload) {
  return "POST " + std::string(lambda::kInvokePath) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(payload.size()) + "\r\n\r\n" + std::string(payload);
}
// A path no route serves: the connection's thread answers 404 itself.
constexpr std::string_view kProbeRequest = "GET /zs-concurrency-bench HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

Answer FromResponse(http::Response response) {
  Answer answer;
  answer.status = response.status;
  answer.request_id = std::string(response.headers.Get(lambda::kRequestIdResponseHeader).value_or(""));
  answer.error_type = std::string(response.headers.Get(lambda::kAmznErrorTypeHeader).value_or(""));
  answer.body = std::move(response.body);
  return answer;
}

// Feeds `bytes` to the client's parser. True once a whole response is parsed (*answer is then
// filled, but for its times); bytes beyond it are a failure (one request is in flight).
Result<bool> Feed(Client& client, std::string_view bytes, Answer* answer) {
  while (!bytes.empty()) {
    ZS_ASSIGN_OR_RETURN(size_t used, client.parser.Feed(bytes));
    bytes.remove_prefix(used);
    if (client.parser.done()) {
      if (!bytes.empty()) return InternalError("bytes after the answer");
      *answer = FromResponse(client.parser.TakeResponse());
      return true;
    }
  }
  return false;
}

// Writes requests[i] on clients[i], all in one loop, calls `sent` (if set), then reads every
// answer as it comes (epoll). An invoke without an answer within kAnswerTimeout (counted from
// after `sent`), or whose connection ended, gets status 0 and a failure.
std::vector<Answer> SendAll(std::vector<Client>& clients, const std::vector<std::string>& requests,
                            const std::function<void()>& sent = {}) {
  std::vector<Answer> answers(clients.size());
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  for (size_t i = 0; i < clients.size(); ++i) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, clients[i].fd.get(), &event);
  }
  size_t open = 0;
  for (size_t i = 0; i < clients.size(); ++i) {
    answers[i].sent_ns = NowNs();
    Status written = net::WriteAll(clients[i].fd.get(), requests[i]);
    if (written.ok()) {
      ++open;
    } else {
      answers[i].failure = "write: " + written.ToString();
      ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, clients[i].fd.get(), nullptr);
    }
  }
  if (sent) sent();
  const int64_t deadline = NowNs() + std::chrono::nanoseconds(kAnswerTimeout).count();
  std::vector<epoll_event> events(256);
  std::vector<char> buffer(64 * 1024);
  while (open > 0) {
    const int64_t left_ms = (deadline - NowNs()) / 1'000'000;
    const int ready = left_ms <= 0 ? 0 : ::epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()),
                                                      static_cast<int>(left_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    for (int e = 0; e < ready; ++e) {
      const size_t i = static_cast<size_t>(events[static_cast<size_t>(e)].data.u64);
      const int64_t sent_at = answers[i].sent_ns;  // Feed replaces the whole answer
      Result<size_t> got = net::ReadSome(clients[i].fd.get(), buffer.data(), buffer.size());
      Result<bool> done = !got.ok()    ? Result<bool>(got.status())
                          : *got == 0 ? Result<bool>(UnavailableError("connection closed before the answer"))
                                      : Feed(clients[i], std::string_view(buffer.data(), *got), &answers[i]);
      if (done.ok() && !*done) continue;
      if (done.ok()) {
        answers[i].sent_ns = sent_at;
        answers[i].answered_ns = NowNs();
      } else {
        answers[i].failure = done.status().ToString();
      }
      ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, clients[i].fd.get(), nullptr);
      --open;
    }
  }
  for (Answer& answer : answers) {
    if (answer.status == 0 && answer.failure.empty()) answer.failure = "no answer within 60 s";
  }
  return answers;
}

// One request, one answer, on one connection (blocking).
Result<Answer> InvokeOnce(Client& client, std::string_view request) {
  Answer answer;
  char buffer[16 * 1024];
  const int64_t sent = NowNs();
  ZS_RETURN_IF_ERROR(net::WriteAll(client.fd.get(), request));
  for (;;) {
    ZS_ASSIGN_OR_RETURN(size_t got, net::ReadSome(client.fd.get(), buffer, sizeof(buffer)));
    if (got == 0) return UnavailableError("connection closed before the answer");
    ZS_ASSIGN_OR_RETURN(bool done, Feed(client, std::string_view(buffer, got), &answer));
    if (done) break;
  }
  answer.sent_ns = sent;
  answer.answered_ns = NowNs();
  return answer;
}

// Opens `count` connections and waits until serve answers a probe on each (each connection then
// has its thread in serve).
Result<std::vector<Client>> OpenClients(uint16_t port, size_t count) {
  std::vector<Client> clients;
  clients.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    ZS_ASSIGN_OR_RETURN(UniqueFd fd, net::Connect({"127.0.0.1", port}));
    clients.emplace_back(std::move(fd));
  }
  std::vector<Answer> probes = SendAll(clients, std::vector<std::string>(count, std::string(kProbeRequest)));
  for (const Answer& probe : probes) {
    if (probe.status != 404) return UnavailableError("probe: HTTP " + std::to_string(probe.status) + " " + probe.failure);
  }
  return clients;
}

// ---------------------------------------------------------------------------------------------
// Shared arithmetic.

double PercentileOf(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return study::Percentile(values, p);
}

struct Wall {
  int64_t first_sent = 0;
  int64_t last_answered = 0;
  double ms() const { return Ms(last_answered - first_sent); }
};
Wall WallOf(const std::vector<Answer>& answers) {
  Wall wall{INT64_MAX, 0};
  for (const Answer& a : answers) {
    wall.first_sent = std::min(wall.first_sent, a.sent_ns);
    if (a.status != 0) wall.last_answered = std::max(wall.last_answered, a.answered_ns);
  }
  return wall;
}

// The REPORT lines whose request ids are among `answers`' (the round's).
std::vector<ReportValues> ReportsOf(const std::vector<ReportValues>& reports, const std::vector<Answer>& answers) {
  std::set<std::string> ids;
  for (const Answer& a : answers) ids.insert(a.request_id);
  std::vector<ReportValues> round;
  for (const ReportValues& r : reports) {
    if (ids.count(r.request_id) > 0) round.push_back(r);
  }
  return round;
}

std::string Fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

struct Options {
  std::string bin;
  std::string before_bin;
  std::string json_path;
  std::set<std::string> parts = {"cold", "burst", "warm", "thaw", "memory"};
  std::vector<int> cold_sizes = {2, 4, 16, 64};
  int sleep_ms = 500;
  int burst = 1000;
  int burst_concurrency = 100;
  int warm_count = 2000;
  int warm_rounds = 10;
  int memory_environments = 100;
  int thaw_cycles = 2000;
  json notes = json::object();
};

// ---------------------------------------------------------------------------------------------
// cold: N at once on a fresh pool, then again on the warm one.

json ColdRound(ServeProcess& serve, std::vector<Client>& clients, const std::string& request, int sleep_ms,
               bool cold, bool* passed) {
  const size_t before = serve.ReportCount();
  std::vector<Answer> answers = SendAll(clients, std::vector<std::string>(clients.size(), request));
  size_t ok = 0;
  std::vector<double> latencies;
  for (const Answer& a : answers) {
    if (a.status == 200 && a.body == request.substr(request.find("\r\n\r\n") + 4)) ++ok;
    if (a.status != 0) latencies.push_back(a.latency_ms());
  }
  const bool reports_in = serve.WaitForReports(before + ok);
  std::vector<ReportValues> reports = ReportsOf(serve.Reports(), answers);
  double slowest_init = 0;
  size_t cold_starts = 0;
  for (const ReportValues& r : reports) {
    if (r.init_duration_ms) {
      ++cold_starts;
      slowest_init = std::max(slowest_init, *r.init_duration_ms);
    }
  }
  const Wall wall = WallOf(answers);
  const double bound = (sleep_ms + slowest_init) * kSlack;
  const bool complete = ok == clients.size() && reports_in && reports.size() == ok &&
                        cold_starts == (cold ? clients.size() : 0);
  const bool within = complete && wall.ms() <= bound;
  *passed = *passed && within;
  return {{"round", cold ? "cold" : "warm"},
          {"invokes", clients.size()},
          {"answered_200", ok},
          {"reports", reports.size()},
          {"cold_starts", cold_starts},
          {"slowest_init_ms", slowest_init},
          {"wall_ms", wall.ms()},
          {"bound_ms", bound},
          {"latency_min_ms", PercentileOf(latencies, 0)},
          {"latency_max_ms", PercentileOf(latencies, 100)},
          {"complete", complete},
          {"within_bound", within}};
}

Result<json> RunCold(const Options& options, bool* passed) {
  json sizes = json::array();
  const std::string request =
      InvokeRequest(R"({"action":"sleep_ms","ms":)" + std::to_string(options.sleep_ms) + "}");
  for (int n : options.cold_sizes) {
    std::fprintf(stderr, "zs_concurrency_bench: cold: %d at once, --concurrency %d --no-limits\n", n, n);
    ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                        ServeProcess::Start({options.bin + "/zerostart",
                                             {"--concurrency", std::to_string(n), "--no-limits", "--timeout", "30"},
                                             options.bin + "/faulty"}));
    ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), static_cast<size_t>(n)));
    json cold = ColdRound(*serve, clients, request, options.sleep_ms, true, passed);
    json warm = ColdRound(*serve, clients, request, options.sleep_ms, false, passed);
    clients.clear();
    ZS_RETURN_IF_ERROR(serve->Stop());
    sizes.push_back({{"n", n}, {"cold", cold}, {"warm", warm}});
  }
  return sizes;
}

void PrintCold(const Options& options, const json& sizes) {
  std::printf("### %d ms invokes sent at once, `--concurrency N --no-limits` (faulty `sleep_ms`)\n\n",
              options.sleep_ms);
  std::printf("| N | pool | 200s | cold starts | slowest cold start | wall: first sent → last answer |"
              " bound | within |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const json& size : sizes) {
    for (const char* round : {"cold", "warm"}) {
      const json& r = size[round];
      std::printf("| %d | %s | %zu | %zu | %s | **%s ms** | %s ms | %s |\n", size["n"].get<int>(), round,
                  r["answered_200"].get<size_t>(), r["cold_starts"].get<size_t>(),
                  r["cold_starts"].get<size_t>() > 0 ? (Fixed(r["slowest_init_ms"].get<double>(), 1) + " ms").c_str()
                                                    : "–",
                  Fixed(r["wall_ms"].get<double>(), 1).c_str(), Fixed(r["bound_ms"].get<double>(), 1).c_str(),
                  r["within_bound"].get<bool>() ? "yes" : "**no**");
    }
  }
  std::printf("\n");
}

// ---------------------------------------------------------------------------------------------
// burst: B at once with C environments at most.

struct BurstRound {
  std::vector<Answer> answers;
  std::vector<std::string> payloads;
};

// Checks a round against every REPORT line serve printed (read after it stopped, so a late or
// duplicated line is seen too).
json CheckBurst(const BurstRound& round, const std::vector<ReportValues>& all_reports,
                const std::map<std::string, int>& ids_answered_200, bool* passed) {
  std::map<std::string, int> report_count;
  for (const ReportValues& r : all_reports) ++report_count[r.request_id];
  size_t ok = 0, throttled = 0, other = 0, unanswered = 0, wrong_bodies = 0, missing_id = 0;
  size_t one_report = 0, no_report = 0, several_reports = 0, duplicate_ids = 0, cold_starts = 0;
  std::map<std::string, int> ids;
  std::vector<double> all_ms, ok_ms, throttled_ms;
  std::string first_failure;
  for (size_t i = 0; i < round.answers.size(); ++i) {
    const Answer& a = round.answers[i];
    if (a.status == 0) {
      ++unanswered;
      if (first_failure.empty()) first_failure = a.failure;
      continue;
    }
    all_ms.push_back(a.latency_ms());
    if (a.request_id.empty()) ++missing_id;
    else if (++ids[a.request_id] == 2) ++duplicate_ids;
    if (a.status == 200) {
      ++ok;
      ok_ms.push_back(a.latency_ms());
      if (a.body != round.payloads[i]) ++wrong_bodies;
      auto found = report_count.find(a.request_id);
      const int reports = found == report_count.end() ? 0 : found->second;
      (reports == 1 ? one_report : reports == 0 ? no_report : several_reports)++;
    } else if (a.status == 429 && a.error_type == lambda::kTooManyRequestsException) {
      ++throttled;
      throttled_ms.push_back(a.latency_ms());
    } else {
      ++other;
      if (first_failure.empty()) first_failure = "HTTP " + std::to_string(a.status) + " " + a.error_type + " " + a.body;
    }
  }
  std::vector<double> init_ms;
  for (const ReportValues& r : all_reports) {
    if (r.init_duration_ms && ids.count(r.request_id) > 0) init_ms.push_back(*r.init_duration_ms);
  }
  cold_starts = init_ms.size();
  // A REPORT whose id no caller got a 200 for (in any round): an invoke answered otherwise.
  size_t orphan_reports = 0;
  for (const auto& [id, count] : report_count) {
    if (ids_answered_200.count(id) == 0) orphan_reports += static_cast<size_t>(count);
  }
  const Wall wall = WallOf(round.answers);
  const bool ok_round = unanswered == 0 && other == 0 && missing_id == 0 && duplicate_ids == 0 && no_report == 0 &&
                        several_reports == 0 && wrong_bodies == 0 && orphan_reports == 0 &&
                        ok + throttled == round.answers.size();
  *passed = *passed && ok_round;
  return {{"sent", round.answers.size()},
          {"answered_200", ok},
          {"answered_429", throttled},
          {"answered_other", other},
          {"unanswered", unanswered},
          {"first_failure", first_failure},
          {"answers_without_request_id", missing_id},
          {"duplicate_request_ids", duplicate_ids},
          {"ok_with_one_report", one_report},
          {"ok_without_report", no_report},
          {"ok_with_several_reports", several_reports},
          {"reports_without_a_200", orphan_reports},
          {"wrong_bodies", wrong_bodies},
          {"cold_starts", cold_starts},
          {"init_duration_ms", {{"p50", PercentileOf(init_ms, 50)}, {"max", PercentileOf(init_ms, 100)}}},
          {"wall_ms", wall.ms()},
          {"answers_per_s", static_cast<double>(ok + throttled + other) / (wall.ms() / 1e3)},
          {"latency_ms", {{"p50", PercentileOf(all_ms, 50)}, {"p99", PercentileOf(all_ms, 99)},
                          {"max", PercentileOf(all_ms, 100)}}},
          {"latency_200_ms", {{"p50", PercentileOf(ok_ms, 50)}, {"p99", PercentileOf(ok_ms, 99)}}},
          {"latency_429_ms", {{"p50", PercentileOf(throttled_ms, 50)}, {"p99", PercentileOf(throttled_ms, 99)}}},
          {"passed", ok_round}};
}

Result<json> RunBurst(const Options& options, bool no_limits, bool* passed) {
  const size_t count = static_cast<size_t>(options.burst);
  std::fprintf(stderr, "zs_concurrency_bench: burst: %zu at once, --concurrency %d%s\n", count,
               options.burst_concurrency, no_limits ? " --no-limits" : "");
  std::vector<std::string> serve_options = {"--concurrency", std::to_string(options.burst_concurrency)};
  if (no_limits) serve_options.push_back("--no-limits");
  ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                      ServeProcess::Start({options.bin + "/zerostart", serve_options, options.bin + "/echo"}));
  ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), count));
  std::vector<BurstRound> rounds(2);
  std::map<std::string, int> ids_answered_200;
  size_t reports_expected = 0;
  for (size_t r = 0; r < rounds.size(); ++r) {
    // Each invoke its own payload, so that a body given to the wrong caller is seen.
    std::vector<std::string> requests;
    for (size_t i = 0; i < count; ++i) {
      rounds[r].payloads.push_back(R"({"round":)" + std::to_string(r) + R"(,"i":)" + std::to_string(i) + "}");
      requests.push_back(InvokeRequest(rounds[r].payloads.back()));
    }
    rounds[r].answers = SendAll(clients, requests);
    for (const Answer& a : rounds[r].answers) {
      if (a.status == 200) {
        ++ids_answered_200[a.request_id];
        ++reports_expected;
      }
    }
    // The next round starts on an idle pool: every environment has printed its REPORT.
    serve->WaitForReports(reports_expected);
  }
  const pid_t pid = serve->pid();
  const size_t functions = Children(pid).size();
  clients.clear();
  Status stopped = serve->Stop();
  std::vector<ReportValues> reports = serve->Reports();
  json out = {{"concurrency", options.burst_concurrency},
              {"limits", !no_limits},
              {"function_processes_after", functions},
              {"reports_total", reports.size()},
              {"serve_stopped", stopped.ok() ? "ok" : stopped.ToString()},
              {"rounds", json::array()}};
  size_t repeated = 0;  // a 200's request id given to more than one invoke, in any round
  for (const auto& [id, count] : ids_answered_200) repeated += count > 1 ? 1u : 0u;
  out["ok_request_ids_repeated"] = repeated;
  if (!stopped.ok() || repeated > 0) *passed = false;
  for (size_t r = 0; r < rounds.size(); ++r) {
    json checked = CheckBurst(rounds[r], reports, ids_answered_200, passed);
    checked["pool"] = r == 0 ? "cold" : "warm";
    out["rounds"].push_back(checked);
  }
  return out;
}

void PrintBurst(const json& bursts) {
  std::printf("### %zu invokes of echo sent at once over %zu open connections, `--concurrency %d`\n\n",
              bursts[0]["rounds"][0]["sent"].get<size_t>(), bursts[0]["rounds"][0]["sent"].get<size_t>(),
              bursts[0]["concurrency"].get<int>());
  std::printf("| cgroups | pool | 200 | 429 | other / unanswered | duplicate ids | 200s with exactly one REPORT |"
              " REPORTs without a 200 | wrong bodies | cold starts | Init Duration p50 / max | p50 | p99 | p50 / p99 of the 200s |"
              " p50 / p99 of the 429s | wall | answers/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const json& burst : bursts) {
  for (const json& r : burst["rounds"]) {
    const std::string init = r["cold_starts"].get<size_t>() == 0
                                 ? std::string("–")
                                 : Fixed(r["init_duration_ms"]["p50"].get<double>(), 1) + " / " +
                                       Fixed(r["init_duration_ms"]["max"].get<double>(), 1) + " ms";
    std::printf("| %s | %s | %zu | %zu | %zu / %zu | %zu | %zu | %zu | %zu | %zu | %s | %s ms | %s ms | %s / %s ms |"
                " %s / %s ms | %s ms | **%s** |\n",
                burst["limits"].get<bool>() ? "yes (default)" : "`--no-limits`", r["pool"].get<std::string>().c_str(), r["answered_200"].get<size_t>(),
                r["answered_429"].get<size_t>(), r["answered_other"].get<size_t>(), r["unanswered"].get<size_t>(),
                r["duplicate_request_ids"].get<size_t>(), r["ok_with_one_report"].get<size_t>(),
                r["reports_without_a_200"].get<size_t>(), r["wrong_bodies"].get<size_t>(),
                r["cold_starts"].get<size_t>(), init.c_str(), Fixed(r["latency_ms"]["p50"].get<double>(), 2).c_str(),
                Fixed(r["latency_ms"]["p99"].get<double>(), 2).c_str(),
                Fixed(r["latency_200_ms"]["p50"].get<double>(), 2).c_str(),
                Fixed(r["latency_200_ms"]["p99"].get<double>(), 2).c_str(),
                Fixed(r["latency_429_ms"]["p50"].get<double>(), 2).c_str(),
                Fixed(r["latency_429_ms"]["p99"].get<double>(), 2).c_str(), Fixed(r["wall_ms"].get<double>(), 1).c_str(),
                Fixed(r["answers_per_s"].get<double>(), 0).c_str());
  }
  }
  std::printf("\n");
  for (const json& burst : bursts) {
    std::printf("%s: REPORT lines in all %zu; function processes alive after the bursts %zu; serve stopped: %s.\n",
                burst["limits"].get<bool>() ? "With cgroups" : "With `--no-limits`", burst["reports_total"].get<size_t>(),
                burst["function_processes_after"].get<size_t>(), burst["serve_stopped"].get<std::string>().c_str());
  }
  std::printf("\n");
}

// ---------------------------------------------------------------------------------------------
// warm: one client, sequential invokes, configurations alternating round by round.

struct WarmConfig {
  WarmConfig(std::string label, std::string bin, std::vector<std::string> options)
      : label(std::move(label)), bin(std::move(bin)), options(std::move(options)) {}
  std::string label;
  std::string bin;
  std::vector<std::string> options;
  std::vector<double> latencies_us;  // every round's, pooled
  json rounds = json::array();
};

Status WarmRound(WarmConfig& config, int count) {
  ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                      ServeProcess::Start({config.bin + "/zerostart", config.options, config.bin + "/echo",
                                           /*read_reports=*/false}));
  ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), 1));
  const std::string request = InvokeRequest(kEchoPayload);
  auto invoke = [&]() -> Result<Answer> {
    ZS_ASSIGN_OR_RETURN(Answer answer, InvokeOnce(clients[0], request));
    if (answer.status != 200 || answer.body != kEchoPayload) {
      return InternalError(config.label + ": HTTP " + std::to_string(answer.status) + " " + answer.body);
    }
    return answer;
  };
  for (int i = 0; i < kWarmUpInvokes; ++i) ZS_RETURN_IF_ERROR(invoke().status());
  const std::vector<pid_t> functions = Children(serve->pid());
  auto function_ticks = [&] {
    uint64_t ticks = 0;
    for (pid_t pid : functions) ticks += CpuTicks(pid);
    return ticks;
  };
  // How often the function was put to sleep: about twice per invoke (waiting for the event in
  // /next, and for the answer to its /response), about twice more per freeze it went through
  // (stopped, then back to waiting), cgroup freezer or SIGSTOP.
  auto function_switches = [&] {
    uint64_t switches = 0;
    for (pid_t pid : functions) {
      switches += StatusField(pid, "voluntary_ctxt_switches") + StatusField(pid, "nonvoluntary_ctxt_switches");
    }
    return switches;
  };
  const uint64_t serve0 = CpuTicks(serve->pid()), function0 = function_ticks(), switches0 = function_switches();
  std::vector<double> us;
  us.reserve(static_cast<size_t>(count));
  const int64_t begin = NowNs();
  for (int i = 0; i < count; ++i) {
    ZS_ASSIGN_OR_RETURN(Answer answer, invoke());
    us.push_back(static_cast<double>(answer.answered_ns - answer.sent_ns) / 1e3);
  }
  const double seconds = static_cast<double>(NowNs() - begin) / 1e9;
  const double us_per_tick = 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double serve_us = static_cast<double>(CpuTicks(serve->pid()) - serve0) * us_per_tick / count;
  const double function_us = static_cast<double>(function_ticks() - function0) * us_per_tick / count;
  const double switches = static_cast<double>(function_switches() - switches0) / count;
  clients.clear();
  ZS_RETURN_IF_ERROR(serve->Stop());
  config.latencies_us.insert(config.latencies_us.end(), us.begin(), us.end());
  config.rounds.push_back({{"p50_us", PercentileOf(us, 50)},
                           {"p90_us", PercentileOf(us, 90)},
                           {"p99_us", PercentileOf(us, 99)},
                           {"max_us", PercentileOf(us, 100)},
                           {"invokes_per_s", count / seconds},
                           {"serve_cpu_us_per_invoke", serve_us},
                           {"function_cpu_us_per_invoke", function_us},
                           {"function_context_switches_per_invoke", switches},
                           {"function_processes", functions.size()}});
  return OkStatus();
}

Result<json> RunWarm(const Options& options) {
  std::vector<WarmConfig> configs;
  const bool before = !options.before_bin.empty();
  if (before) configs.push_back(WarmConfig("before the pool", options.before_bin, {}));
  configs.push_back(WarmConfig("pool, frozen while idle (default)", options.bin, {}));
  configs.push_back(WarmConfig("pool, --no-freeze", options.bin, {"--no-freeze"}));
  if (before) configs.push_back(WarmConfig("before the pool, --no-limits", options.before_bin, {"--no-limits"}));
  configs.push_back(WarmConfig("pool, --no-limits (frozen by SIGSTOP)", options.bin, {"--no-limits"}));
  configs.push_back(WarmConfig("pool, --no-limits --no-freeze", options.bin, {"--no-limits", "--no-freeze"}));
  for (int round = 0; round < options.warm_rounds; ++round) {
    std::fprintf(stderr, "zs_concurrency_bench: warm: round %d of %d (%zu configurations x %d invokes)\n", round + 1,
                 options.warm_rounds, configs.size(), options.warm_count);
    for (WarmConfig& config : configs) ZS_RETURN_IF_ERROR(WarmRound(config, options.warm_count));
  }
  json out = {{"invokes_per_round", options.warm_count}, {"rounds", options.warm_rounds},
              {"payload", kEchoPayload}, {"configurations", json::array()}};
  for (const WarmConfig& config : configs) {
    auto median_of = [&](const char* field) {
      std::vector<double> values;
      for (const json& r : config.rounds) values.push_back(r[field].get<double>());
      return PercentileOf(values, 50);
    };
    json item = {{"label", config.label},
                 {"bin", config.bin},
                 {"options", config.options},
                 {"pooled", {{"p50_us", PercentileOf(config.latencies_us, 50)},
                             {"p90_us", PercentileOf(config.latencies_us, 90)},
                             {"p99_us", PercentileOf(config.latencies_us, 99)},
                             {"max_us", PercentileOf(config.latencies_us, 100)}}},
                 {"median_round", {{"invokes_per_s", median_of("invokes_per_s")},
                                   {"serve_cpu_us_per_invoke", median_of("serve_cpu_us_per_invoke")},
                                   {"function_cpu_us_per_invoke", median_of("function_cpu_us_per_invoke")},
                                   {"function_context_switches_per_invoke",
                                    median_of("function_context_switches_per_invoke")}}},
                 {"rounds", config.rounds}};
    out["configurations"].push_back(item);
  }
  // Each configuration against the build before the pool under the same cgroup setting, round by
  // round: the rounds of a pair ran one after the other, so drift of the machine cancels.
  for (json& c : out["configurations"]) {
    const bool no_limits = std::find(c["options"].begin(), c["options"].end(), "--no-limits") != c["options"].end();
    const std::string base_label = no_limits ? "before the pool, --no-limits" : "before the pool";
    if (c["label"] == base_label) continue;
    for (const json& base : out["configurations"]) {
      if (base["label"] != base_label) continue;
      std::vector<double> ratios;
      for (size_t r = 0; r < c["rounds"].size(); ++r) {
        ratios.push_back(c["rounds"][r]["p50_us"].get<double>() / base["rounds"][r]["p50_us"].get<double>());
      }
      c["vs_before"] = {{"baseline", base_label},
                        {"p50_ratio_per_round", ratios},
                        {"p50_ratio_median", PercentileOf(ratios, 50)},
                        {"p99_ratio_pooled", c["pooled"]["p99_us"].get<double>() / base["pooled"]["p99_us"].get<double>()}};
    }
  }
  return out;
}

void PrintWarm(const json& warm) {
  std::printf("### Warm invokes of echo, one kept-open connection (%d rounds of %d, configurations alternating)\n\n",
              warm["rounds"].get<int>(), warm["invokes_per_round"].get<int>());
  std::printf("| configuration | p50 (median round) | p50 per round | p99 (all rounds) | p50 vs before: median of"
              " per-round ratios (range) | p99 vs before | invokes/s | CPU µs per invoke: serve / function |"
              " function context switches per invoke |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (const json& c : warm["configurations"]) {
    std::vector<double> p50s;
    std::string each;
    for (const json& r : c["rounds"]) {
      p50s.push_back(r["p50_us"].get<double>());
      each += (each.empty() ? "" : ", ") + Fixed(p50s.back(), 1);
    }
    std::string ratio = "–", p99_ratio = "–";
    if (c.contains("vs_before")) {
      const json& v = c["vs_before"];
      const std::vector<double> ratios = v["p50_ratio_per_round"].get<std::vector<double>>();
      ratio = "**" + Fixed(v["p50_ratio_median"].get<double>(), 2) + "×** (" + Fixed(PercentileOf(ratios, 0), 2) +
              "–" + Fixed(PercentileOf(ratios, 100), 2) + ")";
      p99_ratio = Fixed(v["p99_ratio_pooled"].get<double>(), 2) + "×";
    }
    std::printf("| %s | **%s µs** | %s | %s µs | %s | %s | %s | %s / %s | %s |\n", c["label"].get<std::string>().c_str(),
                Fixed(PercentileOf(p50s, 50), 1).c_str(), each.c_str(), Fixed(c["pooled"]["p99_us"].get<double>(), 1).c_str(),
                ratio.c_str(), p99_ratio.c_str(), Fixed(c["median_round"]["invokes_per_s"].get<double>(), 0).c_str(),
                Fixed(c["median_round"]["serve_cpu_us_per_invoke"].get<double>(), 0).c_str(),
                Fixed(c["median_round"]["function_cpu_us_per_invoke"].get<double>(), 0).c_str(),
                Fixed(c["median_round"]["function_context_switches_per_invoke"].get<double>(), 2).c_str());
  }
  std::printf("\n");
}

// thaw: what a freeze costs the invoke that follows it, without serve around it. A child that
// echoes one byte per read (this program with --pong, parked in read(2) as a function is in
// /next) is frozen by the emulator's own Freezer — cgroup v1/v2 freezer (through CgroupLimits,
// as serve makes an environment's groups) or SIGSTOP — and once it is frozen, the round trip
// "Thaw(), write a byte, read the answer" is timed against the same round trip of a child that
// was never frozen. Mechanisms alternate cycle by cycle.

int Pong() {
  char byte = 0;
  while (::read(0, &byte, 1) == 1) {
    if (::write(1, &byte, 1) != 1) return 1;
  }
  return 0;
}

struct PongChild {
  std::string mechanism;
  std::unique_ptr<emulator::CgroupLimits> limits;  // cgroup freezers only
  std::unique_ptr<emulator::Freezer> freezer;      // null: never frozen
  pid_t pid = -1;
  UniqueFd ping;  // our end of its stdin
  UniqueFd pong;  // our end of its stdout
  std::vector<double> round_trip_us;
  std::vector<double> thaw_us;
  std::vector<double> freeze_us;
  ~PongChild() {
    if (pid <= 0) return;
    if (freezer) (void)freezer->Thaw();  // a v1-frozen task cannot die until thawed
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    if (limits) limits->Remove();
  }
};

Status StartPong(const std::string& self, PongChild* child) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    return InternalError(std::string("pipe2: ") + std::strerror(errno));
  }
  UniqueFd in_read(in[0]), out_write(out[1]);
  child->ping.Reset(in[1]);
  child->pong.Reset(out[0]);
  SpawnSpec spec;
  spec.argv = {self, "--pong"};
  spec.stdin_fd = in_read.get();
  spec.stdout_fd = out_write.get();
  spec.stderr_fd = 2;
  if (child->limits) spec.join_cgroup_fds = child->limits->join_fds();
  ZS_ASSIGN_OR_RETURN(child->pid, SpawnProcessGroup(spec));
  // One round trip: the child runs and is parked in read(2).
  char byte = 'p';
  if (::write(child->ping.get(), &byte, 1) != 1 || ::read(child->pong.get(), &byte, 1) != 1) {
    return InternalError("the pong child did not answer");
  }
  if (child->mechanism == "SIGSTOP") child->freezer = emulator::MakeSignalFreezer(child->pid);
  if (child->limits) child->freezer = child->limits->MakeFreezer();
  return OkStatus();
}

Status PongCycle(PongChild& child) {
  if (child.freezer) {
    const int64_t before = NowNs();
    ZS_RETURN_IF_ERROR(child.freezer->Freeze());
    child.freeze_us.push_back(static_cast<double>(NowNs() - before) / 1e3);
    // Frozen as serve leaves an idle environment: until the kernel says every task is stopped
    // (a cgroup freezer finishes asynchronously).
    const int64_t deadline = NowNs() + 1'000'000'000;
    while (!child.freezer->IsFrozen()) {
      if (NowNs() > deadline) return DeadlineExceededError(child.mechanism + ": not frozen within 1 s");
    }
  }
  char byte = 'p';
  const int64_t start = NowNs();
  if (child.freezer) {
    ZS_RETURN_IF_ERROR(child.freezer->Thaw());
    child.thaw_us.push_back(static_cast<double>(NowNs() - start) / 1e3);
  }
  if (::write(child.ping.get(), &byte, 1) != 1 || ::read(child.pong.get(), &byte, 1) != 1) {
    return InternalError(child.mechanism + ": the pong child did not answer");
  }
  child.round_trip_us.push_back(static_cast<double>(NowNs() - start) / 1e3);
  return OkStatus();
}

Result<json> RunThaw(const Options& options, const std::string& self) {
  std::fprintf(stderr, "zs_concurrency_bench: thaw: %d cycles per mechanism\n", options.thaw_cycles);
  std::vector<std::unique_ptr<PongChild>> children;
  for (const char* mechanism : {"never frozen", "SIGSTOP", "cgroup freezer"}) {
    auto child = std::make_unique<PongChild>();
    child->mechanism = mechanism;
    if (child->mechanism == "cgroup freezer") {
      emulator::CgroupLimitsOptions cgroup;
      cgroup.memory_mb = lambda::kMaxMemoryMb;
      cgroup.visible_cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
      cgroup.group_name = emulator::NewEnvironmentGroupName();
      child->limits = emulator::CgroupLimits::Create(cgroup);
      child->limits->BeforeSpawn();
    }
    ZS_RETURN_IF_ERROR(StartPong(self, child.get()));
    if (child->mechanism == "cgroup freezer" && !child->freezer) continue;  // no cgroup freezer here
    children.push_back(std::move(child));
  }
  for (int i = 0; i < options.thaw_cycles; ++i) {
    for (auto& child : children) ZS_RETURN_IF_ERROR(PongCycle(*child));
  }
  json out = {{"cycles", options.thaw_cycles}, {"mechanisms", json::array()}};
  for (const auto& child : children) {
    out["mechanisms"].push_back({{"mechanism", child->freezer ? std::string(child->freezer->mechanism()) : child->mechanism},
                                 {"round_trip_us", {{"p50", PercentileOf(child->round_trip_us, 50)},
                                                    {"p99", PercentileOf(child->round_trip_us, 99)}}},
                                 {"thaw_call_us", {{"p50", PercentileOf(child->thaw_us, 50)},
                                                   {"p99", PercentileOf(child->thaw_us, 99)}}},
                                 {"freeze_call_us", {{"p50", PercentileOf(child->freeze_us, 50)},
                                                     {"p99", PercentileOf(child->freeze_us, 99)}}}});
  }
  return out;
}

void PrintThaw(const json& thaw) {
  std::printf("### A thaw on the invoke's path: pipe round trip to a parked child (%d cycles, alternating)\n\n",
              thaw["cycles"].get<int>());
  std::printf("| child | round trip p50 | p99 | of which Thaw() p50 / p99 | Freeze() p50 / p99 |"
              " p50 over the never-frozen child |\n");
  std::printf("|---|---|---|---|---|---|\n");
  const double base = thaw["mechanisms"][0]["round_trip_us"]["p50"].get<double>();
  for (const json& m : thaw["mechanisms"]) {
    const bool frozen = m["thaw_call_us"]["p50"].get<double>() > 0;
    auto pair = [&](const char* field) {
      return frozen ? Fixed(m[field]["p50"].get<double>(), 1) + " / " + Fixed(m[field]["p99"].get<double>(), 1) + " µs"
                    : std::string("–");
    };
    std::printf("| %s | **%s µs** | %s µs | %s | %s | %s |\n", m["mechanism"].get<std::string>().c_str(),
                Fixed(m["round_trip_us"]["p50"].get<double>(), 1).c_str(),
                Fixed(m["round_trip_us"]["p99"].get<double>(), 1).c_str(), pair("thaw_call_us").c_str(),
                pair("freeze_call_us").c_str(),
                frozen ? ("+" + Fixed(m["round_trip_us"]["p50"].get<double>() - base, 1) + " µs").c_str() : "–");
  }
  std::printf("\n");
}

// ---------------------------------------------------------------------------------------------
// memory: serve's own cost of an idle environment.

json ServeFootprint(pid_t serve) {
  uint64_t function_rss = 0;
  const std::vector<pid_t> functions = Children(serve);
  for (pid_t pid : functions) function_rss += StatusField(pid, "VmRSS");
  return {{"vm_rss_kib", StatusField(serve, "VmRSS")},
          {"threads", StatusField(serve, "Threads")},
          {"fds", OpenFds(serve)},
          {"function_processes", functions.size()},
          {"function_rss_kib", function_rss}};
}

Result<json> RunMemory(const Options& options, bool no_limits, bool* passed) {
  const size_t count = static_cast<size_t>(options.memory_environments);
  std::fprintf(stderr, "zs_concurrency_bench: memory: 1 then %zu idle environments%s\n", count,
               no_limits ? ", --no-limits" : "");
  std::vector<std::string> serve_options = {"--concurrency", std::to_string(count), "--idle-timeout", "0"};
  if (no_limits) serve_options.push_back("--no-limits");
  ZS_ASSIGN_OR_RETURN(std::unique_ptr<ServeProcess> serve,
                      ServeProcess::Start({options.bin + "/zerostart", serve_options, options.bin + "/faulty"}));
  ZS_ASSIGN_OR_RETURN(std::vector<Client> clients, OpenClients(serve->port(), count));
  json out = {{"limits", !no_limits}, {"connections_open", count}};
  out["no_environment"] = ServeFootprint(serve->pid());
  // One at a time: every invoke finds the one warm environment.
  const std::string echo = InvokeRequest(R"({"action":"echo"})");
  for (Client& client : clients) {
    ZS_ASSIGN_OR_RETURN(Answer answer, InvokeOnce(client, echo));
    if (answer.status != 200) return InternalError("memory: HTTP " + std::to_string(answer.status));
  }
  if (!serve->WaitForReports(count)) return InternalError("memory: REPORT lines missing");
  out["one_environment"] = ServeFootprint(serve->pid());
  // All at once, each held until every one has reached its function: each connection needs an
  // environment of its own. faulty's wait_file returns once the file exists.
  char dir_template[] = "/tmp/zs-concurrency-bench.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return InternalError(std::string("mkdtemp: ") + std::strerror(errno));
  const std::string release = std::string(dir_template) + "/release";
  bool all_started = false;
  std::vector<Answer> answers =
      SendAll(clients, std::vector<std::string>(count, InvokeRequest(R"({"action":"wait_file","path":")" + release + "\"}")),
              [&] {
                all_started = serve->WaitForStarts(2 * count);
                std::ofstream(release).put('\n');
              });
  std::filesystem::remove_all(dir_template);
  if (!all_started) return InternalError("memory: not every held invoke reached its function");
  for (const Answer& a : answers) {
    if (a.status != 200) return InternalError("memory: HTTP " + std::to_string(a.status) + " " + a.failure);
  }
  if (!serve->WaitForReports(2 * count)) return InternalError("memory: REPORT lines missing");
  size_t cold_starts = 0;
  for (const ReportValues& r : serve->Reports()) cold_starts += r.init_duration_ms ? 1u : 0u;
  out["cold_starts"] = cold_starts;
  out["many_environments"] = ServeFootprint(serve->pid());
  const json& one = out["one_environment"];
  const json& many = out["many_environments"];
  const double added = static_cast<double>(many["function_processes"].get<size_t>()) -
                       static_cast<double>(one["function_processes"].get<size_t>());
  auto per = [&](const char* field) {
    return (static_cast<double>(many[field].get<uint64_t>()) - static_cast<double>(one[field].get<uint64_t>())) /
           added;
  };
  out["environments_added"] = added;
  out["per_environment"] = {{"vm_rss_kib", per("vm_rss_kib")},
                            {"threads", per("threads")},
                            {"fds", per("fds")},
                            {"function_rss_kib", per("function_rss_kib")}};
  if (cold_starts != count || added != static_cast<double>(count - 1)) *passed = false;
  clients.clear();
  ZS_RETURN_IF_ERROR(serve->Stop());
  return out;
}

void PrintMemory(const json& memory) {
  std::printf("### serve's footprint per idle environment (`--idle-timeout 0`, faulty, connections kept open)\n\n");
  std::printf("| cgroups | state | function processes | serve VmRSS | serve threads | serve fds |"
              " functions' VmRSS (sum) |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const json& m : memory) {
    const char* limits = m["limits"].get<bool>() ? "yes (default)" : "`--no-limits`";
    const std::string many = std::to_string(m["connections_open"].get<size_t>()) + " environments, idle";
    const std::pair<const char*, std::string> states[] = {{"no_environment", "before any invoke"},
                                                          {"one_environment", "1 environment, idle"},
                                                          {"many_environments", many}};
    for (const auto& [state, label] : states) {
      const json& s = m[state];
      std::printf("| %s | %s | %zu | %s MiB | %zu | %zu | %s MiB |\n", limits, label.c_str(),
                  s["function_processes"].get<size_t>(), Fixed(s["vm_rss_kib"].get<double>() / 1024, 1).c_str(),
                  s["threads"].get<size_t>(), s["fds"].get<size_t>(),
                  Fixed(s["function_rss_kib"].get<double>() / 1024, 1).c_str());
    }
    const json& per = m["per_environment"];
    std::printf("| %s | **per environment** (%s added) | 1 | **%s KiB** | **%s** | **%s** | %s KiB |\n", limits,
                Fixed(m["environments_added"].get<double>(), 0).c_str(),
                Fixed(per["vm_rss_kib"].get<double>(), 0).c_str(), Fixed(per["threads"].get<double>(), 2).c_str(),
                Fixed(per["fds"].get<double>(), 2).c_str(), Fixed(per["function_rss_kib"].get<double>(), 0).c_str());
  }
  std::printf("\n");
}

// ---------------------------------------------------------------------------------------------

json Machine() {
  std::string model;
  std::istringstream cpuinfo(ReadFile("/proc/cpuinfo"));
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname name{};
  ::uname(&name);
  return {{"cpu_model", model}, {"cpus", ::sysconf(_SC_NPROCESSORS_ONLN)}, {"kernel", name.release}};
}

// Runs `part`, recording the load around it: the load average and the CPU time other
// processes used meanwhile (all busy time minus this process's and its reaped children's).
template <typename Part>
Result<json> Measured(const char* name, Part part) {
  const std::string load_before = LoadAverage();
  const double machine0 = MachineBusySeconds(), own0 = OwnSeconds();
  const int64_t begin = NowNs();
  ZS_ASSIGN_OR_RETURN(json result, part());
  const double wall = static_cast<double>(NowNs() - begin) / 1e9;
  const double own = OwnSeconds() - own0;
  const double other = std::max(0.0, MachineBusySeconds() - machine0 - own);
  std::fprintf(stderr, "zs_concurrency_bench: %s: %.1f s, other processes %.1f CPU s\n", name, wall, other);
  return json{{"result", result},
              {"load", {{"load_average_before", load_before},
                        {"load_average_after", LoadAverage()},
                        {"seconds", wall},
                        {"cpu_seconds_this_benchmark", own},
                        {"cpu_seconds_other_processes", other}}}};
}

void PrintLoad(const char* name, const json& part) {
  const json& load = part["load"];
  std::printf("Load (%s): load average %s before, %s after; over its %.0f s: this benchmark %.1f CPU s,"
              " other processes %.1f CPU s.\n\n",
              name, load["load_average_before"].get<std::string>().c_str(),
              load["load_average_after"].get<std::string>().c_str(), load["seconds"].get<double>(),
              load["cpu_seconds_this_benchmark"].get<double>(), load["cpu_seconds_other_processes"].get<double>());
}

int Run(const Options& options, const std::string& self) {
  // Serve's threads and ours each hold a descriptor per connection.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  ::signal(SIGPIPE, SIG_IGN);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::signal(signal_number, OnStopSignal);

  bool passed = true;
  json results = {{"machine", Machine()}, {"notes", options.notes}};
  auto fail = [](const char* part, const Status& status) {
    std::fprintf(stderr, "zs_concurrency_bench: %s: %s\n", part, status.ToString().c_str());
    return 1;
  };
  if (options.parts.count("cold") > 0) {
    Result<json> cold = Measured("cold", [&] { return RunCold(options, &passed); });
    if (!cold.ok()) return fail("cold", cold.status());
    results["cold"] = *cold;
    PrintCold(options, (*cold)["result"]);
    PrintLoad("cold", *cold);
  }
  if (options.parts.count("burst") > 0) {
    Result<json> burst = Measured("burst", [&]() -> Result<json> {
      json both = json::array();
      for (bool no_limits : {false, true}) {
        ZS_ASSIGN_OR_RETURN(json one, RunBurst(options, no_limits, &passed));
        both.push_back(one);
      }
      return both;
    });
    if (!burst.ok()) return fail("burst", burst.status());
    results["burst"] = *burst;
    PrintBurst((*burst)["result"]);
    PrintLoad("burst", *burst);
  }
  if (options.parts.count("warm") > 0) {
    Result<json> warm = Measured("warm", [&] { return RunWarm(options); });
    if (!warm.ok()) return fail("warm", warm.status());
    results["warm"] = *warm;
    PrintWarm((*warm)["result"]);
    PrintLoad("warm", *warm);
  }
  if (options.parts.count("thaw") > 0) {
    Result<json> thaw = Measured("thaw", [&] { return RunThaw(options, self); });
    if (!thaw.ok()) return fail("thaw", thaw.status());
    results["thaw"] = *thaw;
    PrintThaw((*thaw)["result"]);
    PrintLoad("thaw", *thaw);
  }
  if (options.parts.count("memory") > 0) {
    Result<json> memory = Measured("memory", [&]() -> Result<json> {
      json both = json::array();
      for (bool no_limits : {false, true}) {
        ZS_ASSIGN_OR_RETURN(json one, RunMemory(options, no_limits, &passed));
        both.push_back(one);
      }
      return both;
    });
    if (!memory.ok()) return fail("memory", memory.status());
    results["memory"] = *memory;
    PrintMemory((*memory)["result"]);
    PrintLoad("memory", *memory);
  }
  results["passed"] = passed;
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << results.dump(2) << "\n";
  }
  std::printf("All checks %s.\n", passed ? "passed" : "**did not pass** (see the tables)");
  return passed ? 0 : 1;
}

void Usage() {
  std::fputs(
      "usage: zs_concurrency_bench --bin DIR [--before-bin DIR] [--json FILE]\n"
      "           [--parts cold,burst,warm,thaw,memory] [--cold-sizes 2,4,16,64] [--sleep-ms 500]\n"
      "           [--burst 1000] [--burst-concurrency 100] [--warm-count 2000] [--warm-rounds 10]\n"
      "           [--thaw-cycles 2000] [--memory-environments 100] [--note KEY=VALUE]...\n",
      stderr);
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

int Main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--pong") return Pong();
  Options options;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      Usage();
      return 2;
    }
    const std::string value = argv[i + 1];
    const int number = std::atoi(value.c_str());
    if (arg == "--bin") options.bin = value;
    else if (arg == "--before-bin") options.before_bin = value;
    else if (arg == "--json") options.json_path = value;
    else if (arg == "--sleep-ms") options.sleep_ms = number;
    else if (arg == "--burst") options.burst = number;
    else if (arg == "--burst-concurrency") options.burst_concurrency = number;
    else if (arg == "--warm-count") options.warm_count = number;
    else if (arg == "--warm-rounds") options.warm_rounds = number;
    else if (arg == "--memory-environments") options.memory_environments = number;
    else if (arg == "--thaw-cycles") options.thaw_cycles = number;
    else if (arg == "--parts") {
      std::vector<std::string> parts = SplitComma(value);
      options.parts = std::set<std::string>(parts.begin(), parts.end());
    } else if (arg == "--cold-sizes") {
      options.cold_sizes.clear();
      for (const std::string& size : SplitComma(value)) options.cold_sizes.push_back(std::atoi(size.c_str()));
    } else if (arg == "--note" && value.find('=') != std::string::npos) {
      options.notes[value.substr(0, value.find('='))] = value.substr(value.find('=') + 1);
    } else {
      std::fprintf(stderr, "zs_concurrency_bench: unknown option '%s'\n", argv[i]);
      Usage();
      return 2;
    }
  }
  const bool sizes_ok = std::all_of(options.cold_sizes.begin(), options.cold_sizes.end(), [](int n) { return n >= 1; });
  if (options.bin.empty() || !sizes_ok || options.sleep_ms < 1 || options.burst < 1 || options.burst_concurrency < 1 ||
      options.warm_count < 1 || options.warm_rounds < 1 || options.memory_environments < 2 ||
      options.thaw_cycles < 1) {
    Usage();
    return 2;
  }
  return Run(options, "/proc/self/exe");
}

}  // namespace
}  // namespace zerostart::bench

int main(int argc, char** argv) { return zerostart::bench::Main(argc, argv); }
