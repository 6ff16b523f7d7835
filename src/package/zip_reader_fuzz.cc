// libFuzzer target for ExtractZip, which unpacks untrusted archives: never crashes (ASan,
// UBSan), refuses only with kInvalidArgument and a message, leaves the destination empty when it
// refuses, writes nothing beside the destination, and on success leaves only symlinks that
// resolve inside it.
//
// Input: the zip's bytes, written to a file in a private directory under $TMPDIR (a tmpfs is
// many times faster) and unpacked into a fresh folder beside it (limits of 1 MB and 1,000
// entries keep each run short). Run: scripts/fuzz.sh
// (the "zip_reader" target; corpus tests/testdata/zip_reader_corpus: zips of `zip`, of
// `zerostart package`'s writer, and crafted ones with symlinks, '../' names and bad CRCs).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "src/package/zip_reader.h"

namespace {

namespace fs = std::filesystem;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Removes `path` whatever modes the zip gave the directories in it.
void RemoveAll(const fs::path& path) {
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(path, error); !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (it->is_directory(error) && !it->is_symlink(error)) fs::permissions(it->path(), fs::perms::owner_all, error);
  }
  fs::remove_all(path, error);
}

// A private directory for the run, removed at exit.
const std::string& ScratchDir() {
  static const std::string dir = [] {
    std::string pattern = (fs::temp_directory_path() / "zs_zip_reader_fuzz_XXXXXX").string();
    Check(mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }();
  static const bool removed_at_exit = std::atexit([] { RemoveAll(ScratchDir()); }) == 0;
  (void)removed_at_exit;
  return dir;
}

bool Inside(const fs::path& path, const fs::path& root) {
  std::error_code error;
  fs::path resolved = fs::weakly_canonical(path, error);
  if (error) return true;  // a loop or a dangling chain opens nothing
  auto [end, unused] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
  return end == root.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path scratch = ScratchDir();
  const fs::path zip = scratch / "in.zip";
  const fs::path dest = scratch / "dest";
  std::ofstream(zip, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                  static_cast<std::streamsize>(size));
  fs::create_directory(dest);

  zerostart::Status status = zerostart::package::ExtractZip(zip, dest, {1 << 20, 1000});
  if (!status.ok()) {
    if (status.code() != zerostart::StatusCode::kInvalidArgument) std::fprintf(stderr, "%s\n", status.ToString().c_str());
    Check(status.code() == zerostart::StatusCode::kInvalidArgument);
    Check(!status.message().empty());
    Check(fs::is_empty(dest));
  } else {
    const fs::path root = fs::canonical(dest);
    for (const fs::directory_entry& item : fs::recursive_directory_iterator(dest)) {
      if (item.is_symlink()) Check(Inside(item.path(), root));
    }
  }
  size_t beside = 0;
  for (const fs::directory_entry& item : fs::directory_iterator(scratch)) {
    (void)item;
    ++beside;
  }
  Check(beside == 2);  // in.zip and dest: nothing written next to the destination
  RemoveAll(dest);
  return 0;
}
