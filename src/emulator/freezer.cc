#include "src/emulator/freezer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <optional>
#include <algorithm>
#include <vector>

#include "src/common/cgroup_fs.h"
#include "src/common/split.h"
#include "src/common/unique_fd.h"

namespace zerostart::emulator {
namespace {

Status OsError(std::string_view what, int error) {
  std::string message = std::string(what) + ": " + std::strerror(error);
  // ENODEV: a cgroup file kept open after its group was removed.
  if (error == ESRCH || error == ENOENT || error == ENODEV) return NotFoundError(std::move(message));
  return InternalError(std::move(message));
}

// A cgroup freezer: one control file, written whole at offset 0 (a cgroup file takes each
// write as one command; pwrite keeps a plain file in tests the same length).
class CgroupFreezer : public Freezer {
 public:
  struct Words {
    std::string_view mechanism;
    std::string_view control;  // the file written
    std::string_view freeze;
    std::string_view thaw;
  };

  CgroupFreezer(const Words& words, std::string dir, UniqueFd control)
      : words_(words), dir_(std::move(dir)), control_(std::move(control)) {}

  Status Freeze() override { return Write(words_.freeze); }
  Status Thaw() override { return Write(words_.thaw); }
  std::string_view mechanism() const override { return words_.mechanism; }

 protected:
  const std::string& dir() const { return dir_; }

 private:
  Status Write(std::string_view value) {
    // Kept open: the warm path's Thaw is one system call, no path lookup.
    const ssize_t written = ::pwrite(control_.get(), value.data(), value.size(), 0);
    if (written == static_cast<ssize_t>(value.size())) return OkStatus();
    const int error = written < 0 ? errno : EIO;
    return OsError("cannot write " + std::string(value) + " to " + dir_ + "/" +
                       std::string(words_.control),
                   error);
  }

  const Words words_;
  const std::string dir_;
  UniqueFd control_;
};

class CgroupV1Freezer : public CgroupFreezer {
 public:
  static constexpr Words kWords{"cgroup v1 freezer", "freezer.state", "FROZEN", "THAWED"};
  CgroupV1Freezer(std::string dir, UniqueFd control)
      : CgroupFreezer(kWords, std::move(dir), std::move(control)) {}

  bool IsFrozen() const override {
    // Reading the file is what moves the kernel's state from FREEZING to FROZEN.
    const std::optional<std::string> state = ReadSmallFile(dir() + "/freezer.state");
    return state && TrimView(*state) == "FROZEN";
  }
};

class CgroupV2Freezer : public CgroupFreezer {
 public:
  static constexpr Words kWords{"cgroup v2 freezer", "cgroup.freeze", "1", "0"};
  CgroupV2Freezer(std::string dir, UniqueFd control)
      : CgroupFreezer(kWords, std::move(dir), std::move(control)) {}

  bool IsFrozen() const override {
    const std::optional<std::string> events = ReadSmallFile(dir() + "/cgroup.events");
    if (!events) return false;
    for (std::string_view line : SplitView(*events, '\n')) {
      const std::vector<std::string_view> fields = SplitWhitespace(line);
      if (fields.size() == 2 && fields[0] == "frozen") return fields[1] == "1";
    }
    return false;
  }
};

// The fields of /proc/PID/stat after "(comm)", which may itself hold spaces and parentheses:
// [0] is the state (field 3 of proc(5)), [2] the process group (field 5).
std::vector<std::string> StatFieldsAfterComm(const std::string& path) {
  const std::optional<std::string> stat = ReadSmallFile(path);
  if (!stat) return {};
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return {};
  std::vector<std::string> fields;
  for (std::string_view field : SplitWhitespace(std::string_view(*stat).substr(close + 1))) {
    fields.emplace_back(field);
  }
  return fields;
}

// Numeric entries of a /proc directory (processes, or a process's threads).
std::vector<std::string> NumericEntries(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9') names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  return names;
}

class SignalFreezer : public Freezer {
 public:
  explicit SignalFreezer(std::vector<pid_t> pgids) : pgids_(std::move(pgids)) {}

  Status Freeze() override { return Send(SIGSTOP); }
  Status Thaw() override { return Send(SIGCONT); }
  std::string_view mechanism() const override { return "SIGSTOP"; }

  bool IsFrozen() const override {
    // The groups' members: a full /proc scan (there is no per-group list), fine off the hot path.
    std::vector<std::string> pgids;
    for (pid_t pgid : pgids_) pgids.push_back(std::to_string(pgid));
    bool any = false;
    for (const std::string& pid : NumericEntries("/proc")) {
      const std::vector<std::string> process = StatFieldsAfterComm("/proc/" + pid + "/stat");
      if (process.size() < 3 || std::find(pgids.begin(), pgids.end(), process[2]) == pgids.end()) continue;
      if (process[0] == "Z" || process[0] == "X") continue;  // dead: runs no more
      // A group stop reaches each thread on its own; the process's line shows the leader's.
      for (const std::string& tid : NumericEntries("/proc/" + pid + "/task")) {
        const std::vector<std::string> task =
            StatFieldsAfterComm("/proc/" + pid + "/task/" + tid + "/stat");
        if (task.empty() || task[0] == "Z" || task[0] == "X") continue;
        if (task[0] != "T") return false;
      }
      any = true;
    }
    return any;
  }

 private:
  Status Send(int signal) {
    Status first = OkStatus();
    for (pid_t pgid : pgids_) {
      // Every group gets the signal, even after one failed: a thaw must reach them all.
      if (::kill(-pgid, signal) != 0 && first.ok()) {
        first = OsError(std::string(signal == SIGSTOP ? "SIGSTOP" : "SIGCONT") + " to process group " +
                            std::to_string(pgid),
                        errno);
      }
    }
    return first;
  }

  const std::vector<pid_t> pgids_;
};

UniqueFd OpenControl(const std::string& path) {
  return UniqueFd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
}

}  // namespace

std::unique_ptr<Freezer> MakeSignalFreezer(pid_t pgid) { return MakeSignalFreezer(std::vector<pid_t>{pgid}); }

std::unique_ptr<Freezer> MakeSignalFreezer(std::vector<pid_t> pgids) {
  return std::make_unique<SignalFreezer>(std::move(pgids));
}

std::unique_ptr<Freezer> MakeCgroupV1Freezer(const std::string& dir) {
  UniqueFd control = OpenControl(dir + "/freezer.state");
  if (!control.valid()) return nullptr;
  return std::make_unique<CgroupV1Freezer>(dir, std::move(control));
}

std::unique_ptr<Freezer> MakeCgroupV2Freezer(const std::string& dir) {
  UniqueFd control = OpenControl(dir + "/cgroup.freeze");
  if (!control.valid()) return nullptr;
  return std::make_unique<CgroupV2Freezer>(dir, std::move(control));
}

}  // namespace zerostart::emulator
