#include "check/execd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "check/render.hpp"
#include "check/run_check.hpp"

namespace mailprobe::check {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

/// Reads and discards whatever is already queued on fd without blocking.
/// Returns false if the peer closed the pipe.
bool drain(int fd) {
  char buf[512];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return true;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return false;
    if (n < 0) return errno == EINTR || errno == EAGAIN;
  }
}

/// Blocks until a full line arrives. Returns false on EOF or stop.
bool wait_line(int fd) {
  char c;
  while (!g_stop.load()) {
    ssize_t n = ::read(fd, &c, 1);
    if (n == 1) {
      if (c == '\n') return true;
      continue;
    }
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
  return false;
}

void write_all(const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

const std::atomic<bool>* install_stop_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  return &g_stop;
}

int run_execd(const CheckConfig& cfg) {
  const std::atomic<bool>* stop = install_stop_handler();
  std::fprintf(stderr, "I! mailprobe execd: ready, one check per line on stdin\n");
  int checks = 0;
  while (wait_line(STDIN_FILENO)) {
    // Telegraf keeps writing a newline per interval; the ones that queued
    // while the last check ran are one request, not a backlog.
    bool open = drain(STDIN_FILENO);
    ++checks;
    CheckReport r = run_check(cfg, {}, stop);
    Rendered out = render(cfg, r);
    // One write of the whole record, so no half line ever reaches stdout.
    write_all(out.out);
    if (!out.error.empty()) std::fprintf(stderr, "E! mailprobe: %s\n", out.error.c_str());
    if (!r.success)
      std::fprintf(stderr, "W! mailprobe: check %d failed at %s: %s\n", checks,
                   std::string(to_string(r.failure.stage)).c_str(), std::string(to_string(r.failure.result)).c_str());
    if (!open || stop->load()) break;
  }
  std::fprintf(stderr, "I! mailprobe execd: stdin closed after %d checks, exiting\n", checks);
  return 0;
}

}  // namespace mailprobe::check
