#include "serve/connection.hpp"

#include <type_traits>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>

#include "serve/imap_session.hpp"

namespace mailprobe::serve {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kWriteTimeout{30000};
constexpr std::chrono::milliseconds kHandshakeTimeout{15000};

// Plain socket or TLS channel behind one read/write surface.
class Transport {
 public:
  explicit Transport(int fd) : fd_(fd) {}
  ~Transport() {
    if (tls_) tls_->shutdown();
    ::close(fd_);
  }
  int fd() const { return fd_; }
  bool buffered() const { return tls_ && tls_->pending(); }

  long read(char* buf, std::size_t n) {
    if (tls_) return tls_->read(buf, n);
    ssize_t r = ::recv(fd_, buf, n, 0);
    if (r >= 0) return static_cast<long>(r);
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return TlsChannel::kWouldBlock;
    return TlsChannel::kError;
  }

  bool write_all(std::string_view data) {
    if (data.empty()) return true;
    if (tls_) return tls_->write_all(data, kWriteTimeout);
    auto deadline = Clock::now() + kWriteTimeout;
    while (!data.empty()) {
      ssize_t w = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (w > 0) {
        data.remove_prefix(static_cast<std::size_t>(w));
        continue;
      }
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
    }
    return true;
  }

  bool start_tls(const TlsContext& ctx) {
    auto ch = TlsChannel::accept(ctx, fd_, kHandshakeTimeout);
    if (!ch) return false;
    tls_ = std::move(ch.value());
    return true;
  }

