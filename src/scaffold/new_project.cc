#include "src/scaffold/new_project.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace zerostart::scaffold {
namespace {

namespace fs = std::filesystem;

Status WriteFile(const fs::path& path, const std::string& text) {
  std::error_code error;
  fs::create_directories(path.parent_path(), error);
  if (error) return InternalError("cannot create " + path.parent_path().string() + ": " + error.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return InternalError("cannot write " + path.string() + ": " + std::strerror(errno));
  return OkStatus();
}

}  // namespace

Result<std::vector<std::string>> WriteProject(const std::string& folder, const std::vector<ProjectFile>& files) {
  const fs::path target = fs::path(folder).lexically_normal();
  const fs::path parent = target.has_parent_path() && !target.parent_path().empty() ? target.parent_path() : fs::path(".");
  std::error_code error;
  const fs::file_status status = fs::symlink_status(target, error);
  const bool exists = fs::exists(status);
  if (exists && !fs::is_directory(status)) {
    return FailedPreconditionError(folder + " exists and is not a folder");
  }
  if (exists && !fs::is_empty(target, error)) {
    return FailedPreconditionError(folder + " exists and is not empty: choose a new folder (or empty it)");
  }
  if (!fs::is_directory(parent, error)) return NotFoundError("no folder " + parent.string() + " to create " + folder + " in");

  // mkdtemp: a fresh name beside the target, on the same file system, so that rename is atomic.
  std::string pattern = (parent / ("." + target.filename().string() + ".new-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return InternalError("cannot create a folder in " + parent.string() + ": " + std::strerror(errno));
  }
  const fs::path staging = pattern;
  auto fail = [&](Status status) -> Result<std::vector<std::string>> {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return status;
  };
  // mkdtemp makes 0700; the project should get the usual folder mode.
  fs::permissions(staging, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec, error);
  std::vector<std::string> written;
  for (const ProjectFile& file : files) {
    if (Status s = WriteFile(staging / file.path, file.text); !s.ok()) return fail(s);
    written.push_back((target / file.path).string());
  }
  if (exists && !fs::remove(target, error)) {  // empty, checked above
    return fail(InternalError("cannot replace the empty folder " + folder + ": " + error.message()));
  }
  fs::rename(staging, target, error);
  if (error) return fail(InternalError("cannot create " + folder + ": " + error.message()));
  return written;
}

}  // namespace zerostart::scaffold
