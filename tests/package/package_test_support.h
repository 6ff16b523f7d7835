// Helpers for the `zerostart package` end-to-end tests: running a command to its end in a
// given directory, a scratch directory, and reading files.
#ifndef ZEROSTART_TESTS_PACKAGE_PACKAGE_TEST_SUPPORT_H_
#define ZEROSTART_TESTS_PACKAGE_PACKAGE_TEST_SUPPORT_H_

#include <string>
#include <vector>

#include "src/common/testing/test_config.h"

namespace zerostart::testing {

struct Finished {
  int exit_code = -1000;  // the exit status, or -signal, or -1000 if it could not run or hung
  std::string out, err;
};

// Runs `argv` in directory `cwd` (through `env -C`, so `zerostart package` sees it as its
// current directory), with extra `env` entries ("K=V"), and waits for it (at most 60 s).
Finished RunIn(const std::string& cwd, const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// `zerostart package ARGS...` in `cwd`.
Finished Package(const std::string& cwd, const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// The built binaries under test, and a file of the committed ELF corpus.
inline std::string ZerostartBin() { return BinPath("zerostart"); }
inline std::string EchoBin() { return BinPath("echo"); }
inline std::string KmeansBin() { return BinPath("kmeans"); }
inline std::string CorpusPath(const std::string& name) { return SourcePath("tests/testdata/elf_corpus/" + name); }

std::string ReadWholeFile(const std::string& path);
void WriteWholeFile(const std::string& path, const std::string& bytes);
bool HaveTool(const std::string& name);  // on PATH

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Every name in the directory, including dot files, sorted.
  std::vector<std::string> List() const;

 private:
  std::string path_;
};

}  // namespace zerostart::testing

#endif  // ZEROSTART_TESTS_PACKAGE_PACKAGE_TEST_SUPPORT_H_
