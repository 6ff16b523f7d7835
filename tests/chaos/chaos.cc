#include "tests/chaos/chaos.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <utility>

#include "bench/concurrency/serve_process.h"
#include "bench/proc_stats.h"
#include "src/benchmark/invoke_client.h"
#include "tests/chaos/vandal.h"
#include "tests/integration/test_support.h"

namespace zerostart::chaos {
namespace {

using benchmark::Answer;
using Client = benchmark::RawConnection;
using Clock = std::chrono::steady_clock;

// A whole invoke's answer may take this long (a hang is answered at the timeout; a machine
// loaded by a parallel test run is slow); none by then counts as lost.
constexpr int kAnswerTimeoutMs = 30'000;
// Idle environments are reclaimed this soon, so that afterwards serve is back to none.
constexpr int kIdleTimeoutSeconds = 2;
// How long serve may take to be back where it started (its environments reclaimed).
constexpr std::chrono::seconds kSettleTimeout{30};
constexpr int kHealthInvokesPerClient = 10;
constexpr size_t kMaxProblems = 12;
// The init-exit token's name in the scratch directory.
constexpr std::string_view kTokenName = "init-exit-token";
constexpr std::string_view kTokenEnv = "FAULTY_INIT_EXIT_TOKEN";

size_t Uniform(std::mt19937_64& random, size_t low, size_t high) {
  return std::uniform_int_distribution<size_t>(low, high)(random);
}

// The invoke faults, weighted: mostly well-behaved invokes between the faults.
Fault PickInvokeFault(std::mt19937_64& random, bool limits_enforced) {
  const size_t roll = Uniform(random, 0, 99);
  if (roll < 7) return Fault::kCrash;
  if (roll < 14) return Fault::kExit;
  if (roll < 17) return Fault::kHang;
  if (roll < 23 && limits_enforced) return Fault::kOutOfMemory;
  return Fault::kEcho;
}

Fault PickClientFault(std::mt19937_64& random) {
  static constexpr Fault kFaults[] = {Fault::kDisconnectMidRequest, Fault::kDisconnectMidResponse,
                                      Fault::kMalformed, Fault::kTruncated, Fault::kStall};
  return kFaults[Uniform(random, 0, std::size(kFaults) - 1)];
}

// "<kind><who>-<n>": what makes each event distinct. (Appended piece by piece: GCC 12 warns
// falsely, -Wrestrict, on a chain of operator+ over to_string results.)
std::string Tag(std::string_view kind, int who, uint64_t n) {
  std::string tag(kind);
  tag += std::to_string(who);
  tag += '-';
  tag += std::to_string(n);
  return tag;
}

size_t PickPad(std::mt19937_64& random) {
  static constexpr size_t kPads[] = {0, 16, 1024, 16, 64 * 1024, 16};
  return kPads[Uniform(random, 0, std::size(kPads) - 1)];
}

// Everything the threads of the run tell: the result's counters and its problems, under one lock.
class Tally {
 public:
  // `kills`: whether the run kills function processes (else no answer may say killed).
  Tally(ChaosResult* result, bool kills) : result_(result), kills_(kills) {}

  void Problem(const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    ProblemLocked(what);
  }

  // An answer (or, for a whole invoke, its absence) to one fault.
  void Record(Fault fault, const std::string& name, const std::string& request_id, bool ran) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++result_->answers[std::string(FaultName(fault))][name];
    if (ran) ++result_->invokes;
    const bool answered = name != kNotRead && name != kClosed && !name.starts_with("no answer");
    if (answered) ++result_->answered;
    if (ran && !answered) {
      ++result_->lost;
      ProblemLocked("lost: a whole invoke (" + std::string(FaultName(fault)) + ") got " + name);
    } else if (!Allowed(fault, name) || (!kills_ && name == kKilled)) {
      ++result_->unexpected;
      ProblemLocked(std::string(FaultName(fault)) + " answered \"" + name + "\" (request " + request_id + ")");
    }
    if (ran && answered && !request_id.empty()) NoteAnswerLocked(request_id, name);
  }