 private:
  int fd_;
  std::unique_ptr<TlsChannel> tls_;
};

void drain(int wake_fd) {
  std::uint64_t v = 0;
  while (::read(wake_fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v)) {
  }
}

// Waits up to `ms` for the wake fd (stop) only; true if the server is stopping.
bool sleep_interruptibly(int wake_fd, std::chrono::milliseconds ms, const std::atomic<bool>& stopping) {
  auto end = Clock::now() + ms;
  while (!stopping.load()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{wake_fd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
    drain(wake_fd);
  }
  return true;
}

/// When the current unit of work must be done: silence is bounded by the idle
/// timeout from the last read; a command line or DATA body by its own timeout
/// from its first byte, however steadily it trickles in.
struct Deadlines {
  std::chrono::milliseconds idle, line, data;
  Clock::time_point last_read = Clock::now();
  Progress progress = Progress::idle;
  Clock::time_point progress_since = last_read;
  std::uint64_t lines = 0;

  /// A new kind of work, or (outside DATA) a new line, restarts its clock; a
  /// DATA body's clock runs from its start however many lines arrive.
  void observe(Progress p, std::uint64_t lines_done, Clock::time_point now) {
    if (p != progress || (p == Progress::line && lines_done != lines)) progress_since = now;
    progress = p;
    lines = lines_done;
  }
  Clock::time_point next() const {
    auto d = last_read + idle;
    if (progress == Progress::line) d = std::min(d, progress_since + line);
    if (progress == Progress::data) d = std::min(d, progress_since + data);
    return d;
  }
};

template <typename Session, typename OnWake>
void drive(Transport& t, int wake_fd, Session& s, const ConnectionContext& ctx, OnWake on_wake) {
  constexpr bool imap = std::is_same_v<Session, ImapSession>;
  auto flush = [&] { return t.write_all(s.take_output()); };
  // Writes the output and, while the session held input back because its
  // output was full, lets it go on (issue 17, D5): memory stays bounded by one
  // batch of responses, however much the client pipelines without reading.
  auto flush_all = [&] {
    if (!flush()) return false;
    if constexpr (imap) {
      while (s.output_blocked() && !s.wants_close() && !s.wants_starttls()) {
        s.feed({});
        if (!flush()) return false;
      }
    }
    return true;
  };
  Deadlines dl{imap ? ctx.imap_idle_timeout : ctx.idle_timeout, ctx.line_timeout, ctx.data_timeout};
  s.start();
  if (!flush() || s.wants_close()) return;
  bool login_logged = false;  // IMAP: one line per session that logs in
  char buf[16384];
  while (true) {
    if (ctx.stopping->load()) {
      s.on_shutdown();
      flush();
      return;
    }
    short revents = 0, wrevents = 0;
    if (!t.buffered()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(dl.next() - Clock::now());
      if (left.count() <= 0) {
        s.on_idle_timeout();
        flush();
        return;
      }
      pollfd fds[2] = {{t.fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
      int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 60000)));
      if (n < 0 && errno != EINTR) return;
      if (n <= 0) continue;
      revents = fds[0].revents;
      wrevents = fds[1].revents;
    } else {
      revents = POLLIN;
    }
    if (wrevents) {
      drain(wake_fd);
      if (!ctx.stopping->load()) {
        on_wake();
        if (!flush()) return;
      }
    }
    if (!revents) continue;
    long r = t.read(buf, sizeof buf);
    if (r == TlsChannel::kWouldBlock) continue;
    if (r <= 0) return;  // peer closed or failed: whatever was mid-DATA is dropped
    auto now = Clock::now();
    dl.last_read = now;
    s.feed(std::string_view(buf, static_cast<std::size_t>(r)));
    dl.observe(s.progress(), s.lines(), now);
    if constexpr (imap) {
      if (!login_logged && !s.user().empty()) {
        login_logged = true;
        if (ctx.log) std::fprintf(ctx.log, "mailprobe serve: IMAP login as %s\n", s.user().c_str());
      }
    }
    if constexpr (std::is_same_v<Session, SmtpSession>) {
      // Fault --quit-delay: the goodbye comes late (Exim holds its 221).
      if (s.wants_close() && ctx.faults->quit_delay.count() > 0 &&
          sleep_interruptibly(wake_fd, ctx.faults->quit_delay, *ctx.stopping))
        return;
    }
    if (!flush_all()) return;
    if (s.wants_starttls()) {
      if (!ctx.tls || !t.start_tls(*ctx.tls)) return;
      s.on_tls_established();
      if (!flush()) return;
    }
    if (s.wants_close()) return;
  }
}

template <typename Run>
void with_failure_boundary(Transport& t, Protocol protocol, const std::string& peer_ip,
                           const ConnectionContext& ctx, Run run) {
  // A copy: the exception object, and the text e.what() points into, die
  // with the catch block.
  std::string what = "unknown exception";
  try {
    run();
    return;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  // RFC 5321 §3.8 (421) and RFC 3501 §7.1.5 (BYE): the server closes this
  // session; every other session and the process go on.
  if (ctx.log)
    std::fprintf(ctx.log, "mailprobe serve: %s session from %s ended by an internal error: %s\n",
                 protocol == Protocol::smtp ? "SMTP" : "IMAP", peer_ip.c_str(), what.c_str());
  try {
    t.write_all(protocol == Protocol::smtp ? "421 4.3.0 Internal server error, closing connection\r\n"
                                           : "* BYE Internal server error\r\n");
  } catch (...) {
  }
}

}  // namespace

void run_connection(int fd, int wake_fd, Protocol protocol, bool implicit_tls, std::string peer_ip,
                    const ConnectionContext& ctx) {
  Transport t(fd);
  with_failure_boundary(t, protocol, peer_ip, ctx, [&] {
    if (implicit_tls && (!ctx.tls || !t.start_tls(*ctx.tls))) return;
    if (ctx.faults->slow_greeting.count() > 0 &&
        sleep_interruptibly(wake_fd, ctx.faults->slow_greeting, *ctx.stopping))
      return;
    if (protocol == Protocol::smtp) {
      SmtpSettings st;
      st.hostname = ctx.hostname;
      st.max_message_size = ctx.max_message_size;
      st.tls_available = ctx.tls != nullptr;
      st.implicit_tls = implicit_tls;
      st.require_tls = ctx.require_tls;
      st.require_auth = ctx.require_auth;
      st.peer_ip = peer_ip;
      SmtpSession s(std::move(st), *ctx.users, *ctx.faults, *ctx.sink);
      drive(t, wake_fd, s, ctx, [] {});
    } else {
      ImapSettings st;
      st.hostname = ctx.hostname;
      st.tls_available = ctx.tls != nullptr;
      st.implicit_tls = implicit_tls;
      st.require_tls = ctx.require_tls;
      st.max_output = ctx.imap_max_output;
      st.wake = [wake_fd] {
        std::uint64_t one = 1;
        ssize_t w = ::write(wake_fd, &one, sizeof one);
        (void)w;
      };
      ImapSession s(std::move(st), *ctx.users, *ctx.faults, *ctx.store);
      drive(t, wake_fd, s, ctx, [&s] { s.on_mailbox_changed(); });
    }
  });
}

}  // namespace mailprobe::serve
