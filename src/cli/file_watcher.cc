#include "src/cli/file_watcher.h"

#include <dirent.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace zerostart::cli {
namespace {

// What counts as a change of a source: a file written and closed, touched, created, moved in or
// out, deleted. IN_DELETE_SELF/IN_MOVE_SELF on the root say it is gone; on a subfolder, that its
// watch (and its subfolders') no longer names where it is.
constexpr uint32_t kEvents = IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                             IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// A folder with a CMakeCache.txt is a build folder (cmake-build-debug, out/...): its files are
// outputs, not sources.
bool IsBuildFolder(const std::string& dir) {
  std::error_code error;
  return std::filesystem::exists(dir + "/CMakeCache.txt", error);
}

}  // namespace

Result<std::unique_ptr<FileWatcher>> FileWatcher::Open(const std::string& root, std::vector<std::string> ignore) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(root, error).lexically_normal();
  if (error || !std::filesystem::is_directory(absolute, error)) return NotFoundError("no folder " + root);
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (fd.get() < 0) return InternalError(std::string("inotify_init1: ") + std::strerror(errno));
  for (std::string& path : ignore) path = std::filesystem::absolute(path, error).lexically_normal().string();
  std::string root_text = absolute.string();
  if (root_text.size() > 1 && root_text.back() == '/') root_text.pop_back();
  std::unique_ptr<FileWatcher> watcher(new FileWatcher(std::move(fd), root_text, std::move(ignore)));
  const int wd = ::inotify_add_watch(watcher->fd(), watcher->root_.c_str(), kEvents);
  if (wd < 0) return InternalError("cannot watch " + watcher->root_ + ": " + std::strerror(errno));
  watcher->root_wd_ = wd;
  watcher->dirs_[wd] = watcher->root_;
  watcher->WatchTree(watcher->root_);
  return watcher;
}

bool FileWatcher::Ignored(const std::string& path) const {
  const std::string name = std::filesystem::path(path).filename().string();
  if (name.starts_with(".")) return true;
  for (const std::string& ignored : ignore_) {
    if (path == ignored) return true;
  }
  return false;
}

void FileWatcher::WatchTree(const std::string& dir) {
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) return;  // gone meanwhile: its parent's event says so
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    std::error_code error;
    if (!std::filesystem::is_directory(std::filesystem::symlink_status(path, error)) || Ignored(path) ||
        IsBuildFolder(path)) {
      continue;
    }
    const int wd = ::inotify_add_watch(fd(), path.c_str(), kEvents);
    if (wd < 0) continue;  // a folder we may not read is not ours to build from
    dirs_[wd] = path;
    WatchTree(path);
  }
  ::closedir(listing);
}

void FileWatcher::Forget(std::string dir) {  // by value: `dir` may be an entry of dirs_
  const std::string prefix = dir + "/";
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (it->second == dir || it->second.starts_with(prefix)) {
      ::inotify_rm_watch(fd(), it->first);
      it = dirs_.erase(it);
    } else {
      ++it;
    }
  }
}

FileWatcher::Changes FileWatcher::Read() {
  Changes changes;
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    const ssize_t got = ::read(fd(), buffer, sizeof buffer);
    if (got <= 0) break;  // EAGAIN: nothing more now
    for (ssize_t at = 0; at < got;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if ((event->mask & IN_Q_OVERFLOW) != 0) {
        // Events were lost (a large checkout): count the tree as changed and watch it anew.
        changes.paths.push_back(root_);
        WatchTree(root_);
        continue;
      }
      if (event->wd == root_wd_ && (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) != 0) {
        changes.root_gone = true;
        continue;
      }
      if (event->wd != root_wd_ && (event->mask & IN_MOVE_SELF) != 0) {
        // A subfolder moved away (its parent reports it, as a change): it and its subfolders are
        // no longer under the root, and their watches would report them under their old names.
        const auto moved = dirs_.find(event->wd);
        if (moved != dirs_.end()) Forget(moved->second);
        continue;
      }
      const auto dir = dirs_.find(event->wd);
      if (dir == dirs_.end() || event->len == 0) {
        if ((event->mask & IN_IGNORED) != 0 && dir != dirs_.end()) dirs_.erase(dir);
        continue;
      }
      const std::string path = dir->second + "/" + event->name;
      if (Ignored(path)) continue;
      if (dir->first != root_wd_ && IsBuildFolder(dir->second)) {
        // It became a build folder after it was first watched (cmake writes CMakeCache.txt after
        // making the folder): from now on it is not ours.
        Forget(dir->second);
        continue;
      }
      if ((event->mask & IN_ISDIR) != 0) {
        if ((event->mask & (IN_CREATE | IN_MOVED_TO)) != 0 && !IsBuildFolder(path)) {
          const int wd = ::inotify_add_watch(fd(), path.c_str(), kEvents);
          if (wd >= 0) {
            dirs_[wd] = path;
            WatchTree(path);
          }
        }
        // A folder of sources created, moved in or out, or deleted is a change too.
        if ((event->mask & (IN_ATTRIB | IN_CLOSE_WRITE)) == 0) changes.paths.push_back(path);
        continue;
      }
      changes.paths.push_back(path);
    }
  }
  return changes;
}

}  // namespace zerostart::cli
