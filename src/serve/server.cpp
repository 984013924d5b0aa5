#include "serve/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <limits>
#include <list>
#include <mutex>
#include <system_error>
#include <thread>

#include "serve/connection.hpp"
#include "serve/delivery.hpp"
#include "serve/tls.hpp"

namespace mailprobe::serve {

namespace {

struct Listener {
  int fd = -1;
  int port = -1;
  Protocol protocol = Protocol::smtp;
  bool implicit_tls = false;
};

Outcome<Listener> bind_listener(const std::string& addr, int port, Protocol p, bool tls) {
  Listener l;
  l.protocol = p;
  l.implicit_tls = tls;
  bool v6 = addr.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Failure(Stage::none, Result::connection_failed, std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, addr.c_str(), &a->sin6_addr) != 1) {
      ::close(fd);
      return Failure(Stage::config, Result::internal_error, "invalid listen address " + addr);
    }
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, addr.c_str(), &a->sin_addr) != 1) {
      ::close(fd);
      return Failure(Stage::config, Result::internal_error, "invalid listen address " + addr);
    }
    len = sizeof *a;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 512) != 0) {
    std::string e = "cannot listen on " + addr + ":" + std::to_string(port) + ": " + std::strerror(errno);
    ::close(fd);
    return Failure(Stage::none, Result::connection_failed, e);
  }
  len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  l.port = v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
              : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  l.fd = fd;
  return l;
}

std::string peer_address(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "unknown";
  if (ss.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  if (ss.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  return buf;
}

/// Descriptors kept free of sessions: listeners, the store's files, the
/// reserve descriptor, TLS and libc needs.
constexpr rlim_t kSpareFds = 64;

/// Raises the soft RLIMIT_NOFILE to the hard limit and returns the soft limit
/// now in force (the usual 1024 would allow only ~480 sessions).
rlim_t raise_nofile() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
  }
  return rl.rlim_cur;
}

/// The session cap that the descriptor limit can carry: each session holds
/// its socket and an eventfd.
std::size_t fd_connection_cap(rlim_t nofile) {
  if (nofile == RLIM_INFINITY) return std::numeric_limits<std::size_t>::max();
  return nofile > kSpareFds + 2 ? static_cast<std::size_t>((nofile - kSpareFds) / 2) : 1;
}

void say_and_close(int c, const Listener& l, const char* smtp, const char* imap) {
  const char* text = l.protocol == Protocol::smtp ? smtp : imap;
  // Implicit-TLS listeners cannot say anything before a handshake.
  if (!l.implicit_tls) (void)!::write(c, text, std::strlen(text));
  ::close(c);
}

struct Conn {
  std::string peer;
  int wake_fd = -1;
  int client_fd = -1;  // for shutdown(): wakes waits that do not watch wake_fd
  std::thread thread;
  std::atomic<bool> done{false};
};

}  // namespace

struct Server::Impl {
  ServerOptions opts;
  std::unique_ptr<MailStore> store;
  std::shared_ptr<TlsContext> tls;
  std::unique_ptr<StoreSink> sink;
  ConnectionContext ctx;
  std::vector<Listener> listeners;
  Ports ports;
  std::atomic<bool> stopping{false};
  int accept_wake = -1;
  std::thread acceptor;
  std::mutex conns_mu;
  std::list<Conn> conns;
  std::mutex stop_mu;
  bool stopped = false;
  std::size_t max_conns = 0;
  std::size_t max_per_ip = 0;
  int reserve_fd = -1;  // given up to answer one client when descriptors run out

  void accept_loop();
  void accept_ready(const Listener& l);
  void refuse_for_lack_of_fds(const Listener& l);
  void reap(bool all);
};

void Server::Impl::reap(bool all) {
  std::lock_guard<std::mutex> lock(conns_mu);
  for (auto it = conns.begin(); it != conns.end();) {
    if (all || it->done.load()) {
      if (it->thread.joinable()) it->thread.join();
      ::close(it->wake_fd);
      it = conns.erase(it);
    } else {
      ++it;
    }
  }
}

