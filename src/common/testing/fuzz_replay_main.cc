// A main() for a libFuzzer target without libFuzzer: every file named on the command line, or
// found (recursively, in name order) in a directory named there, is passed once to
// LLVMFuzzerTestOneInput. Built with g++ and the sanitizers of its tree, it lets `make test`
// replay the committed corpora on every run with no clang tree; the timed, coverage-guided runs
// stay with libFuzzer (`make fuzz`).
//
// Exits 0 when every input ran; 1 when an argument names nothing or a file cannot be read, or
// when no input was found at all (an empty corpus would check nothing). A crash is the
// sanitizer's (or __builtin_trap's) report and a non-zero exit, naming the input first.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

bool Collect(const fs::path& path, std::vector<fs::path>* files) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) {
    files->push_back(path);
    return true;
  }
  if (!fs::is_directory(path, error)) {
    std::fprintf(stderr, "fuzz replay: %s is neither a file nor a directory\n", path.c_str());
    return false;
  }
  for (const auto& entry : fs::recursive_directory_iterator(path, error)) {
    if (entry.is_regular_file()) files->push_back(entry.path());
  }
  return !error;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!Collect(argv[i], &files)) return 1;
  }
  if (files.empty()) {
    std::fprintf(stderr, "fuzz replay: no inputs (usage: %s FILE_OR_DIR...)\n", argv[0]);
    return 1;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "fuzz replay: cannot read %s\n", file.c_str());
      return 1;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Named before it runs, so a crash report can be traced to its input.
    std::fprintf(stderr, "fuzz replay: %s\n", file.c_str());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("fuzz replay: %zu inputs, no failure\n", files.size());
  return 0;
}
