// File: src/package/zip_writer.h
//
// BuildZip: a reproducible zip archive, in memory, written with libzip. The same entries give
// the same bytes on any machine with the same libzip and zlib, in any time zone:
//   - entries are written sorted by name (byte order), whatever order they are given in;
//   - every entry's DOS time is 1980-01-01 00:00 (libzip converts a time_t through localtime(),
//     so the time_t is computed from local time; the stored fields are the same in every zone);
//   - "version made by" is Unix (3), and the external attributes hold the Unix mode
//     ((S_IFREG | mode) << 16 for files, (S_IFDIR | mode) << 16 | MS-DOS directory bit for
//     directories), which is what makes Lambda's unzip keep `bootstrap` executable;
//   - files are deflated (level 9), directories stored; no extra fields, no comments.
// (libzip adds extra fields only for names it cannot store plainly; ours are ASCII or flagged
// UTF-8, and zip64 is used only beyond 4 GiB, which the packager's limits rule out.)
//
// Thread safety: BuildZip may run concurrently with itself, but it reads the time zone via
// mktime/localtime, so nothing should change TZ meanwhile.
#ifndef ZEROSTART_SRC_PACKAGE_ZIP_WRITER_H_
#define ZEROSTART_SRC_PACKAGE_ZIP_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::package {

struct ZipEntry {
  // Path inside the archive, '/'-separated, relative: no leading '/', no empty, "." or ".."
  // component. A directory's name ends with '/'.
  std::string name;
  std::string data;       // a file's contents; empty for a directory
  uint32_t mode = 0644;   // permission bits only (e.g. 0755); the file type is added
  bool is_directory() const { return !name.empty() && name.back() == '/'; }
};

// The archive's bytes. Errors: kInvalidArgument for no entries, a bad name (see ZipEntry) or a
// name given twice; kInternal if libzip fails.
Result<std::string> BuildZip(std::vector<ZipEntry> entries);

// The DOS time/date every entry carries: 1980-01-01 00:00:00 (date 0x0021, time 0x0000).
inline constexpr uint16_t kZipDosDate = 0x0021;
inline constexpr uint16_t kZipDosTime = 0x0000;

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_ZIP_WRITER_H_