  // The answer to a whole invoke, by its request id.
  void NoteAnswer(const std::string& request_id, const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    NoteAnswerLocked(request_id, name);
  }

  void Count(uint64_t ChaosResult::*counter) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++(result_->*counter);
  }

  // The answers to whole invokes, by request id (read once the run's threads are done).
  const std::unordered_map<std::string, std::string>& invoke_answers() const { return invoke_answers_; }

 private:
  void NoteAnswerLocked(const std::string& request_id, const std::string& name) {
    if (!invoke_answers_.emplace(request_id, name).second) {
      ++result_->duplicated;
      ProblemLocked("request id " + request_id + " answered twice");
    }
  }

  void ProblemLocked(const std::string& what) {
    if (result_->problems.size() < kMaxProblems) result_->problems.push_back(what);
  }

  std::mutex mutex_;
  ChaosResult* result_;
  const bool kills_;
  std::unordered_map<std::string, std::string> invoke_answers_;
};

Result<Client> Connect(uint16_t port) { return ConnectClient(port, kAnswerTimeoutMs); }

// One probe on a connection of its own (404 from serve's connection thread), closed at once.
// serve joins a finished connection's thread and closes its descriptor at the next accept, so
// a probe also settles every connection closed before it.
void Probe(uint16_t port) {
  Result<Client> client = Connect(port);
  if (client.ok()) (void)benchmark::InvokeOnce(*client, "GET /zs-chaos HTTP/1.1\r\nHost: x\r\n\r\n");
}

// SIGKILLs `pid` if it is still a child of `parent` (not a process that took a reaped child's
// pid): through a pidfd, so the signal reaches the process that was checked. Returns the pidfd
// (readable once the process has exited), or nothing when the process was not signalled.
std::optional<UniqueFd> KillChild(pid_t parent, pid_t pid) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0) return std::nullopt;
  if (bench::StatusField(pid, "PPid") != static_cast<uint64_t>(parent)) return std::nullopt;
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) != 0) return std::nullopt;
  return pidfd;
}

// Processes alive whose environment holds `marker` (a "K=V" entry only this run's functions
// have): what an environment left behind.
std::vector<std::string> ProcessesWith(const std::string& marker) {
  std::vector<std::string> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    const std::string environ = bench::ReadProcFile("/proc/" + std::to_string(pid) + "/environ");
    if (environ.find(marker + '\0') != std::string::npos || environ.ends_with(marker)) {
      found.push_back("process " + std::to_string(pid) + " (" +
                      bench::ReadProcFile("/proc/" + std::to_string(pid) + "/comm") + ") still alive");
    }
  }
  ::closedir(proc);
  return found;
}

}  // namespace

