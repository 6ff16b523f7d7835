// Owning handles for libzip's objects, each freed the way libzip asks: an archive discarded
// (zip_discard: closed without writing; a written archive is released after zip_close), a
// source freed, an entry's reader closed. Thread safety: as the objects they own.
#ifndef ZEROSTART_SRC_PACKAGE_LIBZIP_PTR_H_
#define ZEROSTART_SRC_PACKAGE_LIBZIP_PTR_H_

#include <zip.h>

#include <memory>

namespace zerostart::package {

struct ArchiveDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ArchivePtr = std::unique_ptr<zip_t, ArchiveDiscard>;

struct SourceFree {
  void operator()(zip_source_t* source) const { zip_source_free(source); }
};
using SourcePtr = std::unique_ptr<zip_source_t, SourceFree>;

struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileClose>;

}  // namespace zerostart::package

#endif  // ZEROSTART_SRC_PACKAGE_LIBZIP_PTR_H_
