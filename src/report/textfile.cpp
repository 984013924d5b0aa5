#include "report/textfile.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "core/unique_fd.hpp"

namespace mailprobe::report {

namespace {

Failure os_failure(std::string_view step, const std::string& file, int err) {
  std::string text(step);
  text += ' ' + file + ": " + std::error_code(err, std::generic_category()).message();
  return Failure(Stage::none, Result::internal_error, std::move(text));
}

bool write_all(int fd, const std::string& content) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status write_temp(const std::string& tmp, const std::string& content) {
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return os_failure("open", tmp, errno);
  if (!write_all(fd.get(), content)) return os_failure("write", tmp, errno);
  if (::fsync(fd.get()) != 0) return os_failure("fsync", tmp, errno);
  if (fd.close() != 0) return os_failure("close", tmp, errno);
  return ok();
}

}  // namespace

Status write_textfile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  Status written = write_temp(tmp, content);
  if (!written) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return os_failure("rename", path, err);
  }
  // The rename is durable only once the directory entry is on disk; a failure
  // here leaves a correct file behind, so it is not reported.
  UniqueFd dir(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return ok();
}

}  // namespace mailprobe::report
