#include "src/package/zip_reader.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string_view>
#include <vector>

#include "src/common/unique_fd.h"
#include "src/package/dir_tree.h"
#include "src/package/libzip_ptr.h"

namespace zerostart::package {
namespace {

// Bounds that keep the walk of a name (one descriptor per level while removing) and the
// kernel's limits out of reach: NAME_MAX is 255, PATH_MAX 4096, and the kernel follows at most
// 40 symlinks in one lookup.
constexpr size_t kMaxComponents = 128;
constexpr size_t kMaxComponentBytes = 255;
constexpr uint64_t kMaxLinkTargetBytes = 4095;
constexpr int kMaxLinkHops = 40;
constexpr mode_t kDefaultFileMode = 0644;
constexpr mode_t kDefaultDirectoryMode = 0755;
constexpr size_t kChunkBytes = 1 << 16;

enum class Kind { kFile, kDirectory, kSymlink };

struct Entry {
  zip_uint64_t index = 0;
  std::string name;                // as stored, for messages
  std::vector<std::string> parts;  // its components, without the trailing '/' of a directory
  std::string path;                // parts joined with '/'
  Kind kind = Kind::kFile;
  mode_t mode = 0;
  uint64_t size = 0;   // declared uncompressed size
  std::string target;  // a symlink's target
};

// A name as it can be printed: bytes outside printable ASCII as \xNN, so a hostile name cannot
// drive the terminal that shows the error.
std::string Printable(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      out += escaped;
    }
  }
  return out;
}

Status Refuse(std::string_view name, std::string_view what) {
  return InvalidArgumentError("entry '" + Printable(name) + "' " + std::string(what));
}

Status Errno(std::string_view what, const std::string& path, int error) {
  std::string message = std::string(what) + " " + path + ": " + std::strerror(error);
  return error == ENOENT ? NotFoundError(message) : FailedPreconditionError(message);
}

std::string Join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += (i == 0 ? "" : "/") + parts[i];
  return out;
}

// An error reading an entry's data: the disk's (EIO) or, almost always, the bytes'.
Status EntryReadError(const Entry& entry, zip_error_t* error) {
  int code = zip_error_code_zip(error);
  std::string text = zip_error_strerror(error);
  if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP) {
    return Refuse(entry.name, "is encrypted: Lambda cannot unpack it");
  }
  if (code == ZIP_ER_COMPNOTSUPP) return Refuse(entry.name, "uses an unsupported compression method");
  if (code == ZIP_ER_MEMORY) return InternalError("reading entry '" + Printable(entry.name) + "': " + text);
  // libzip's seeks and reads also fail with a system error (EINVAL, ...) when the bytes point
  // outside the file; only EIO is the disk's fault.
  if (zip_error_system_type(error) == ZIP_ET_SYS && zip_error_code_system(error) == EIO) {
    return FailedPreconditionError("reading entry '" + Printable(entry.name) + "': " + text);
  }
  return Refuse(entry.name, "is corrupt: " + text);
}

// Splits and checks a stored name. Every rule here keeps a name meaning the same path on every
// unzip: no way out of the root, and nothing that a Windows tool or a C string reads otherwise.
Status SplitName(std::string_view name, std::vector<std::string>* parts) {
  if (name.empty()) return Refuse(name, "has an empty name");
  if (name.find('\\') != std::string_view::npos) {
    return Refuse(name, "has a backslash in its name: zip paths are separated by '/'");
  }
  if (name.front() == '/') return Refuse(name, "is an absolute path");
  if (name.size() >= 2 && name[1] == ':' &&
      ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'))) {
    return Refuse(name, "starts with a drive letter");
  }
  std::string_view rest = name;
  if (rest.back() == '/') rest.remove_suffix(1);
  parts->clear();
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = std::min(rest.find('/', start), rest.size());
    std::string_view part = rest.substr(start, end - start);
    if (part == "..") return Refuse(name, "escapes the task root");
    if (part.empty()) return Refuse(name, "has an empty path component");
    if (part == ".") return Refuse(name, "has a '.' path component");
    if (part.size() > kMaxComponentBytes) return Refuse(name, "has a path component over 255 bytes");
    parts->emplace_back(part);
    if (parts->size() > kMaxComponents) return Refuse(name, "is more than 128 levels deep");
    start = end + 1;
  }
  return OkStatus();
}

