#include "src/package/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "src/common/unique_fd.h"

namespace zerostart::package {
namespace {

std::string Errno(int error) { return std::strerror(error); }

// Removes the temporary file unless Commit() was called.
class TempFile {
 public:
  explicit TempFile(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  ~TempFile() {
    fd_.Reset();
    if (!committed_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  void Commit() { committed_ = true; }

 private:
  std::string path_;
  UniqueFd fd_;
  bool committed_ = false;
};

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailedPreconditionError(Errno(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

}  // namespace

Result<std::string> ReadFileBytes(const std::string& path, uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    int error = errno;
    if (error == ENOENT) return NotFoundError(path + ": " + Errno(error));
    return FailedPreconditionError(path + ": cannot open: " + Errno(error));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return FailedPreconditionError(path + ": " + Errno(errno));
  if (S_ISDIR(st.st_mode)) return InvalidArgumentError(path + ": is a directory, not a file");
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError(path + ": not a regular file");
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) {
    return ResourceExhaustedError(path + ": " + std::to_string(size) + " bytes, more than the limit of " +
                                  std::to_string(max_bytes));
  }
  std::string out(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FailedPreconditionError(path + ": read: " + Errno(errno));
    if (n == 0) break;  // shrank while reading: keep what is there
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return InvalidArgumentError(path + ": is a directory; give the zip's file name");
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty()) return InvalidArgumentError(path + ": names a directory; give the zip's file name");

  std::string pattern = dir + "/." + name + ".tmp-XXXXXX";
  std::vector<char> temp_path(pattern.begin(), pattern.end());
  temp_path.push_back('\0');
  UniqueFd fd(::mkstemp(temp_path.data()));
  if (!fd.valid()) return FailedPreconditionError("cannot write " + path + ": " + Errno(errno));
  TempFile temp(temp_path.data(), std::move(fd));

  mode_t mask = ::umask(0);
  ::umask(mask);
  Status written = WriteAll(temp.fd(), bytes);
  if (!written.ok()) return FailedPreconditionError("cannot write " + path + ": " + written.message());
  if (::fchmod(temp.fd(), 0666 & ~mask) != 0 || ::fsync(temp.fd()) != 0) {
    return FailedPreconditionError("cannot write " + path + ": " + Errno(errno));
  }
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    return FailedPreconditionError("cannot write " + path + ": " + Errno(errno));
  }
  temp.Commit();
  return OkStatus();
}

}  // namespace zerostart::package
