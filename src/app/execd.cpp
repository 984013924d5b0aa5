#include "app/execd.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "app/render.hpp"
#include "app/signals.hpp"
#include "check/run_check.hpp"
#include "core/exit_code.hpp"

namespace mailprobe::app {

namespace {

/// What the trigger channel (stdin) had to say.
enum class Input { trigger, nothing, closed, stopped };

/// Reads whatever is queued on fd without blocking. Returns trigger if it
/// held at least one newline, closed on EOF or a read error (EOF wins over
/// queued newlines: Telegraf closes stdin to shut the process down).
Input drain(int fd) {
  char buf[512];
  Input seen = Input::nothing;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return seen;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return Input::closed;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Input::closed;
    }
    for (ssize_t i = 0; i < n; ++i)
      if (buf[i] == '\n') seen = Input::trigger;
  }
}

/// Blocks until a newline arrives (trigger), stdin closes, or the stop flag
/// is set. Polls in 200 ms slices so a signal landing just before poll()
/// is still noticed promptly.
Input wait_trigger(int fd, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno != EINTR) return Input::closed;
    if (ready <= 0) continue;
    Input in = drain(fd);
    if (in != Input::nothing) return in;
  }
  return Input::stopped;
}

}  // namespace

int run_execd(const check::CheckConfig& cfg) {
  const std::atomic<bool>* stop = install_stop_handler();
  std::fprintf(stderr, "I! mailprobe execd: ready, one check per line on stdin (%s -> %s)\n",
               cfg.smtp.authority().c_str(), cfg.imap.authority().c_str());
  int checks = 0;
  Input in = wait_trigger(STDIN_FILENO, *stop);
  while (in == Input::trigger) {
    ++checks;
    std::fprintf(stderr, "D! mailprobe execd: check %d started\n", checks);
    check::CheckReport r = check::run_check(cfg, {}, stop);
    // Telegraf writes a newline every interval; the ones that queued while
    // this check ran are ticks it missed, not a backlog to run back to back.
    // Drained before the record goes out, so a trigger sent after reading
    // the record always runs.
    const bool closed = drain(STDIN_FILENO) == Input::closed;
    Rendered out = render(cfg, r);
    if (!write_stdout(out.out)) {
      std::fprintf(stderr, "E! mailprobe execd: stdout closed, exiting\n");
      return to_int(ExitCode::internal);
    }
    if (!out.error.empty()) std::fprintf(stderr, "E! mailprobe execd: %s\n", out.error.c_str());
    if (r.success) {
      std::fprintf(stderr, "D! mailprobe execd: check %d delivered in %.3f s\n", checks,
                   r.delivery_us ? static_cast<double>(*r.delivery_us) / 1e6 : 0.0);
    } else {
      std::fprintf(stderr, "W! mailprobe execd: check %d failed at %s: %s: %s\n", checks,
                   std::string(to_string(r.failure.stage)).c_str(),
                   std::string(to_string(r.failure.result)).c_str(), r.failure.reply_text.c_str());
    }
    if (stop->load() || closed) break;
    in = wait_trigger(STDIN_FILENO, *stop);
  }
  if (stop->load())
    std::fprintf(stderr, "I! mailprobe execd: stopped by signal after %d checks, exiting\n", checks);
  else
    std::fprintf(stderr, "I! mailprobe execd: stdin closed after %d checks, exiting\n", checks);
  return to_int(ExitCode::ok);
}

}  // namespace mailprobe::app