// Reads an entry's data in chunks into `sink`, checking the CRC (libzip does, at the end) and
// the declared size. Holding every entry to its declared size is what makes the total checked
// up front (DescribeEntries) a bound on what is written: a lying size header is how a small
// archive would otherwise inflate past any check.
Status ReadEntry(zip_t* archive, const Entry& entry, const std::function<Status(const char*, size_t)>& sink) {
  ZipFilePtr file(zip_fopen_index(archive, entry.index, 0));
  if (!file) return EntryReadError(entry, zip_get_error(archive));
  std::vector<char> chunk(kChunkBytes);
  uint64_t read = 0;
  for (;;) {
    zip_int64_t n = zip_fread(file.get(), chunk.data(), chunk.size());
    if (n < 0) return EntryReadError(entry, zip_file_get_error(file.get()));
    if (n == 0) break;
    uint64_t got = static_cast<uint64_t>(n);
    if (got > entry.size - read) return Refuse(entry.name, "holds more data than its declared size");
    read += got;
    ZS_RETURN_IF_ERROR(sink(chunk.data(), static_cast<size_t>(got)));
  }
  if (read != entry.size) return Refuse(entry.name, "is corrupt: its data is shorter than its declared size");
  return OkStatus();
}

// The entry at `index`: its name checked, its kind and mode taken from the external attributes.
Result<Entry> DescribeEntry(zip_t* archive, zip_uint64_t index) {
  Entry entry;
  entry.index = index;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive, index, ZIP_FL_ENC_RAW, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0 ||
      (st.valid & ZIP_STAT_SIZE) == 0) {
    return InvalidArgumentError("entry " + std::to_string(index) + " of the zip cannot be read: " +
                                zip_error_strerror(zip_get_error(archive)));
  }
  entry.name = st.name;
  entry.size = st.size;
  ZS_RETURN_IF_ERROR(SplitName(entry.name, &entry.parts));
  entry.path = Join(entry.parts, entry.parts.size());

  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(archive, index, 0, &opsys, &attributes) != 0) {
    return Refuse(entry.name, "has unreadable attributes");
  }
  // Unix zips keep st_mode in the high 16 bits; other systems (and some tools) leave them 0.
  uint32_t unix_mode = opsys == ZIP_OPSYS_UNIX ? attributes >> 16 : 0;
  uint32_t type = unix_mode & S_IFMT;
  bool slash = entry.name.back() == '/';
  if (type == S_IFLNK) {
    if (slash) return Refuse(entry.name, "is a symlink with a directory's name");
    entry.kind = Kind::kSymlink;
  } else if (slash || type == S_IFDIR) {
    entry.kind = Kind::kDirectory;
  } else if (type == 0 || type == S_IFREG) {
    entry.kind = Kind::kFile;
  } else {
    return Refuse(entry.name, "is a device, FIFO or socket: only files, directories and symlinks unpack");
  }
  if (unix_mode == 0) {
    entry.mode = entry.kind == Kind::kDirectory ? kDefaultDirectoryMode : kDefaultFileMode;
  } else {
    entry.mode = static_cast<mode_t>(unix_mode & 0777);  // no set-id or sticky bits from a zip
  }
  return entry;
}

// Every entry described and checked on its own, with the symlinks' targets read; the limits on
// count and declared size applied before any data is inflated.
Result<std::vector<Entry>> DescribeEntries(zip_t* archive, const ZipLimits& limits) {
  zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) return InternalError("libzip: no entry count");
  if (static_cast<uint64_t>(count) > limits.max_entries) {
    return InvalidArgumentError("the zip has " + std::to_string(count) + " entries, over the limit of " +
                                std::to_string(limits.max_entries));
  }
  std::vector<Entry> entries;
  uint64_t declared = 0;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    ZS_ASSIGN_OR_RETURN(Entry entry, DescribeEntry(archive, i));
    if (entry.size > limits.max_total_bytes - declared) {
      return InvalidArgumentError("the zip unpacks to more than " + std::to_string(limits.max_total_bytes) +
                                  " bytes (at entry '" + Printable(entry.name) + "')");
    }
    declared += entry.size;
    entries.push_back(std::move(entry));
  }
  for (Entry& entry : entries) {
    if (entry.kind != Kind::kSymlink) continue;
    if (entry.size == 0 || entry.size > kMaxLinkTargetBytes) {
      return Refuse(entry.name, "is a symlink with an empty or overlong target");
    }
    ZS_RETURN_IF_ERROR(ReadEntry(archive, entry, [&](const char* data, size_t size) {
      entry.target.append(data, size);
      return OkStatus();
    }));
    if (entry.target.find('\0') != std::string::npos) return Refuse(entry.name, "is a symlink whose target has a NUL");
  }
  return entries;
}

