// UniqueFd: sole owner of a POSIX file descriptor; closes it on destruction. Move-only.
// Thread safety: none (like any owning handle); the fd itself may be used from other threads
// while this object lives.
#ifndef ZEROSTART_SRC_COMMON_UNIQUE_FD_H_
#define ZEROSTART_SRC_COMMON_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace zerostart {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace zerostart

#endif  // ZEROSTART_SRC_COMMON_UNIQUE_FD_H_
