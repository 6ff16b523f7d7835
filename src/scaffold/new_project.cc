#include "src/scaffold/new_project.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace zerostart::scaffold {
namespace {

namespace fs = std::filesystem;

Status WriteFile(const fs::path& path, const std::string& text) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) return InternalError("cannot create " + path.parent_path().string() + ": " + error.message());
  // POSIX calls, so that a failure says the system's reason (an ofstream does not keep errno).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return InternalError("cannot create " + path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      return InternalError("cannot write " + path.string() + ": " + reason);
    }
    done += static_cast<size_t>(wrote);
  }
  if (::close(fd) != 0) return InternalError("cannot write " + path.string() + ": " + std::strerror(errno));
  return OkStatus();
}

}  // namespace

Result<std::vector<std::string>> WriteProject(const std::string& folder, const std::vector<ProjectFile>& files) {
  std::error_code error;
  // Absolute and without a trailing '/', so that "." and "dir/" name the folder itself.
  fs::path target = fs::absolute(folder, error).lexically_normal();
  if (target.has_relative_path() && target.filename().empty()) target = target.parent_path();
  const fs::path parent = target.parent_path();
  const fs::file_status status = fs::symlink_status(target, error);
  const bool exists = fs::exists(status);
  if (exists && !fs::is_directory(status)) {
    return FailedPreconditionError(folder + " exists and is not a folder");
  }
  if (exists && !fs::is_empty(target, error)) {
    return FailedPreconditionError(folder + " exists and is not empty: choose a new folder (or empty it)");
  }
  if (!exists && !fs::is_directory(parent, error)) {
    return NotFoundError("no folder " + parent.string() + " to create " + folder + " in");
  }

  // The files go into a fresh hidden folder first: beside a new target (then renamed to it), or
  // inside an existing empty one (then its entries are moved up), which keeps that folder itself
  // (its mode, owner, a shell's current directory in it). mkdtemp: on the same file system.
  const fs::path staging_parent = exists ? target : parent;
  std::string pattern = (staging_parent / ("." + target.filename().string() + ".new-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return InternalError("cannot create a folder in " + staging_parent.string() + ": " + std::strerror(errno));
  }
  const fs::path staging = pattern;
  auto fail = [&](Status failure) -> Result<std::vector<std::string>> {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return failure;
  };
  // mkdtemp makes 0700; a new project folder gets what mkdir would give it (0777 less the umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  fs::permissions(staging, static_cast<fs::perms>(0777 & ~mask), error);
  std::vector<std::string> written;
  for (const ProjectFile& file : files) {
    if (Status s = WriteFile(staging / file.path, file.text); !s.ok()) return fail(s);
    written.push_back((target / file.path).string());
  }
  if (!exists) {
    fs::rename(staging, target, error);
    if (error) return fail(InternalError("cannot create " + folder + ": " + error.message()));
    return written;
  }
  std::vector<fs::path> moved;
  for (const auto& entry : fs::directory_iterator(staging, error)) {
    const fs::path to = target / entry.path().filename();
    fs::rename(entry.path(), to, error);
    if (error) {
      for (const fs::path& done : moved) fs::remove_all(done, error);
      return fail(InternalError("cannot write into " + folder + ": " + error.message()));
    }
    moved.push_back(to);
  }
  fs::remove(staging, error);
  return written;
}

}  // namespace zerostart::scaffold