using EntryIndex = std::map<std::string, const Entry*>;

// A path under the root as it is walked: its components, and the same joined with '/' (kept
// up to date at each step, so a lookup does not rebuild it).
struct WalkedPath {
  std::vector<std::string> parts;
  std::string joined;

  void Push(const std::string& part) {
    parts.push_back(part);
    joined += (parts.size() == 1 ? "" : "/") + part;
  }
  void Pop() {
    joined.resize(joined.size() - parts.back().size() - (parts.size() == 1 ? 0 : 1));
    parts.pop_back();
  }
};

// Where `target`, followed from the directory `dir`, leads, resolved lexically and through the
// zip's symlinks; false when it leaves the root at any step (or loops). Components past a file
// are kept as they are: the kernel will fail them. No entry is deeper than kMaxComponents, so
// deeper paths are not looked up.
bool Resolve(const EntryIndex& index, WalkedPath* dir, std::string_view target, int* hops) {
  if (target.empty() || target.front() == '/') return false;
  size_t start = 0;
  while (start <= target.size()) {
    size_t end = std::min(target.find('/', start), target.size());
    std::string part(target.substr(start, end - start));
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (dir->parts.empty()) return false;
      dir->Pop();
      continue;
    }
    dir->Push(part);
    if (dir->parts.size() > kMaxComponents) continue;
    auto link = index.find(dir->joined);
    if (link == index.end() || link->second->kind != Kind::kSymlink) continue;
    if (++*hops > kMaxLinkHops) return false;
    dir->Pop();
    if (!Resolve(index, dir, link->second->target, hops)) return false;
  }
  return true;
}

// The checks that need all the entries: no name twice, nothing inside a file or a symlink of the
// zip (which is how an archive writes outside through a link it made), every symlink inside.
Status CheckLayout(const std::vector<Entry>& entries) {
  EntryIndex index;
  for (const Entry& entry : entries) {
    if (!index.emplace(entry.path, &entry).second) return Refuse(entry.name, "appears twice in the zip");
  }
  for (const Entry& entry : entries) {
    for (size_t depth = 1; depth < entry.parts.size(); ++depth) {
      auto parent = index.find(Join(entry.parts, depth));
      if (parent == index.end() || parent->second->kind == Kind::kDirectory) continue;
      if (parent->second->kind == Kind::kSymlink) {
        return Refuse(entry.name, "would be written through the symlink '" + Printable(parent->first) + "'");
      }
      return Refuse(entry.name, "is inside '" + Printable(parent->first) + "', which is a file");
    }
    if (entry.kind == Kind::kSymlink) {
      int hops = 0;
      WalkedPath dir;
      for (size_t i = 0; i + 1 < entry.parts.size(); ++i) dir.Push(entry.parts[i]);
      if (!Resolve(index, &dir, entry.target, &hops)) {
        return Refuse(entry.name, "is a symlink to '" + Printable(entry.target) + "', which escapes the task root");
      }
    }
  }
  return OkStatus();
}

