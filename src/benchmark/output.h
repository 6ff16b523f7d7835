// Output: a run's files land in the output folder whole or not at all. Each file is first
// written to a hidden temporary in the same folder (so rename(2) is atomic); Commit() renames
// them all into place; files not committed are removed when the StagedFiles goes away. A full
// disk or an unwritable folder is an error before anything is renamed.
// Thread safety: one thread.
#ifndef ZEROSTART_SRC_BENCHMARK_OUTPUT_H_
#define ZEROSTART_SRC_BENCHMARK_OUTPUT_H_

#include <string>
#include <utility>
#include <vector>

#include "zerostart/status.h"

namespace zerostart::benchmark {

// Creates `dir` (and its parents) and checks that a file can be created, written and removed
// there. FailedPrecondition naming the folder and the OS reason otherwise.
Status PrepareOutputDir(const std::string& dir);

// A new empty folder "<dir>/.<prefix>-XXXXXX" for intermediate files; FailedPrecondition on error.
Result<std::string> MakeScratchDir(const std::string& dir, const std::string& prefix);
// Removes `dir` and the files directly in it (not recursive beyond one level).
void RemoveScratchDir(const std::string& dir);

class StagedFiles {
 public:
  explicit StagedFiles(std::string dir) : dir_(std::move(dir)) {}
  ~StagedFiles();
  StagedFiles(const StagedFiles&) = delete;
  StagedFiles& operator=(const StagedFiles&) = delete;

  // Writes `content` to a temporary for `name` (a plain file name). FailedPrecondition or
  // ResourceExhausted (ENOSPC, EDQUOT) with the OS reason; nothing is left behind on error.
  Status Add(const std::string& name, const std::string& content);
  // Takes over an existing file (in the same file system) as `name`.
  Status AddFile(const std::string& name, const std::string& path);
  // Renames every staged file into place. FailedPrecondition when a rename fails.
  Status Commit();

 private:
  std::string dir_;
  std::vector<std::pair<std::string, std::string>> staged_;  // (temporary path, final name)
};

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_OUTPUT_H_
