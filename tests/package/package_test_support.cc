#include "tests/package/package_test_support.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/test_support.h"

namespace zerostart::testing {

Finished RunIn(const std::string& cwd, const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::vector<std::string> full{"/usr/bin/env", "-C", cwd};
  full.insert(full.end(), env.begin(), env.end());
  full.insert(full.end(), argv.begin(), argv.end());
  Finished done;
  auto child = ChildProcess::Start(full);
  if (!child.ok()) {
    done.err = child.status().ToString();
    return done;
  }
  std::optional<int> status = (*child)->Wait(std::chrono::seconds(60));
  done.out = (*child)->stdout_text();
  done.err = (*child)->stderr_text();
  if (status && WIFEXITED(*status)) done.exit_code = WEXITSTATUS(*status);
  if (status && WIFSIGNALED(*status)) done.exit_code = -WTERMSIG(*status);
  return done;
}

Finished Package(const std::string& cwd, const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv{ZerostartBin(), "package"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunIn(cwd, argv, env);
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteWholeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

bool HaveTool(const std::string& name) {
  return RunIn("/", {"/bin/sh", "-c", "command -v " + name + " >/dev/null"}).exit_code == 0;
}

TempDir::TempDir() {
  std::string pattern = "/tmp/zs_package_it_XXXXXX";
  path_ = ::mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::List() const {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(path_)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace zerostart::testing
