#include "src/package/zip_writer.h"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <ctime>
#include <string_view>

#include "src/package/libzip_ptr.h"

namespace zerostart::package {
namespace {

constexpr uint32_t kDeflateLevel = 9;
constexpr uint32_t kMsDosDirectory = 0x10;

Status LibzipError(std::string_view what, zip_error_t* error) {
  return InternalError("libzip: " + std::string(what) + ": " + zip_error_strerror(error));
}

// 1980-01-01 00:00:00 local time: libzip stores localtime(t) as the DOS time/date, so this
// time_t yields the same fields (0x0021, 0x0000) in every time zone.
time_t DosEpochLocal() {
  std::tm tm{};
  tm.tm_year = 80;
  tm.tm_mon = 0;
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  return std::mktime(&tm);
}

Status CheckName(const std::string& name) {
  std::string_view path = name;
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty() || path.front() == '/') return InvalidArgumentError("bad zip entry name '" + name + "'");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return InvalidArgumentError("bad zip entry name '" + name + "'");
    }
    start = end + 1;
  }
  return OkStatus();
}

// Adds one entry with the fixed time, Unix attributes and compression.
Status AddEntry(zip_t* archive, const ZipEntry& entry, time_t mtime) {
  zip_int64_t index;
  uint32_t type;
  if (entry.is_directory()) {
    index = zip_dir_add(archive, entry.name.c_str(), ZIP_FL_ENC_GUESS);
    type = S_IFDIR;
  } else {
    zip_source_t* source = zip_source_buffer(archive, entry.data.data(), entry.data.size(), 0);
    if (source == nullptr) return LibzipError("buffer for " + entry.name, zip_get_error(archive));
    index = zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_GUESS);
    if (index < 0) zip_source_free(source);  // not taken over on failure
    type = S_IFREG;
  }
  if (index < 0) return LibzipError("add " + entry.name, zip_get_error(archive));
  zip_uint64_t i = static_cast<zip_uint64_t>(index);
  uint32_t attributes = ((type | (entry.mode & 07777)) << 16) | (entry.is_directory() ? kMsDosDirectory : 0);
  if (zip_file_set_mtime(archive, i, mtime, 0) != 0 ||
      zip_file_set_external_attributes(archive, i, 0, ZIP_OPSYS_UNIX, attributes) != 0 ||
      zip_set_file_compression(archive, i, entry.is_directory() ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                               entry.is_directory() ? 0 : kDeflateLevel) != 0) {
    return LibzipError("set attributes of " + entry.name, zip_get_error(archive));
  }
  return OkStatus();
}

// Everything written to `source` (a buffer source after zip_close).
Result<std::string> ReadAll(zip_source_t* source) {
  if (zip_source_open(source) != 0) return LibzipError("open result", zip_source_error(source));
  std::string out;
  char chunk[1 << 16];
  for (;;) {
    zip_int64_t n = zip_source_read(source, chunk, sizeof chunk);
    if (n < 0) {
      Status error = LibzipError("read result", zip_source_error(source));
      zip_source_close(source);
      return error;
    }
    if (n == 0) break;
    out.append(chunk, static_cast<size_t>(n));
  }
  zip_source_close(source);
  return out;
}

}  // namespace

Result<std::string> BuildZip(std::vector<ZipEntry> entries) {
  if (entries.empty()) return InvalidArgumentError("a zip needs at least one entry");
  std::sort(entries.begin(), entries.end(), [](const ZipEntry& a, const ZipEntry& b) { return a.name < b.name; });
  for (size_t i = 0; i < entries.size(); ++i) {
    ZS_RETURN_IF_ERROR(CheckName(entries[i].name));
    if (i > 0 && entries[i].name == entries[i - 1].name) {
      return InvalidArgumentError("zip entry '" + entries[i].name + "' given twice");
    }
  }

  zip_error_t error;
  zip_error_init(&error);
  SourcePtr buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) return LibzipError("create buffer", &error);
  zip_t* opened = zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error);
  if (opened == nullptr) return LibzipError("open", &error);
  zip_source_keep(buffer.get());  // the archive now holds a reference too; ours outlives it
  ArchivePtr archive(opened);

  time_t mtime = DosEpochLocal();
  for (const ZipEntry& entry : entries) ZS_RETURN_IF_ERROR(AddEntry(archive.get(), entry, mtime));
  // zip_close writes the archive into `buffer` (entries' data must live until here).
  if (zip_close(archive.get()) != 0) return LibzipError("write", zip_get_error(archive.get()));
  archive.release();  // closed and freed by zip_close
  return ReadAll(buffer.get());
}

}  // namespace zerostart::package