Result<ChaosResult> RunChaos(const ChaosOptions& options) {
  namespace fs = std::filesystem;
  ChaosResult result;
  result.seed = options.seed;
  result.protocol = options.protocol;
  Tally tally(&result, options.kill);
  const std::string token = options.scratch_dir + "/" + std::string(kTokenName);
  const std::string tmp_dir = options.scratch_dir + "/tmp";
  const std::string marker = std::string(kTokenEnv) + "=" + token;
  std::error_code error;
  fs::create_directories(tmp_dir, error);
  if (error) return InternalError("cannot create " + tmp_dir + ": " + error.message());

  // More room than one invoke per client and per vandal needs, so that no invoke is throttled
  // while environments lost to faults are still being torn down.
  const int concurrency = options.clients + 3 * options.vandals + 2;
  ZS_ASSIGN_OR_RETURN(
      std::unique_ptr<bench::concurrency::ServeProcess> serve,
      bench::concurrency::ServeProcess::Start(
          {.zerostart = options.zerostart,
           .options = {"--concurrency", std::to_string(concurrency), "--memory", std::to_string(options.memory_mb),
                       "--timeout", std::to_string(options.timeout_seconds), "--idle-timeout",
                       std::to_string(kIdleTimeoutSeconds), "--protocol", options.protocol, "--env", marker},
           .function = options.faulty,
           .read_reports = true,
           .env = {"TMPDIR=" + tmp_dir}}));
  const pid_t serve_pid = serve->pid();
  const uint16_t port = serve->port();
  // serve says at start-up what it cannot enforce here: "... not enforcing the CPU share (...) and
  // the memory limit (...)"; only the memory limit matters to the over-the-limit faults.
  const std::string said = serve->StderrText();
  const size_t not_enforcing = said.find("not enforcing");
  result.limits_enforced =
      not_enforcing == std::string::npos || said.find("the memory limit", not_enforcing) == std::string::npos;
  // The fewest descriptors and threads serve has with one probe's connection closed but not yet
  // reaped — the state each later measurement is taken in.
  result.fds_before = SIZE_MAX;
  result.threads_before = SIZE_MAX;
  for (int round = 0; round < 5; ++round) {
    Probe(port);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    result.fds_before = std::min(result.fds_before, bench::OpenFds(serve_pid));
    result.threads_before = std::min<size_t>(result.threads_before, bench::StatusField(serve_pid, "Threads"));
  }

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  std::atomic<bool> stop{false};
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  auto pause = [&](std::chrono::milliseconds period) {
    std::unique_lock<std::mutex> lock(stop_mutex);
    return !stop_cv.wait_for(lock, period, [&] { return stop.load(); });
  };

  std::vector<std::thread> threads;
  std::vector<Client> connections;
  for (int c = 0; c < options.clients; ++c) {
    ZS_ASSIGN_OR_RETURN(Client client, Connect(port));
    connections.push_back(std::move(client));
  }
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937_64 random(options.seed * 1'000'003 + static_cast<uint64_t>(c));
      Client& client = connections[static_cast<size_t>(c)];
      for (uint64_t n = 0; Clock::now() < deadline; ++n) {
        const Fault fault = PickInvokeFault(random, result.limits_enforced);
        const std::string event = EventFor(fault, Tag("c", c, n),
                                           PickPad(random), options.memory_mb + 128);
        Result<Answer> answer = benchmark::InvokeOnce(client, benchmark::InvokeBytes(event));
        if (answer.ok()) {
          tally.Record(fault, NameOf(*answer, event), answer->request_id, /*ran=*/true);
          continue;
        }
        tally.Record(fault, "no answer (" + answer.status().ToString() + ")", "", /*ran=*/true);
        Result<Client> again = Connect(port);  // the old connection is in an unknown state
        if (!again.ok()) return;
        client = std::move(again).value();
      }
    });
  }
  for (int v = 0; v < options.vandals; ++v) {
    threads.emplace_back([&, v] {
      std::mt19937_64 random(options.seed * 7'919 + 100 + static_cast<uint64_t>(v));
      for (uint64_t n = 0; Clock::now() < deadline; ++n) {
        const Fault fault = PickClientFault(random);
        const std::string tag = Tag("v", v, n);
        VandalReport report = Vandalize(fault, port, tag, kAnswerTimeoutMs, random);
        tally.Record(fault, report.answer, report.request_id, report.ran);
      }
    });
  }
  // The killer: a function process SIGKILLed now and then, an init-exit token laid out now and
  // then (the next runtime to start takes it and exits during its init).
  std::vector<UniqueFd> victims;  // pidfds of the processes killed (the killer's own until joined)
  std::thread killer([&] {
    std::mt19937_64 random(options.seed ^ 0x6b696c6c6572ULL);
    while (pause(std::chrono::milliseconds(Uniform(random, 100, 400))) && Clock::now() < deadline) {
      const std::vector<pid_t> functions = bench::Children(serve_pid);
      if (options.kill && !functions.empty() && Uniform(random, 0, 2) != 0) {
        if (std::optional<UniqueFd> victim = KillChild(serve_pid, functions[Uniform(random, 0, functions.size() - 1)])) {
          tally.Count(&ChaosResult::kills);
          victims.push_back(std::move(*victim));
        }
      }
      if (Uniform(random, 0, 3) == 0) {  // O_EXCL: only when no token is out
        const int fd = ::open(token.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (fd >= 0) {
          ::close(fd);
          tally.Count(&ChaosResult::init_exit_tokens);
        }
      }
    }
  });
  std::thread reporter([&] {
    while (pause(std::chrono::seconds(5))) {
      if (options.progress) {
        options.progress("chaos: " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count()) +
                         " s, " + std::to_string(serve->ReportCount()) + " invokes reported");
      }
    }
  });
  for (std::thread& thread : threads) thread.join();
  {
    std::lock_guard<std::mutex> lock(stop_mutex);
    stop = true;
  }
  stop_cv.notify_all();
  killer.join();
  reporter.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();

  // A token no init took is withdrawn; the ones taken were renamed by their runtimes.
  (void)fs::remove(token, error);
  for (const fs::directory_entry& entry : fs::directory_iterator(options.scratch_dir, error)) {
    if (entry.path().filename().string().starts_with(std::string(kTokenName) + ".")) ++result.init_exits;
  }

  // A kill or a taken token fails at most the one invoke its environment was running.
  uint64_t killed_answers = 0, init_exit_answers = 0;
  for (const auto& [fault, names] : result.answers) {
    for (const auto& [name, count] : names) {
      if (name == kKilled) killed_answers += count;
      if (name == kInitExit) init_exit_answers += count;
    }
  }
  if (killed_answers > result.kills) {
    tally.Problem(std::to_string(killed_answers) + " answers say killed, after " + std::to_string(result.kills) + " kills");
  }
  if (init_exit_answers > result.init_exits) {
    tally.Problem(std::to_string(init_exit_answers) + " answers say the runtime exited during init, after " +
                  std::to_string(result.init_exits) + " such exits");
  }

  // Every killed process reaped by serve before the healthy phase: one killed while frozen dies
  // only when thawed, which serve does when it reclaims the idle environment.
  const Clock::time_point reaped_deadline = Clock::now() + kSettleTimeout;
  for (const UniqueFd& victim : victims) {
    while (::syscall(SYS_pidfd_send_signal, victim.get(), 0, nullptr, 0) == 0 && Clock::now() < reaped_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // serve keeps serving: every client, well-behaved invokes only.
  for (int c = 0; c < options.clients; ++c) {
    Client& client = connections[static_cast<size_t>(c)];
    for (int n = 0; n < kHealthInvokesPerClient; ++n) {
      const std::string event = EventFor(Fault::kEcho, Tag("health", c, static_cast<uint64_t>(n)), 16, 0);
      Result<Answer> answer = benchmark::InvokeOnce(client, benchmark::InvokeBytes(event));
      ++result.health_invokes;
      ++result.invokes;
      const std::string name = answer.ok() ? NameOf(*answer, event) : answer.status().ToString();
      if (answer.ok()) tally.NoteAnswer(answer->request_id, name);
      if (name == kOk) {
        ++result.health_ok;
        ++result.answered;
      } else {
        tally.Problem("after the chaos, an echo got " + name);
      }
    }
  }
  connections.clear();

  // Back where it started: the idle environments reclaimed, every connection's descriptor and
  // thread gone.
  const Clock::time_point settle_deadline = Clock::now() + kSettleTimeout;
  for (;;) {
    Probe(port);
    result.environments_after = bench::Children(serve_pid).size();
    result.fds_after = bench::OpenFds(serve_pid);
    result.threads_after = bench::StatusField(serve_pid, "Threads");
    const bool settled = result.environments_after == 0 && result.fds_after <= result.fds_before &&
                         result.threads_after <= result.threads_before;
    if (settled) break;
    if (Clock::now() > settle_deadline) {
      tally.Problem("not back where it started " + std::to_string(kSettleTimeout.count()) + " s after: " +
                    std::to_string(result.environments_after) + " environments, descriptors " +
                    std::to_string(result.fds_before) + " -> " + std::to_string(result.fds_after) + ", threads " +
                    std::to_string(result.threads_before) + " -> " + std::to_string(result.threads_after));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  const Status stopped = serve->Stop();
  result.serve_stopped = stopped.ToString();
  if (!stopped.ok()) tally.Problem("serve did not stop cleanly: " + stopped.ToString());
  // serve's own account, complete once it has stopped (its stdout read to the end): one REPORT
  // per whole invoke, none twice, none for a request no client sent whole, each saying what its
  // answer said.
  std::set<std::string> reported;
  for (const benchmark::ReportValues& report : serve->Reports()) {
    ++result.reports;
    if (!reported.insert(report.request_id).second) {
      ++result.duplicated;
      tally.Problem("request id " + report.request_id + " REPORTed twice");
    }
    auto answer = tally.invoke_answers().find(report.request_id);
    if (answer == tally.invoke_answers().end()) {
      tally.Problem("REPORT of request " + report.request_id + ", which no client sent whole or was answered");
      continue;
    }
    const std::string& name = answer->second;
    const std::string type = name.substr(0, name.find(':'));
    const bool agrees = name == kOk || name == kHeadThenGone ? report.status.empty()
                        : name == kTimedOut                  ? report.status == "timeout"
                                                             : report.status == "error" && report.error_type == type;
    if (!agrees) {
      tally.Problem("request " + report.request_id + " was answered \"" + name + "\" but REPORTed status \"" +
                    report.status + "\" error type \"" + report.error_type + "\"");
    }
  }
  for (const auto& [id, name] : tally.invoke_answers()) {
    if (!reported.contains(id)) tally.Problem("request " + id + " (" + name + ") has no REPORT");
  }
  if (result.reports != result.invokes) {
    tally.Problem("serve REPORTed " + std::to_string(result.reports) + " invokes of " + std::to_string(result.invokes) +
                  " whole ones");
  }
  result.leftovers = ProcessesWith(marker);
  for (const std::string& group : testing::CgroupGroupsOf(serve_pid)) result.leftovers.push_back("cgroup " + group);
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(tmp_dir, error)) {
    result.leftovers.push_back("file " + entry.path().string());
  }
  for (const std::string& leftover : result.leftovers) tally.Problem("left behind: " + leftover);
  return result;
}

nlohmann::json ChaosResult::ToJson() const {
  return {{"seed", seed},
          {"protocol", protocol},
          {"seconds", seconds},
          {"limits_enforced", limits_enforced},
          {"answers", answers},
          {"kills", kills},
          {"init_exit_tokens", init_exit_tokens},
          {"init_exits", init_exits},
          {"invokes", invokes},
          {"answered", answered},
          {"reports", reports},
          {"lost", lost},
          {"duplicated", duplicated},
          {"unexpected", unexpected},
          {"health_invokes", health_invokes},
          {"health_ok", health_ok},
          {"fds_before", fds_before},
          {"fds_after", fds_after},
          {"threads_before", threads_before},
          {"threads_after", threads_after},
          {"environments_after", environments_after},
          {"leftovers", leftovers},
          {"serve_stopped", serve_stopped},
          {"problems", problems}};
}

std::string ChaosResult::Table() const {
  std::ostringstream out;
  out << "| fault | times | answers |\n|---|---:|---|\n";
  for (const auto& [fault, names] : answers) {
    uint64_t times = 0;
    std::string listed;
    for (const auto& [name, count] : names) {
      times += count;
      listed += (listed.empty() ? "" : ", ") + name + " " + std::to_string(count);
    }
    out << "| " << fault << " | " << times << " | " << listed << " |\n";
  }
  out << "| SIGKILL to a function process | " << kills << " | (answers above: \"" << kKilled << "\") |\n";
  out << "| runtime exits during init | " << init_exits << " | (answers above: \"" << kInitExit << "\") |\n";
  return out.str();
}

}  // namespace zerostart::chaos