// The directory `parts[0, count)` under `root`, opened without following symlinks; with
// `create`, missing levels are made (0700 until FinishDirectories gives them their modes).
Result<UniqueFd> OpenDirectory(int root, const Entry& entry, size_t count, bool create) {
  UniqueFd dir(fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (!dir.valid()) return Errno("dup", "the task root", errno);
  for (size_t i = 0; i < count; ++i) {
    const char* part = entry.parts[i].c_str();
    if (create && mkdirat(dir.get(), part, 0700) != 0 && errno != EEXIST) {
      return Errno("mkdir", Join(entry.parts, i + 1), errno);
    }
    UniqueFd next(openat(dir.get(), part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      if (errno == ELOOP || errno == ENOTDIR) {
        return Refuse(entry.name, "would be written through '" + Printable(Join(entry.parts, i + 1)) +
                                      "', which is not a directory");
      }
      return Errno("open", Join(entry.parts, i + 1), errno);
    }
    dir = std::move(next);
  }
  return dir;
}

Status WriteFile(zip_t* archive, int parent, const Entry& entry) {
  // O_EXCL and O_NOFOLLOW: never through a name something else (a link, an earlier entry) holds.
  UniqueFd out(openat(parent, entry.parts.back().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out.valid()) {
    if (errno == EEXIST || errno == ELOOP) return Refuse(entry.name, "collides with another entry");
    return Errno("create", entry.path, errno);
  }
  ZS_RETURN_IF_ERROR(ReadEntry(archive, entry, [&](const char* data, size_t size) {
    while (size > 0) {
      ssize_t n = write(out.get(), data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("write", entry.path, errno);
      data += n;
      size -= static_cast<size_t>(n);
    }
    return OkStatus();
  }));
  // fchmod, unlike open's mode, is not narrowed by the umask: the zip's mode is kept exactly.
  if (fchmod(out.get(), entry.mode) != 0) return Errno("chmod", entry.path, errno);
  if (close(out.Release()) != 0) return Errno("close", entry.path, errno);
  return OkStatus();
}

// Directories are written 0700 and get their modes last, deepest first, so that a read-only
// directory of the zip can still be filled and the walk down to a deeper one still opens.
Status FinishDirectories(int root, const std::vector<Entry>& entries) {
  std::map<std::string, std::pair<const Entry*, size_t>> dirs;  // path -> (an entry, depth)
  std::map<std::string, mode_t> modes;
  for (const Entry& entry : entries) {
    size_t levels = entry.kind == Kind::kDirectory ? entry.parts.size() : entry.parts.size() - 1;
    for (size_t depth = 1; depth <= levels; ++depth) {
      std::string path = Join(entry.parts, depth);
      dirs.emplace(path, std::make_pair(&entry, depth));
      modes.emplace(path, kDefaultDirectoryMode);
    }
    if (entry.kind == Kind::kDirectory) modes[entry.path] = entry.mode;
  }
  std::vector<std::pair<size_t, std::string>> order;
  for (const auto& [path, where] : dirs) order.emplace_back(where.second, path);
  std::sort(order.rbegin(), order.rend());
  for (const auto& [depth, path] : order) {
    ZS_ASSIGN_OR_RETURN(UniqueFd dir, OpenDirectory(root, *dirs[path].first, depth, false));
    if (fchmod(dir.get(), modes[path]) != 0) return Errno("chmod", path, errno);
  }
  return OkStatus();
}

// Files and directories in the zip's order, then the symlinks, then the directories' modes.
Status WriteEntries(zip_t* archive, int root, const std::vector<Entry>& entries) {
  for (const Entry& entry : entries) {
    if (entry.kind == Kind::kSymlink) continue;
    bool directory = entry.kind == Kind::kDirectory;
    size_t levels = directory ? entry.parts.size() : entry.parts.size() - 1;
    ZS_ASSIGN_OR_RETURN(UniqueFd parent, OpenDirectory(root, entry, levels, true));
    if (!directory) ZS_RETURN_IF_ERROR(WriteFile(archive, parent.get(), entry));
  }
  for (const Entry& entry : entries) {
    if (entry.kind != Kind::kSymlink) continue;
    ZS_ASSIGN_OR_RETURN(UniqueFd parent, OpenDirectory(root, entry, entry.parts.size() - 1, true));
    if (symlinkat(entry.target.c_str(), parent.get(), entry.parts.back().c_str()) != 0) {
      if (errno == EEXIST) return Refuse(entry.name, "collides with another entry");
      return Errno("symlink", entry.path, errno);
    }
  }
  return FinishDirectories(root, entries);
}

uint64_t Le(const char* at, int width) {
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(at[i]);
  return value;
}

std::string ReadAt(int fd, uint64_t offset, uint64_t size) {
  std::string out(size, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

// The name of a central directory entry holding a NUL byte, up to the NUL; empty when there is
// none. libzip hands names out as C strings, so such a name would silently lose its tail (and
// mean something else to another unzip). The central directory is found as libzip finds it, from
// the end of central directory record nearest the end of the file (zip64 when its fields say
// so; PKWARE APPNOTE 4.3.12, 4.3.14-16); anything that does not parse is left to libzip.
std::string NameWithNul(const std::string& path) {
  constexpr uint64_t kMaxCentralDirectory = 64 << 20;  // 50,000 entries with long names fit
  constexpr uint64_t kEndRecord = 22, kZip64Locator = 20, kZip64EndRecord = 56, kCentralHeader = 46;
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd.valid() || fstat(fd.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) < kEndRecord) return "";
  uint64_t file_size = static_cast<uint64_t>(st.st_size);
  uint64_t tail_at = file_size - std::min<uint64_t>(file_size, kEndRecord + 0xffff);
  std::string tail = ReadAt(fd.get(), tail_at, file_size - tail_at);
  size_t end = tail.rfind(std::string_view("PK\5\6", 4));
  if (end == std::string::npos || tail.size() - end < kEndRecord) return "";
  uint64_t count = Le(&tail[end + 10], 2), cd_size = Le(&tail[end + 12], 4), cd_at = Le(&tail[end + 16], 4);
  if (count == 0xffff || cd_size == 0xffffffff || cd_at == 0xffffffff) {
    uint64_t locator_at = tail_at + end;
    if (locator_at < kZip64Locator) return "";
    std::string locator = ReadAt(fd.get(), locator_at - kZip64Locator, kZip64Locator);
    if (locator.size() != kZip64Locator || locator.compare(0, 4, "PK\6\7") != 0) return "";
    std::string record = ReadAt(fd.get(), Le(&locator[8], 8), kZip64EndRecord);
    if (record.size() != kZip64EndRecord || record.compare(0, 4, "PK\6\6") != 0) return "";
    cd_size = Le(&record[40], 8);
    cd_at = Le(&record[48], 8);
  }
  if (cd_at > file_size || cd_size > file_size - cd_at || cd_size > kMaxCentralDirectory) return "";
  std::string cd = ReadAt(fd.get(), cd_at, cd_size);
  for (size_t at = 0; cd.size() - at >= kCentralHeader && cd.compare(at, 4, "PK\1\2") == 0;) {
    size_t name_size = Le(&cd[at + 28], 2);
    size_t rest = name_size + Le(&cd[at + 30], 2) + Le(&cd[at + 32], 2);
    if (cd.size() - at - kCentralHeader < rest) return "";
    std::string_view name(&cd[at + kCentralHeader], name_size);
    if (size_t nul = name.find('\0'); nul != std::string_view::npos) return std::string(name.substr(0, nul + 1));
    at += kCentralHeader + rest;
  }
  return "";
}

// `*code` is libzip's error code when the archive does not open.
Result<ArchivePtr> OpenArchive(const std::string& path, int flags, int* code) {
  // Opened here first so that a missing or unreadable file is told apart from bad bytes: libzip
  // reports both as codes (ZIP_ER_NOENT, ZIP_ER_READ, ZIP_ER_SEEK) that malformed archives also
  // produce.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd.valid() || fstat(fd.get(), &st) != 0) return Errno("open", path, errno);
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError(path + " is not a regular file");
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY | flags, code);
  if (archive != nullptr) return ArchivePtr(archive);
  zip_error_t error;
  zip_error_init_with_code(&error, *code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  if (*code == ZIP_ER_MEMORY) return InternalError("reading " + path + ": " + text);
  if (*code == ZIP_ER_EXISTS) return InvalidArgumentError(path + " names an entry twice");
  return InvalidArgumentError(path + " is not a readable zip archive: " + text);
}

// The archive, read with ZIP_CHECKCONS: the local headers must agree with the central directory
// (a zip read one way here and another way by Lambda's unzip is how a check gets bypassed).
// That mode refuses a name given twice without saying which; the archive is then read again
// without it, for CheckLayout to name the entry.
Result<std::vector<Entry>> ReadDirectory(const std::string& path, const ZipLimits& limits, ArchivePtr* archive) {
  int code = 0;
  Result<ArchivePtr> checked = OpenArchive(path, ZIP_CHECKCONS, &code);
  if (!checked.ok() && code == ZIP_ER_EXISTS) {
    ZS_ASSIGN_OR_RETURN(ArchivePtr plain, OpenArchive(path, 0, &code));
    ZS_ASSIGN_OR_RETURN(std::vector<Entry> entries, DescribeEntries(plain.get(), limits));
    ZS_RETURN_IF_ERROR(CheckLayout(entries));
  }
  if (!checked.ok()) return checked.status();
  *archive = std::move(*checked);
  if (std::string name = NameWithNul(path); !name.empty()) return Refuse(name, "has a NUL byte in its name");
  ZS_ASSIGN_OR_RETURN(std::vector<Entry> entries, DescribeEntries(archive->get(), limits));
  ZS_RETURN_IF_ERROR(CheckLayout(entries));
  return entries;
}

Status CheckBootstrap(const std::string& root) {
  std::string path = root + "/bootstrap";
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    return InvalidArgumentError(
        "the zip has no bootstrap at its root: Lambda's provided runtimes run /var/task/bootstrap");
  }
  if (stat(path.c_str(), &st) != 0) {
    return InvalidArgumentError("bootstrap in the zip is a symlink to a file the zip does not have");
  }
  if (S_ISDIR(st.st_mode)) {
    return InvalidArgumentError("bootstrap in the zip is a directory: Lambda runs /var/task/bootstrap as a program");
  }
  if (!S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR) == 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return InvalidArgumentError(std::string("bootstrap in the zip is not executable (mode ") + mode +
                                "): zip it with its exec bit, e.g. zerostart package");
  }
  return OkStatus();
}

}  // namespace

bool LooksLikeZip(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  char magic[4];
  ssize_t n;
  do {
    n = pread(fd.get(), magic, sizeof magic, 0);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof magic)) return false;
  std::string_view head(magic, sizeof magic);
  return head == std::string_view("PK\3\4", 4) || head == std::string_view("PK\5\6", 4);
}

Status ExtractZip(const std::string& zip_path, const std::string& dest_dir, const ZipLimits& limits) {
  ZS_ASSIGN_OR_RETURN(UniqueFd root, OpenEmptyDirectory(dest_dir));
  ArchivePtr archive;
  ZS_ASSIGN_OR_RETURN(std::vector<Entry> entries, ReadDirectory(zip_path, limits, &archive));
  Status written = WriteEntries(archive.get(), root.get(), entries);
  if (!written.ok()) RemoveContents(root.get());
  return written;
}

Result<UnpackedZip> UnpackedZip::Unpack(const std::string& zip_path, const std::string& parent,
                                        const ZipLimits& limits) {
  std::string pattern = parent + "/zerostart-task-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return Errno("create a directory in", parent, errno);
  UnpackedZip unpacked(pattern);  // removes the directory on every error below
  ZS_RETURN_IF_ERROR(ExtractZip(zip_path, unpacked.task_root_, limits));
  ZS_RETURN_IF_ERROR(CheckBootstrap(unpacked.task_root_));
  return unpacked;
}

UnpackedZip::UnpackedZip(UnpackedZip&& other) noexcept : task_root_(std::exchange(other.task_root_, {})) {}

UnpackedZip& UnpackedZip::operator=(UnpackedZip&& other) noexcept {
  if (this != &other) {
    Remove();
    task_root_ = std::exchange(other.task_root_, {});
  }
  return *this;
}

UnpackedZip::~UnpackedZip() { Remove(); }

// Best effort: a destructor has no one to report to, and what it leaves is in a private
// directory under the caller's temporary folder.
void UnpackedZip::Remove() {
  if (task_root_.empty()) return;
  RemoveTree(task_root_);
  task_root_.clear();
}

}  // namespace zerostart::package
