// FileWatcher: the changes under a project folder (Linux inotify), for `zerostart watch`. Every
// folder of the tree is watched, new ones as they appear, except hidden ones (".git"), build
// folders (those holding a CMakeCache.txt) and the paths named to be ignored (the build folder
// and the binary, which the build itself writes). Files written, touched, created, moved or
// deleted are changes, and so are folders created, moved or deleted; when the kernel's queue
// overflows, the whole tree counts as changed.
// Thread safety: one thread at a time.
#ifndef ZEROSTART_SRC_CLI_FILE_WATCHER_H_
#define ZEROSTART_SRC_CLI_FILE_WATCHER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/common/unique_fd.h"
#include "zerostart/status.h"

namespace zerostart::cli {

class FileWatcher {
 public:
  // Watches `root` (a folder) and its subfolders but the absolute paths in `ignore` (folders or
  // files). NotFound
  // when `root` is not a folder; Internal with the system's reason when inotify cannot be used
  // (e.g. the per-user watch limit, fs.inotify.max_user_watches).
  static Result<std::unique_ptr<FileWatcher>> Open(const std::string& root, std::vector<std::string> ignore);

  // Readable when changes are waiting (for poll).
  int fd() const { return fd_.get(); }

  struct Changes {
    std::vector<std::string> paths;  // files created, written, moved or deleted (absolute)
    bool root_gone = false;          // the watched folder itself was deleted or moved away
  };
  // The changes waiting now (none when nothing is; never blocks).
  Changes Read();

 private:
  FileWatcher(UniqueFd fd, std::string root, std::vector<std::string> ignore)
      : fd_(std::move(fd)), root_(std::move(root)), ignore_(std::move(ignore)) {}
  void WatchTree(const std::string& dir);
  // Stops watching `dir` and every folder under it.
  void Forget(std::string dir);
  bool Ignored(const std::string& path) const;

  UniqueFd fd_;
  std::string root_;
  std::vector<std::string> ignore_;
  std::map<int, std::string> dirs_;  // watch descriptor -> folder
  int root_wd_ = -1;
};

}  // namespace zerostart::cli

#endif  // ZEROSTART_SRC_CLI_FILE_WATCHER_H_
