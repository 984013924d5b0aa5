#include "auth/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace mailprobe::auth {

std::optional<std::string> read_one_line(const std::string& path, const char* what, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = std::string("cannot read the ") + what + " '" + path + "'";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  if (s.empty()) {
    why = std::string("the ") + what + " '" + path + "' is empty";
    return std::nullopt;
  }
  if (s.find_first_of("\r\n") != std::string::npos) {
    why = std::string("the ") + what + " '" + path + "' has more than one line";
    return std::nullopt;
  }
  return s;
}

std::string write_private_file(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  // 0600 from creation on: the content is a secret (umask can only narrow it).
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write '" + tmp + "': " + std::strerror(errno);
  bool ok = ::fchmod(fd, 0600) == 0;
  int err = ok ? 0 : errno;
  std::string_view rest = content;
  while (ok && !rest.empty()) {
    ssize_t w = ::write(fd, rest.data(), rest.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ok = false;
      err = w < 0 ? errno : EIO;
    } else {
      rest.remove_prefix(static_cast<std::size_t>(w));
    }
  }
  auto failed = [&ok, &err] {
    ok = false;
    err = errno;
  };
  if (ok && ::fsync(fd) != 0) failed();
  if (::close(fd) != 0 && ok) failed();
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) failed();
  if (!ok) {
    ::unlink(tmp.c_str());
    return "cannot write '" + path + "': " + std::strerror(err);
  }
  return {};
}

}  // namespace mailprobe::auth
