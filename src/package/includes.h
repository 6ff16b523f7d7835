// File: src/package/includes.h
//
// CollectIncludes: the files and directories given with `zerostart package --include PATH`, as
// zip entries named by their path relative to the package root (the current directory).
//
// The rule (an --include may not escape the package root):
//   - PATH is relative to `root`, or absolute. Its entry name is PATH made relative to `root`
//     and normalised lexically ("./conf/../data/x" -> "data/x"). If that name leaves `root`
//     ("../x", "/etc/passwd" when root is /home/me/fn) or is the root itself ("."), PATH is
//     refused.
//   - Symbolic links are followed and stored as the files (or directories) they point to, but
//     only if their real path (realpath) is inside `root` too; a link that points out, directly
//     or through a linked parent directory, is refused. A directory link back to one of its own
//     ancestors is refused (it would recurse forever).
//   - A directory is included with everything under it, as directory entries (mode 0755) and
//     files. A file keeps execute permission if its owner has it (mode 0755), else 0644.
//   - Devices, FIFOs and sockets are refused; so is the name "bootstrap" (the function's).
//   - Files whose identity (device, inode) is in `skip` are left out silently: the output zip
//     itself when it lies inside an included directory.
//   - Included bytes count against `max_total_bytes` (Lambda's unzipped limit, less bootstrap).
// A path given twice, or met twice (a directory and a file in it), is included once.
//
// Errors: kInvalidArgument (escape, special file, reserved name, a loop), kNotFound (no such
// path), kResourceExhausted (over the byte limit), kFailedPrecondition (unreadable); each
// message names the offending path.
//
// Thread safety: reads the file system; no shared state.
#ifndef ZEROSTART_SRC_PACKAGE_INCLUDES_H_
#define ZEROSTART_SRC_PACKAGE_INCLUDES_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "src/package/zip_writer.h"
#include "zerostart/status.h"

namespace zerostart::package {

struct IncludeOptions {
  std::string root;                             // the package root (absolute or relative)
  std::vector<std::pair<dev_t, ino_t>> skip;    // files to leave out
  uint64_t max_total_bytes = 0;
};

// The entries for `paths` (in no particular order; BuildZip sorts them).
Result<std::vector<ZipEntry>> CollectIncludes(const std::vector<std::string>& paths, const IncludeOptions& options);

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_INCLUDES_H_
