#include "src/benchmark/output.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/common/unique_fd.h"

namespace zerostart::benchmark {
namespace {

Status OsError(const std::string& what, int error) {
  std::string text = what + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) return ResourceExhaustedError(text);
  return FailedPreconditionError(text);
}

Status MakeDirs(const std::string& dir) {
  std::string path;
  size_t start = 0;
  while (start <= dir.size()) {
    size_t slash = dir.find('/', start);
    if (slash == std::string::npos) slash = dir.size();
    path = dir.substr(0, slash);
    start = slash + 1;
    if (path.empty()) continue;
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return OsError("cannot create folder " + path, errno);
    }
  }
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) return OsError("cannot create folder " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return FailedPreconditionError(dir + " is not a folder");
  return OkStatus();
}

// Writes all of `content` to a new file `path` and syncs it; removes it on error.
Status WriteNew(const std::string& path, const std::string& content) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return OsError("cannot create " + path, errno);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      unlink(path.c_str());
      return OsError("cannot write " + path, error);
    }
    done += static_cast<size_t>(n);
  }
  // Delayed allocation can report a full disk only here.
  if (fsync(fd.get()) != 0 || close(fd.Release()) != 0) {
    const int error = errno;
    unlink(path.c_str());
    return OsError("cannot write " + path, error);
  }
  return OkStatus();
}

}  // namespace

Status PrepareOutputDir(const std::string& dir) {
  ZS_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string probe = dir + "/.zerostart-bench-probe-" + std::to_string(getpid());
  Status written = WriteNew(probe, "probe\n");
  if (!written.ok()) return FailedPreconditionError("output folder " + dir + " is not writable (" + written.message() + ")");
  unlink(probe.c_str());
  return OkStatus();
}

Result<std::string> MakeScratchDir(const std::string& dir, const std::string& prefix) {
  std::string path = dir + "/." + prefix + "-XXXXXX";
  if (mkdtemp(path.data()) == nullptr) return OsError("cannot create a folder in " + dir, errno);
  return path;
}

void RemoveScratchDir(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* entry = readdir(d)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") unlink((dir + "/" + name).c_str());
    }
    closedir(d);
  }
  rmdir(dir.c_str());
}

StagedFiles::~StagedFiles() {
  for (const auto& [temporary, name] : staged_) unlink(temporary.c_str());
}

Status StagedFiles::Add(const std::string& name, const std::string& content) {
  const std::string temporary = dir_ + "/." + name + ".tmp-" + std::to_string(getpid());
  unlink(temporary.c_str());  // a leftover of an earlier crashed run with our pid
  ZS_RETURN_IF_ERROR(WriteNew(temporary, content));
  staged_.emplace_back(temporary, name);
  return OkStatus();
}

Status StagedFiles::AddFile(const std::string& name, const std::string& path) {
  staged_.emplace_back(path, name);
  return OkStatus();
}

Status StagedFiles::Commit() {
  while (!staged_.empty()) {
    const auto [temporary, name] = staged_.front();
    if (rename(temporary.c_str(), (dir_ + "/" + name).c_str()) != 0) {
      return OsError("cannot rename " + temporary + " to " + dir_ + "/" + name, errno);
    }
    staged_.erase(staged_.begin());
  }
  return OkStatus();
}

}  // namespace zerostart::benchmark