void Server::Impl::accept_loop() {
  std::vector<pollfd> fds;
  for (const auto& l : listeners) fds.push_back({l.fd, POLLIN, 0});
  fds.push_back({accept_wake, POLLIN, 0});
  while (!stopping.load()) {
    int n = ::poll(fds.data(), fds.size(), 500);
    reap(false);
    if (n <= 0) continue;
    for (std::size_t i = 0; i < listeners.size(); ++i)
      if (fds[i].revents & POLLIN) accept_ready(listeners[i]);
  }
}

// Out of descriptors (EMFILE/ENFILE): free the reserve one, accept the waiting
// client, tell it (421 / BYE), close it and take the reserve back. Without
// this the listener stays readable and the loop spins with nobody answered
// (issue 17, D6). If even that fails, pause briefly instead of spinning.
void Server::Impl::refuse_for_lack_of_fds(const Listener& l) {
  if (reserve_fd >= 0) {
    ::close(reserve_fd);
    reserve_fd = -1;
    int c = ::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c >= 0) say_and_close(c, l, "421 4.3.2 Server out of resources, try later\r\n", "* BYE Server out of resources\r\n");
    reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (c >= 0) return;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void Server::Impl::accept_ready(const Listener& l) {
  while (!stopping.load()) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int c = ::accept4(l.fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) refuse_for_lack_of_fds(l);
      return;
    }
    // Replies are small and each waits for the client: without TCP_NODELAY a
    // reply written in two segments waits ~40 ms for a delayed ACK (Nagle).
    int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string peer = peer_address(ss);
    int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake < 0) {
      say_and_close(c, l, "421 4.3.2 Server out of resources, try later\r\n", "* BYE Server out of resources\r\n");
      continue;
    }
    std::lock_guard<std::mutex> lock(conns_mu);
    std::size_t live = 0, same_peer = 0;
    for (const Conn& other : conns) {
      if (other.done.load()) continue;
      ++live;
      if (other.peer == peer) ++same_peer;
    }
    // Over a cap: say so and hang up rather than spawn another thread
    // (RFC 5321 §3.8 421; RFC 3501 §7.1.5 BYE).
    if (live >= max_conns || same_peer >= max_per_ip) {
      bool global = live >= max_conns;
      say_and_close(c, l, global ? "421 4.3.2 too many connections\r\n" : "421 4.7.0 too many connections from your address\r\n",
                    global ? "* BYE too many connections\r\n" : "* BYE too many connections from your address\r\n");
      ::close(wake);
      continue;
    }
    Conn& conn = conns.emplace_back();
    conn.peer = peer;
    conn.wake_fd = wake;
    conn.client_fd = c;
    try {
      conn.thread = std::thread([this, c, wake, l, peer, &conn] {
        run_connection(c, wake, l.protocol, l.implicit_tls, peer, ctx);
        conn.done.store(true);
      });
    } catch (const std::system_error&) {
      // No thread to be had (resource limits): refuse this client, keep serving.
      conns.pop_back();
      say_and_close(c, l, "421 4.3.2 Server out of resources, try later\r\n", "* BYE Server out of resources\r\n");
      ::close(wake);
    }
  }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

