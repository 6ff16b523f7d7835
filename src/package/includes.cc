#include "src/package/includes.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>

#include "src/package/file_io.h"

namespace zerostart::package {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxEntries = 100000;

// `path` without trailing separators (but "/" stays "/").
fs::path StripTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return fs::path(path);
}

// `path` relative to `base` (both absolute and normal), or nullopt if it is not strictly below it.
std::optional<fs::path> Below(const fs::path& path, const fs::path& base) {
  fs::path rel = path.lexically_relative(base);
  if (rel.empty() || rel == "." || *rel.begin() == "..") return std::nullopt;
  return rel;
}

class Collector {
 public:
  Collector(const IncludeOptions& options, fs::path root, fs::path real_root)
      : options_(options), root_(std::move(root)), real_root_(std::move(real_root)) {}

  Status Add(const std::string& arg) {
    if (arg.empty()) return InvalidArgumentError("--include: empty path");
    fs::path given = StripTrailingSlash(arg);
    fs::path absolute = (given.is_absolute() ? given : root_ / given).lexically_normal();
    std::optional<fs::path> name = Below(StripTrailingSlash(absolute.string()), root_);
    if (!name) {
      return InvalidArgumentError("--include " + arg + ": escapes the package root " + root_.string() +
                                  " (included paths must lie inside the current directory)");
    }
    std::string entry_name = name->generic_string();
    if (*name->begin() == "bootstrap") {
      return InvalidArgumentError("--include " + arg + ": 'bootstrap' is the function binary's name in the package");
    }
    std::vector<fs::path> ancestors;
    return AddPath(absolute, entry_name, arg, &ancestors);
  }

  std::vector<ZipEntry> Take() {
    std::vector<ZipEntry> out;
    out.reserve(entries_.size());
    for (auto& [name, entry] : entries_) out.push_back(std::move(entry));
    return out;
  }

 private:
  // Adds `path` (absolute) as `name`; `shown` is how messages name it.
  Status AddPath(const fs::path& path, const std::string& name, const std::string& shown,
                 std::vector<fs::path>* ancestors) {
    std::error_code error;
    fs::path real = fs::canonical(path, error);
    if (error) {
      if (error == std::errc::no_such_file_or_directory) {
        return NotFoundError("--include " + shown + ": No such file or directory (or a dangling link)");
      }
      return FailedPreconditionError("--include " + shown + ": " + error.message());
    }
    if (!Below(real, real_root_)) {
      return InvalidArgumentError("--include " + shown + ": resolves to " + real.string() +
                                  ", outside the package root " + real_root_.string() +
                                  " (a symbolic link may not point out of it)");
    }
    struct stat st;
    if (::stat(real.c_str(), &st) != 0) {
      return FailedPreconditionError("--include " + shown + ": " + std::strerror(errno));
    }
    if (entries_.size() >= kMaxEntries) {
      return ResourceExhaustedError("--include: more than " + std::to_string(kMaxEntries) + " entries");
    }
    if (S_ISDIR(st.st_mode)) return AddDirectory(real, name, shown, ancestors);
    if (!S_ISREG(st.st_mode)) {
      return InvalidArgumentError("--include " + shown + ": not a regular file or directory (device, FIFO or socket)");
    }
    for (const auto& [dev, ino] : options_.skip) {
      if (st.st_dev == dev && st.st_ino == ino) return OkStatus();
    }
    if (entries_.count(name)) return OkStatus();
    Result<std::string> data = ReadFileBytes(real.string(), options_.max_total_bytes - total_bytes_);
    if (!data.ok() && data.status().code() == StatusCode::kResourceExhausted) {
      return ResourceExhaustedError("--include " + shown + ": the package would exceed Lambda's limit of " +
                                    std::to_string(options_.max_total_bytes) + " bytes unzipped (with bootstrap)");
    }
    if (!data.ok()) return data.status().WithContext("--include");
    total_bytes_ += data->size();
    entries_[name] = ZipEntry{name, std::move(data).value(), (st.st_mode & S_IXUSR) ? 0755u : 0644u};
    return OkStatus();
  }

  Status AddDirectory(const fs::path& real, const std::string& name, const std::string& shown,
                      std::vector<fs::path>* ancestors) {
    if (std::find(ancestors->begin(), ancestors->end(), real) != ancestors->end()) {
      return InvalidArgumentError("--include " + shown + ": a directory link loop (back to " + real.string() + ")");
    }
    entries_.emplace(name + "/", ZipEntry{name + "/", "", 0755});
    std::error_code error;
    std::vector<std::string> children;
    for (fs::directory_iterator it(real, error), end; !error && it != end; it.increment(error)) {
      children.push_back(it->path().filename().string());
    }
    if (error) return FailedPreconditionError("--include " + shown + ": " + error.message());
    std::sort(children.begin(), children.end());  // deterministic messages and skip order
    ancestors->push_back(real);
    for (const std::string& child : children) {
      ZS_RETURN_IF_ERROR(AddPath(real / child, name + "/" + child, shown + "/" + child, ancestors));
    }
    ancestors->pop_back();
    return OkStatus();
  }

  const IncludeOptions& options_;
  fs::path root_;       // absolute, lexically normal
  fs::path real_root_;  // realpath of root_
  std::map<std::string, ZipEntry> entries_;
  uint64_t total_bytes_ = 0;
};

}  // namespace

Result<std::vector<ZipEntry>> CollectIncludes(const std::vector<std::string>& paths, const IncludeOptions& options) {
  if (paths.empty()) return std::vector<ZipEntry>{};
  std::error_code error;
  fs::path root = StripTrailingSlash(fs::absolute(options.root.empty() ? "." : options.root, error)
                                         .lexically_normal()
                                         .string());
  fs::path real_root = error ? fs::path() : fs::canonical(root, error);
  if (error) return FailedPreconditionError("package root " + options.root + ": " + error.message());
  Collector collector(options, root, real_root);
  for (const std::string& path : paths) ZS_RETURN_IF_ERROR(collector.Add(path));
  return collector.Take();
}

}  // namespace zerostart::package
