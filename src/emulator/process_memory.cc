#include "src/emulator/process_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <sstream>
#include <string>
#include <vector>

namespace zerostart::emulator {
namespace {

// Bounds the walk over a runaway fork tree.
constexpr size_t kMaxProcesses = 4096;

UniqueFd OpenProc(const std::string& path) { return UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)); }

// procfs regenerates the text on every read from offset 0, so an open fd can be re-read.
std::string ReadAll(int fd) {
  std::string out;
  if (fd < 0) return out;
  char buffer[8192];
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buffer, sizeof(buffer), offset);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    offset += n;
    if (static_cast<size_t>(n) < sizeof(buffer)) break;  // procfs returns it all in one read
  }
  return out;
}

uint64_t FieldValue(std::string_view text, std::string_view name) {
  size_t at = 0;
  while ((at = text.find(name, at)) != std::string_view::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      std::string_view rest = text.substr(at + name.size());
      size_t digits = rest.find_first_of("0123456789");
      if (digits == std::string_view::npos) return 0;
      uint64_t value = 0;
      std::from_chars(rest.data() + digits, rest.data() + rest.size(), value);
      return value;
    }
    at += name.size();
  }
  return 0;
}

void ParsePids(std::string_view text, std::vector<pid_t>* out) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    while (p < end && (*p < '0' || *p > '9')) ++p;
    if (p >= end) break;
    pid_t pid = 0;
    auto [next, ec] = std::from_chars(p, end, pid);
    if (ec == std::errc() && pid > 0) out->push_back(pid);
    p = next;
  }
}

// /proc/<pid>/task/<tid>/children opened for every current thread of `pid` (a child belongs to
// the thread that forked it); threads that vanish meanwhile are skipped.
std::vector<UniqueFd> OpenThreadChildrenFiles(pid_t pid) {
  std::vector<UniqueFd> files;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task_dir.c_str());
  if (dir == nullptr) return files;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    UniqueFd fd = OpenProc(task_dir + "/" + entry->d_name + "/children");
    if (fd.valid()) files.push_back(std::move(fd));
  }
  ::closedir(dir);
  return files;
}

void ChildrenOfAllThreads(pid_t pid, std::vector<pid_t>* out) {
  for (const UniqueFd& fd : OpenThreadChildrenFiles(pid)) ParsePids(ReadAll(fd.get()), out);
}

// The process group of `pid` from /proc/<pid>/stat: field 5, after the parenthesised command
// name, which may itself contain spaces or parentheses; -1 if unreadable.
pid_t ProcessGroupOf(pid_t pid) {
  UniqueFd fd = OpenProc("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat = ReadAll(fd.get());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  long ppid = 0;
  long pgrp = -1;
  fields >> state >> ppid >> pgrp;
  return fields ? static_cast<pid_t>(pgrp) : -1;
}

}  // namespace

uint64_t ProcessVmHwmKib(pid_t pid) {
  UniqueFd status = OpenProc("/proc/" + std::to_string(pid) + "/status");
  return ParseProcStatus(ReadAll(status.get())).vm_hwm_kib;
}

uint64_t ProcessGroupVmHwmKib(pid_t pgid) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  uint64_t total = 0;
  while (const dirent* entry = ::readdir(proc)) {
    const std::string_view name = entry->d_name;
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || end != name.data() + name.size()) continue;  // not a process
    if (ProcessGroupOf(pid) == pgid) total += ProcessVmHwmKib(pid);
  }
  ::closedir(proc);
  return total;
}

StatusFields ParseProcStatus(std::string_view text) {
  return {FieldValue(text, "VmHWM:"), FieldValue(text, "Threads:")};
}

uint64_t ProcessTreeMemory::SampleKib() {
  if (!status_fd_.valid()) status_fd_ = OpenProc("/proc/" + std::to_string(root_) + "/status");
  StatusFields fields = ParseProcStatus(ReadAll(status_fd_.get()));
  uint64_t total = fields.vm_hwm_kib;

  // Re-reading open files is what keeps a 14-thread JVM's sample cheap: opening 14 files and
  // listing a directory after every invoke cost the next hand-over ~100 us (docs/benchmarks/jni.md).
  if (fields.threads != listed_threads_ || ++samples_since_listing_ >= kRelistSamples) {
    thread_children_fds_ = OpenThreadChildrenFiles(root_);
    listed_threads_ = fields.threads;
    samples_since_listing_ = 0;
  }
  std::vector<pid_t> pending;
  for (const UniqueFd& fd : thread_children_fds_) ParsePids(ReadAll(fd.get()), &pending);

  size_t visited = 1;
  while (!pending.empty() && visited < kMaxProcesses) {
    pid_t pid = pending.back();
    pending.pop_back();
    ++visited;
    total += ProcessVmHwmKib(pid);
    ChildrenOfAllThreads(pid, &pending);
  }
  return total;
}

}  // namespace zerostart::emulator
