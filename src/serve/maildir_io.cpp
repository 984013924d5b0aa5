#include "serve/maildir_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mailprobe::serve::maildir {

namespace fs = std::filesystem;

namespace {

Failure io_failure(const std::string& what, const std::string& path) {
  return Failure(Stage::none, Result::internal_error, what + " " + path + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t w = ::write(fd, bytes.data(), bytes.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(w));
  }
  return true;
}

}  // namespace

Status write_synced(const std::string& path, std::string_view bytes, std::chrono::system_clock::time_point mtime) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_failure("cannot create", path);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  auto secs = ns / 1000000000, frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  timespec times[2] = {{static_cast<time_t>(secs), static_cast<long>(frac)},
                       {static_cast<time_t>(secs), static_cast<long>(frac)}};
  bool good = write_all(fd, bytes) && ::futimens(fd, times) == 0 && ::fsync(fd) == 0;
  int err = errno;
  good = ::close(fd) == 0 && good;
  if (!good) {
    ::unlink(path.c_str());
    errno = err;
    return io_failure("cannot write", path);
  }
  return ok();
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_failure("cannot open", dir);
  bool good = ::fsync(fd) == 0;
  ::close(fd);
  if (!good) return io_failure("cannot sync", dir);
  return ok();
}

Status append_line(const std::string& path, std::string_view line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_failure("cannot open", path);
  std::string text(line);
  text += '\n';
  bool good = write_all(fd, text);
  good = ::close(fd) == 0 && good;
  if (!good) return io_failure("cannot append to", path);
  return ok();
}

std::size_t clean_tmp(const std::string& tmp_dir, std::chrono::system_clock::time_point now) {
  std::size_t removed = 0;
  std::error_code ec;
  const auto cutoff = now - std::chrono::hours(36);
  for (const auto& entry : fs::directory_iterator(tmp_dir, ec)) {
    std::error_code e2;
    if (!entry.is_regular_file(e2)) continue;
    std::string name = entry.path().filename().string();
    bool ours = name.size() > 10 && name.compare(name.size() - 10, 10, ".mailprobe") == 0;
    struct stat sb {};
    bool old = ::stat(entry.path().c_str(), &sb) == 0 &&
               std::chrono::system_clock::from_time_t(sb.st_atime) < cutoff &&
               std::chrono::system_clock::from_time_t(sb.st_mtime) < cutoff;
    if ((ours || old) && fs::remove(entry.path(), e2)) ++removed;
  }
  return removed;
}

std::vector<std::string> load_keywords(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto sp = line.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 >= line.size()) continue;
    unsigned idx = 0;
    for (std::size_t i = 0; i < sp; ++i) {
      if (line[i] < '0' || line[i] > '9' || idx > 25) {
        idx = 26;
        break;
      }
      idx = idx * 10 + static_cast<unsigned>(line[i] - '0');
    }
    if (idx >= 26) continue;
    if (out.size() <= idx) out.resize(idx + 1);
    out[idx] = line.substr(sp + 1);
  }
  return out;
}

Status save_keywords(const std::string& path, const std::vector<std::string>& keywords) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (std::size_t i = 0; i < keywords.size(); ++i)
      if (!keywords[i].empty()) out << i << ' ' << keywords[i] << '\n';
    out.flush();
    if (!out) return io_failure("cannot write", tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return io_failure("cannot rename", tmp);
  return ok();
}

}  // namespace mailprobe::serve::maildir
