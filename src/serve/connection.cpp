#include "serve/connection.hpp"

#include <type_traits>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

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

template <typename Session, typename OnWake>
void drive(Transport& t, int wake_fd, Session& s, const ConnectionContext& ctx, OnWake on_wake) {
  auto flush = [&] { return t.write_all(s.take_output()); };
  const auto idle_timeout = std::is_same_v<Session, ImapSession> ? ctx.imap_idle_timeout : ctx.idle_timeout;
  s.start();
  if (!flush() || s.wants_close()) return;
  char buf[16384];
  auto last = Clock::now();
  while (true) {
    if (ctx.stopping->load()) {
      s.on_shutdown();
      flush();
      return;
    }
    short revents = 0, wrevents = 0;
    if (!t.buffered()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(last + idle_timeout - Clock::now());
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
    last = Clock::now();
    s.feed(std::string_view(buf, static_cast<std::size_t>(r)));
    if constexpr (std::is_same_v<Session, SmtpSession>) {
      // Fault --quit-delay: the goodbye comes late (Exim holds its 221).
      if (s.wants_close() && ctx.faults->quit_delay.count() > 0 &&
          sleep_interruptibly(wake_fd, ctx.faults->quit_delay, *ctx.stopping))
        return;
    }
    if (!flush()) return;
    if (s.wants_starttls()) {
      if (!ctx.tls || !t.start_tls(*ctx.tls)) return;
      s.on_tls_established();
      if (!flush()) return;
    }
    if (s.wants_close()) return;
  }
}

}  // namespace

void run_connection(int fd, int wake_fd, Protocol protocol, bool implicit_tls, std::string peer_ip,
                    const ConnectionContext& ctx) {
  Transport t(fd);
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
    st.wake = [wake_fd] {
      std::uint64_t one = 1;
      ssize_t w = ::write(wake_fd, &one, sizeof one);
      (void)w;
    };
    ImapSession s(std::move(st), *ctx.users, *ctx.faults, *ctx.store);
    drive(t, wake_fd, s, ctx, [&s] { s.on_mailbox_changed(); });
  }
}

}  // namespace mailprobe::serve
