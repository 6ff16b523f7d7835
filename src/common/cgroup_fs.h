// Where this process's cgroups are in the filesystem: the cgroup mounts of
// /proc/self/mountinfo, the memberships of /proc/self/cgroup, and the directory of a cgroup path
// in a mount. Shared by cpu_budget (reading the quota a function was given) and the emulator's
// cgroup limits (creating the group it gives). Formats: proc(5) "/proc/pid/mountinfo" and
// "/proc/pid/cgroup"; kernel Documentation/admin-guide/cgroup-v2.rst.
//
// Every path function takes `root`, the filesystem root ("/" normally; a fake tree of plain files
// in tests). Thread safety: pure functions (ReadSmallFile reads the file system).
#ifndef ZEROSTART_SRC_COMMON_CGROUP_FS_H_
#define ZEROSTART_SRC_COMMON_CGROUP_FS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zerostart {

// A cgroup (v1) or cgroup2 mount.
struct CgroupMount {
  bool v2 = false;
  std::vector<std::string> controllers;  // v1: the super options (e.g. "cpu", "cpuacct")
  std::string root;                      // the cgroup path mounted there (field 4, unescaped)
  std::string mount_point;               // where (field 5, unescaped)

  bool Has(std::string_view controller) const;  // v1 only; always false for v2
};

// The cgroup and cgroup2 mounts in mountinfo text, in order; other mounts and malformed lines
// are skipped. mountinfo's \ooo escapes in paths are undone.
std::vector<CgroupMount> ParseCgroupMounts(std::string_view mountinfo);

// One line of /proc/self/cgroup: "hierarchy-id:controllers:path".
struct CgroupMembership {
  bool v2 = false;                       // "0::path"
  std::vector<std::string> controllers;  // v1: e.g. {"cpu", "cpuacct"}
  std::string path;                      // e.g. "/user.slice" (may contain ':')

  bool Has(std::string_view controller) const;  // v1 only; always false for v2
};

// The lines of /proc/self/cgroup text; malformed lines are skipped.
std::vector<CgroupMembership> ParseProcCgroup(std::string_view text);

// `path` relative to the mount root `mount_root`: "" for the root itself, "/a/b" below it;
// nullopt when `path` is not under it, not absolute, or climbs with ".." (another cgroup
// namespace's view).
std::optional<std::string> PathUnderMount(std::string_view path, std::string_view mount_root);

// The directory of cgroup `path` in `mount`, under `root`; nullopt as for PathUnderMount.
std::optional<std::string> CgroupDir(const std::string& root, const CgroupMount& mount,
                                     std::string_view path);

// `absolute` (a path starting with '/') inside the tree rooted at `root`.
std::string UnderRoot(const std::string& root, std::string_view absolute);

// The file's contents, or nullopt when it cannot be read (missing, a directory, over 4 MiB).
std::optional<std::string> ReadSmallFile(const std::string& path);

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_CGROUP_FS_H_