Outcome<std::unique_ptr<Server>> Server::start(ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->opts = std::move(options);
  ServerOptions& o = impl->opts;
  std::vector<std::string> names;
  for (const auto& u : o.users.all()) names.push_back(u.name);
  if (names.empty()) return Failure(Stage::config, Result::internal_error, "no users configured");
  if (o.maildir.empty()) {
    impl->store = MailStore::in_memory(names);
  } else {
    auto s = MailStore::open_maildir(o.maildir, names);
    if (!s) return s.error();
    impl->store = std::move(s.value());
  }
  if (o.tls) {
    if (o.tls_cert.empty() != o.tls_key.empty())
      return Failure(Stage::config, Result::internal_error, "--tls-cert and --tls-key go together");
    auto t = o.tls_cert.empty() ? TlsContext::self_signed(o.tls_cert_out, o.cert_validity)
                                : TlsContext::from_files(o.tls_cert, o.tls_key);
    if (!t) return t.error();
    impl->tls = t.value();
  }
  if (o.require_tls && !impl->tls)
    return Failure(Stage::config, Result::internal_error, "--require-tls needs TLS enabled");
  impl->sink = std::make_unique<StoreSink>(*impl->store, o.faults, o.debug_out, o.log);

  ConnectionContext& c = impl->ctx;
  c.hostname = o.hostname;
  c.max_message_size = o.max_message_size;
  c.require_tls = o.require_tls;
  c.require_auth = o.require_auth;
  c.idle_timeout = o.idle_timeout;
  c.imap_idle_timeout = o.imap_idle_timeout;
  c.line_timeout = o.line_timeout;
  c.data_timeout = o.data_timeout;
  c.imap_max_output = o.imap_max_output;
  c.log = o.log;
  impl->max_conns = std::max<std::size_t>(1, std::min(o.max_connections, fd_connection_cap(raise_nofile())));
  impl->max_per_ip = o.max_connections_per_ip ? o.max_connections_per_ip : std::max<std::size_t>(1, impl->max_conns / 2);
  impl->reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  c.users = &o.users;
  c.faults = &o.faults;
  c.store = impl->store.get();
  c.sink = impl->sink.get();
  c.tls = impl->tls;
  c.stopping = &impl->stopping;

  struct Want {
    int port;
    Protocol p;
    bool tls;
    int* out;
  };
  Want wants[] = {{o.smtp_port, Protocol::smtp, false, &impl->ports.smtp},
                  {o.smtps_port, Protocol::smtp, true, &impl->ports.smtps},
                  {o.imap_port, Protocol::imap, false, &impl->ports.imap},
                  {o.imaps_port, Protocol::imap, true, &impl->ports.imaps}};
  auto close_all = [&] {
    for (auto& l : impl->listeners) ::close(l.fd);
    if (impl->reserve_fd >= 0) ::close(impl->reserve_fd);
  };
  for (const auto& w : wants) {
    if (w.port < 0 || (w.tls && !impl->tls)) continue;
    auto l = bind_listener(o.listen, w.port, w.p, w.tls);
    if (!l) {
      close_all();
      return l.error();
    }
    *w.out = l->port;
    impl->listeners.push_back(l.value());
  }
  impl->accept_wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl->accept_wake < 0) {
    close_all();
    return Failure(Stage::none, Result::internal_error, "eventfd failed");
  }
  Impl* raw = impl.get();
  impl->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Ports Server::ports() const { return impl_->ports; }

std::string Server::ca_file() const { return impl_->tls ? impl_->tls->ca_file() : std::string(); }

MailStore& Server::store() { return *impl_->store; }

std::size_t Server::max_connections() const { return impl_->max_conns; }

void Server::stop() {
  std::lock_guard<std::mutex> guard(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping.store(true);
  std::uint64_t one = 1;
  ssize_t w = ::write(impl_->accept_wake, &one, sizeof one);
  (void)w;
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  for (auto& l : impl_->listeners) ::close(l.fd);
  {
    std::lock_guard<std::mutex> lock(impl_->conns_mu);
    for (auto& c : impl_->conns) {
      w = ::write(c.wake_fd, &one, sizeof one);
      (void)w;
    }
  }
  // Sessions say goodbye (421 / BYE) on the wake signal. One stuck in a TLS
  // handshake or writing to a client that stopped reading does not watch it:
  // after a grace period, shut its socket down so that wait ends too.
  auto grace_end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < grace_end) {
    bool all_done = true;
    {
      std::lock_guard<std::mutex> lock(impl_->conns_mu);
      for (auto& c : impl_->conns) all_done = all_done && c.done.load();
    }
    if (all_done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  {
    std::lock_guard<std::mutex> lock(impl_->conns_mu);
    for (auto& c : impl_->conns)
      if (!c.done.load()) ::shutdown(c.client_fd, SHUT_RDWR);
  }
  impl_->reap(true);
  ::close(impl_->accept_wake);
  if (impl_->reserve_fd >= 0) ::close(impl_->reserve_fd);
  // Mail accepted with a delay still reaches the store (and the Maildir) before we return.
  impl_->sink->flush_and_stop();
}

}  // namespace mailprobe::serve
