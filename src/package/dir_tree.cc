#include "src/package/dir_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

namespace zerostart::package {
namespace {

// The names in the directory `dir` but "." and "..". A duplicate descriptor shares the offset
// of `dir`, which an earlier listing may have left at the end: the stream is rewound.
Result<std::vector<std::string>> ListDirectory(int dir) {
  UniqueFd copy(fcntl(dir, F_DUPFD_CLOEXEC, 0));
  DIR* stream = copy.valid() ? fdopendir(copy.get()) : nullptr;
  if (stream == nullptr) return FailedPreconditionError(std::string("list a directory: ") + std::strerror(errno));
  copy.Release();  // owned by the stream now
  rewinddir(stream);
  std::vector<std::string> names;
  while (dirent* item = readdir(stream)) {
    std::string_view name = item->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  closedir(stream);
  return names;
}

}  // namespace

Result<UniqueFd> OpenEmptyDirectory(const std::string& path) {
  UniqueFd dir(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) {
    std::string message = "open " + path + ": " + std::strerror(errno);
    return errno == ENOENT ? NotFoundError(message) : FailedPreconditionError(message);
  }
  ZS_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(dir.get()));
  if (!names.empty()) return FailedPreconditionError(path + " is not empty: a zip unpacks only into an empty directory");
  return dir;
}

void RemoveContents(int dir) {
  Result<std::vector<std::string>> names = ListDirectory(dir);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    struct stat st;
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(st.st_mode)) {
      unlinkat(dir, name.c_str(), 0);
      continue;
    }
    UniqueFd child(openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child.valid() && fchmodat(dir, name.c_str(), 0700, 0) == 0) {
      child.Reset(openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!child.valid()) continue;
    fchmod(child.get(), 0700);  // a read-only directory keeps its entries
    RemoveContents(child.get());
    child.Reset();
    unlinkat(dir, name.c_str(), AT_REMOVEDIR);
  }
}

void RemoveTree(const std::string& path) {
  UniqueFd dir(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) {
    unlink(path.c_str());  // a file or a symlink: removed itself, never what it points to
    return;
  }
  fchmod(dir.get(), 0700);
  RemoveContents(dir.get());
  dir.Reset();
  rmdir(path.c_str());
}

}  // namespace zerostart::package
