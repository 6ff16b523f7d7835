// File: src/package/file_io.h
//
// The packager's file I/O: reading an input file whole (bounded), and writing the package so
// that the output path holds either the old file or the complete new one, never a partial zip.
//
// Thread safety: functions are reentrant, except that WriteFileAtomically reads the umask by
// setting it (umask(2) has no read-only form), so no other thread should create files then.
#ifndef ZEROSTART_SRC_PACKAGE_FILE_IO_H_
#define ZEROSTART_SRC_PACKAGE_FILE_IO_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "zerostart/status.h"

namespace zerostart::package {

// The contents of the regular file at `path` (symlinks followed). Errors, each message
// starting with `path`: kNotFound (no such file), kInvalidArgument (a directory, or not a
// regular file), kResourceExhausted (larger than `max_bytes`), kFailedPrecondition (cannot
// open or read it, e.g. permission denied).
Result<std::string> ReadFileBytes(const std::string& path, uint64_t max_bytes);

// Writes `bytes` to a temporary file in `path`'s directory (".<name>.tmp-XXXXXX"), flushes it
// to disk, gives it mode 0666 & ~umask, and renames it over `path`. On any failure the
// temporary file is removed and `path` is untouched. Errors: kInvalidArgument when `path` is a
// directory; kFailedPrecondition when the directory cannot be written (missing, read-only,
// not a directory, disk full), with the path and strerror in the message.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_FILE_IO_H_
