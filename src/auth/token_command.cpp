#include "auth/token_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mailprobe::auth {

namespace {

constexpr std::size_t kMaxOutput = 64 * 1024;

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
  return "ended abnormally";
}

}  // namespace

std::optional<std::vector<std::string>> split_command(std::string_view line) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      word.append(line.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) ++j;
        word += line[j];
      }
      if (j >= line.size()) return std::nullopt;
      i = j;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(word));
  if (out.empty()) return std::nullopt;
  return out;
}

CommandOutput run_token_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  CommandOutput r;
  if (argv.empty()) {
    r.error = "empty token command";
    return r;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return r;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    ::dup2(fds[1], STDOUT_FILENO);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  (void)::setpgid(pid, pid);  // also in the parent: no race with the kill below
  auto until = std::chrono::steady_clock::now() + limit;
  bool timed_out = false, too_long = false;
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: the helper closed stdout
    r.out.append(buf, static_cast<std::size_t>(got));
    if (r.out.size() > kMaxOutput) {
      too_long = true;
      break;
    }
  }
  ::close(fds[0]);
  if (timed_out || too_long) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  // After EOF the helper normally exits at once; still bound the wait.
  while (true) {
    pid_t w = ::waitpid(pid, &status, timed_out || too_long ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (w == 0) {
      if (std::chrono::steady_clock::now() >= until) {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        timed_out = true;
        (void)::waitpid(pid, &status, 0);
        break;
      }
      ::usleep(10'000);
    }
  }
  if (timed_out) {
    r.error = "token command timed out after " + std::to_string(limit.count()) + " ms";
    r.out.clear();
    return r;
  }
  if (too_long) {
    r.error = "token command printed more than 64 KiB";
    r.out.clear();
    return r;
  }
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    r.error = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "token command could not be run (exit 127: not found?)"
                                                              : "token command " + describe_status(status);
    r.out.clear();
    return r;
  }
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  if (r.out.empty()) {
    r.error = "token command printed nothing";
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace mailprobe::auth
