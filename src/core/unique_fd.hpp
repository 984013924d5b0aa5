#pragma once

// Move-only owner of a file descriptor (libcamera's UniqueFD): closed exactly
// once, by the owner, so a number that was closed can never be shut down or
// closed again after the kernel reused it.

#include <unistd.h>

#include <utility>

namespace mailprobe {

class UniqueFd final {
 public:
  UniqueFd() = default;
  /// Takes ownership of `fd` (negative = none).
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  /// Gives the descriptor up without closing it; the caller owns it now.
  [[nodiscard]] int release() { return std::exchange(fd_, -1); }
  /// Closes the current descriptor (if any) and owns `fd` instead.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  /// Closes now and returns close()'s result (it can surface a failed
  /// write); 0 when there was nothing to close.
  int close() {
    if (fd_ < 0) return 0;
    return ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

}  // namespace mailprobe
