// thaw: what a freeze costs the invoke that follows it, without serve around it. A child that
// echoes one byte per read (this program with --pong, parked in read(2) as a function is in
// /next) is frozen by the emulator's own Freezer — cgroup v1/v2 freezer (through CgroupLimits,
// as serve makes an environment's groups) or SIGSTOP — and once it is frozen, the round trip
// "Thaw(), write a byte, read the answer" is timed against the same round trip of a child that
// was never frozen. Mechanisms alternate cycle by cycle.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/concurrency/figures.h"
#include "bench/concurrency/parts.h"
#include "src/common/lambda_protocol.h"
#include "src/common/spawn.h"
#include "src/common/unique_fd.h"
#include "src/emulator/cgroup_limits.h"
#include "src/emulator/environment.h"
#include "src/emulator/freezer.h"

namespace zerostart::bench::concurrency {

using nlohmann::json;

namespace {

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

}  // namespace

int Pong() {
  char byte = 0;
  while (::read(0, &byte, 1) == 1) {
    if (::write(1, &byte, 1) != 1) return 1;
  }
  return 0;
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
    const std::string mechanism = child->freezer ? std::string(child->freezer->mechanism()) : child->mechanism;
    out["mechanisms"].push_back({{"mechanism", mechanism},
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
    // "+X µs", built by appending: g++ 12 takes `"+" + std::string` here for an overlapping
    // memcpy (-Wrestrict, a false positive).
    const std::string over =
        frozen ? std::string("+").append(Fixed(m["round_trip_us"]["p50"].get<double>() - base, 1)).append(" µs")
               : std::string("–");
    std::printf("| %s | **%s µs** | %s µs | %s | %s | %s |\n", m["mechanism"].get<std::string>().c_str(),
                Fixed(m["round_trip_us"]["p50"].get<double>(), 1).c_str(),
                Fixed(m["round_trip_us"]["p99"].get<double>(), 1).c_str(), pair("thaw_call_us").c_str(),
                pair("freeze_call_us").c_str(), over.c_str());
  }
  std::printf("\n");
}

}  // namespace zerostart::bench::concurrency
