// File: src/package/zip_reader.h
//
// Unpacking a Lambda deployment zip (one written by `zerostart package` or by any zip tool) into
// a folder, refusing what could write outside it or exhaust the disk. The archive is read with
// libzip; the folder is written through directory descriptors, one path component at a time,
// never following a symlink.
//
// Thread safety: the functions are reentrant; an UnpackedZip is not safe to move while another
// thread reads it (its const methods may run concurrently).
#ifndef ZEROSTART_SRC_PACKAGE_ZIP_READER_H_
#define ZEROSTART_SRC_PACKAGE_ZIP_READER_H_

#include <cstdint>
#include <string>
#include <utility>

#include "zerostart/status.h"

namespace zerostart::package {

// True when the file at `path` can be read and starts with a zip local file header ("PK\3\4")
// or an end of central directory record ("PK\5\6", an empty archive). False otherwise,
// including when it cannot be opened.
bool LooksLikeZip(const std::string& path);

struct ZipLimits {
  // The sum of the entries' uncompressed sizes. Lambda's limit on a function's unzipped
  // deployment package is 250 MB, checked as 262,144,000 bytes
  // (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
  uint64_t max_total_bytes = uint64_t{250} * 1024 * 1024;
  // Entries of any kind (files, directories, symlinks).
  uint64_t max_entries = 50000;
};

// Extracts every entry of the zip at `zip_path` into `dest_dir`, an existing empty directory.
//   - Files and directories get the permission bits (0777) of their Unix external attributes;
//     entries without Unix attributes get 0644 (files) and 0755 (directories), as do the parent
//     directories that no entry names. Set-id and sticky bits are dropped.
//   - An entry whose Unix attributes say S_IFLNK is a symlink whose target is the entry's data;
//     it is created only when the target is relative and, resolved lexically component by
//     component (through the zip's other symlinks too), stays inside `dest_dir`.
// Nothing is written before every entry has been checked. Refused, with kInvalidArgument and a
// message naming the entry (e.g. "entry '../x' escapes the task root"): names that are empty,
// absolute, have a "." / ".." / empty component, a NUL, a backslash or a drive ("C:"), a
// component over 255 bytes or more than 128 components; a name given twice; an entry inside a
// file or a symlink of the zip; a symlink that points outside; devices, FIFOs and sockets;
// encrypted entries or unsupported compression; more than `limits.max_entries` entries or more
// than `limits.max_total_bytes` bytes unpacked (declared or actually inflated); corrupt data (a
// bad CRC, a truncated or malformed archive, data that does not match its declared size); a
// file that is not a zip at all.
// Other errors: kNotFound when `zip_path` or `dest_dir` does not exist; kFailedPrecondition when
// `dest_dir` is not an empty directory, or on an I/O error (permission denied, disk full), with
// the path and strerror.
// On any error the contents written so far are removed (`dest_dir` itself stays).
Status ExtractZip(const std::string& zip_path, const std::string& dest_dir, const ZipLimits& limits = {});

// A private task root: a new directory made by mkdtemp under `parent` (mode 0700) holding the
// zip's contents. The destructor removes it recursively, never following a symlink. Move-only;
// a moved-from object owns nothing.
class UnpackedZip {
 public:
  // Unpacks `zip_path` (see ExtractZip) into a new directory "zerostart-task-XXXXXX" under
  // `parent` (e.g. $TMPDIR or /tmp). Errors: those of ExtractZip; kInvalidArgument when the zip
  // has no `bootstrap` at its root ("the zip has no bootstrap at its root: Lambda's provided
  // runtimes run /var/task/bootstrap"), when bootstrap is a directory, a symlink to nothing in
  // the zip, or not executable by its owner ("bootstrap in the zip is not executable (mode
  // 0644): ..."); kNotFound / kFailedPrecondition when `parent` is missing or not writable.
  // Nothing is left under `parent` on any error.
  static Result<UnpackedZip> Unpack(const std::string& zip_path, const std::string& parent,
                                    const ZipLimits& limits = {});

  UnpackedZip(UnpackedZip&& other) noexcept;
  UnpackedZip& operator=(UnpackedZip&& other) noexcept;
  UnpackedZip(const UnpackedZip&) = delete;
  UnpackedZip& operator=(const UnpackedZip&) = delete;
  ~UnpackedZip();

  // The directory holding the zip's contents (absolute when `parent` was); empty once moved from.
  const std::string& task_root() const { return task_root_; }
  // task_root() + "/bootstrap".
  std::string bootstrap() const { return task_root_ + "/bootstrap"; }

 private:
  explicit UnpackedZip(std::string task_root) : task_root_(std::move(task_root)) {}
  void Remove();

  std::string task_root_;
};

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_ZIP_READER_H_
