// File: src/package/dir_tree.h
//
// Directory trees handled through descriptors, never following a symlink: what unpacking a zip
// needs to start from an empty directory and to take everything back out again.
//
// Thread safety: reentrant; the trees must not be changed by anyone else meanwhile (a change is
// not followed outside the tree, but may be left behind).
#ifndef ZEROSTART_SRC_PACKAGE_DIR_TREE_H_
#define ZEROSTART_SRC_PACKAGE_DIR_TREE_H_

#include <string>

#include "src/common/unique_fd.h"
#include "zerostart/status.h"

namespace zerostart::package {

// The directory at `path` (symlinks followed), opened for reading, when it has no entries.
// Errors: kNotFound when it does not exist; kFailedPrecondition when it is not a directory,
// cannot be opened or read, or is not empty.
Result<UniqueFd> OpenEmptyDirectory(const std::string& path);

// Removes everything in the directory `dir`, which stays; symlinks are removed, never followed.
// Directories are made u+rwx first, so read-only ones empty too. Best effort: what cannot be
// removed (another owner's file in a sticky directory, say) is left and the rest goes on.
void RemoveContents(int dir);

// Removes `path` and everything under it the same way; a symlink at `path` is itself removed.
void RemoveTree(const std::string& path);

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_DIR_TREE_H_
