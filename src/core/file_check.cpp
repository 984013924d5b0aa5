#include "core/file_check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fcntl.h>
#include <system_error>

namespace mailprobe {

namespace {

std::string cwd() {
  char buf[4096];
  if (::getcwd(buf, sizeof buf) == nullptr) return "the working directory";
  return buf;
}

bool relative(const std::string& path) { return !path.empty() && path.front() != '/'; }

}  // namespace

std::string errno_reason(int err, const std::string& path) {
  std::string out = std::error_code(err, std::generic_category()).message();
  if (err == EACCES || err == EPERM) out += " (running as uid " + std::to_string(::geteuid()) + ")";
  else if (relative(path)) out += " (relative to " + cwd() + ")";
  return out;
}

std::string file_message(const std::string& what, const std::string& path, const std::string& problem) {
  if (problem.rfind("is ", 0) == 0) return what + " '" + path + "' " + problem;
  return "cannot read " + what + " '" + path + "': " + problem;
}

std::string readable_file_problem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_reason(errno, path);
  if (S_ISDIR(st.st_mode)) return "is a directory";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno_reason(errno, path);
  ::close(fd);
  return {};
}

std::string writable_dir_problem(const std::string& file) {
  auto slash = file.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return "directory " + dir + " does not exist" + (relative(dir) ? " (relative to " + cwd() + ")" : "");
    return dir + ": " + errno_reason(errno, dir);
  }
  if (!S_ISDIR(st.st_mode)) return dir + " is not a directory";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return dir + " is not writable: " + errno_reason(errno, dir);
  return {};
}

}  // namespace mailprobe
